"""The event store every save goes through: the library's `EventStore`, with each save's metadata
passed to the mapper explicitly (who acted, the correlation id, when), and the events of a save of
several aggregates recorded with each aggregate's first event ahead of the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
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
            Recording(
                event,
                Notification(
                    originator_id=s.originator_id,
                    originator_version=s.originator_version,
                    topic=s.topic,
                    state=s.state,
                    id=notification_id,
                ),
            )
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
