"""The event store every save goes through: the library's `EventStore`, with each save's metadata
passed to the mapper explicitly (who acted, the correlation id, when), and the events of a save of
several aggregates recorded with each aggregate's first event ahead of the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.persistence import EventStore, Notification, Recording

from application.persistence.mapper import EventMetadata, PydanticMapper


class MetadataEventStore(EventStore[UUID]):
    """`put(events, metadata=...)`: the library's `put` with the save's metadata on every event.

    The application's `save(*aggregates, metadata=..., idempotency=...)` reaches here through the
    library's own `save` (its keyword arguments travel with the events); whatever else the save names
    goes on to the recorder, which refuses what it does not write."""

    mapper: PydanticMapper

    def put(
        self,
        domain_events: Sequence[DomainEventProtocol[UUID]],
        *,
        metadata: EventMetadata | None = None,
        **kwargs: Any,
    ) -> list[Recording[UUID]]:
        """Store `domain_events` atomically, stamped with `metadata`; their recordings in store order."""
        events = creations_first(domain_events)
        stored = [self.mapper.to_stored_event(event, metadata) for event in events]
        ids = self.recorder.insert_events(stored, **kwargs)
        if not ids:
            return []
        if len(ids) != len(stored):  # the library's own put asserts the same
            raise RuntimeError(f"the recorder gave {len(ids)} notification ids for {len(stored)} events")
        return [
            Recording(event, Notification(s.originator_id, s.originator_version, s.topic, s.state, notification_id))
            for event, s, notification_id in zip(events, stored, ids, strict=True)
        ]


def creations_first(events: Sequence[DomainEventProtocol[UUID]]) -> list[DomainEventProtocol[UUID]]:
    """The events of a save with every aggregate's first event before all the others (each aggregate's
    own events stay in order): whatever refers to an aggregate of the save (a holder added to a new
    position, an employee placed in it) then comes after the event that created it, so a reader of the
    notification log never meets a reference before its subject."""
    created = [event for event in events if event.originator_version == 1]
    if not created or len(created) == len(events):
        return list(events)
    return created + [event for event in events if event.originator_version != 1]


def save_aggregates(app: Application[UUID], aggregates: Sequence[Aggregate], **kwargs: Any) -> list[Recording[UUID]]:
    """The library's `Application.save(*aggregates, **kwargs)`, without its runtime Protocol checks
    (`isinstance` against `DomainEventProtocol`, then `CollectEventsProtocol`, for every object: ~30 µs a
    save on Python 3.11, 5 % of a one-event command). It calls the library's private steps of `save`
    in the library's order; tests/persistence/test_library_contract.py pins them."""
    processing_event: ProcessingEvent[UUID] = ProcessingEvent()
    for aggregate in aggregates:
        processing_event.events.extend(aggregate.collect_events())
        processing_event.aggregates[aggregate.id] = aggregate
    processing_event.saved_kwargs.update(kwargs)
    recordings = app._record(processing_event)
    app._take_snapshots(processing_event)
    app._notify(recordings)
    app.notify(processing_event.events)  # the library's deprecated hook, called as its save does
    return recordings
