"""Reading the event store itself (never the projections): histories, time travel, the global feed.

Every read of one aggregate is one indexed read by originator id; the feed reads by notification id.
On PostgreSQL the library locks the events table on insert, so notification ids are assigned in
commit order (SQLite has one writer): paging with `after` never skips or repeats an event.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.audit.placements import Stretch, effective_on, employee_stretches, position_stretches
from application.audit.records import AuditEvent
from application.base import MutasiBase
from application.errors import NotFoundError
from domain.position import Position


def _event(app: MutasiBase, stored: StoredEvent, position: int | None = None) -> AuditEvent:
    originator_id = stored.originator_id if isinstance(stored.originator_id, UUID) else UUID(stored.originator_id)
    try:
        state = app.mapper.stored_state(stored)
    except ValueError:  # not even JSON any more: verification reports it as unchained
        state = {}
    return AuditEvent(
        originator_id, stored.originator_version, stored.topic, state if isinstance(state, dict) else {}, position
    )


def history(app: MutasiBase, aggregate_id: UUID, kind: str | None = None) -> list[AuditEvent]:
    """Every event of one aggregate in version order; `kind` ("Employee"...) must match when given."""
    with app._store_errors():
        events = [_event(app, s) for s in app.recorder.select_events(aggregate_id)]
    if not events or (kind is not None and not events[0].name.startswith(f"{kind}.")):
        raise NotFoundError(f"no {(kind or 'aggregate').lower()} {aggregate_id} in the event store")
    return events


def version_recorded_at(events: list[AuditEvent], moment: datetime) -> int | None:
    """The aggregate's version as recorded at `moment` (None before its first event)."""
    versions = [e.version for e in events if e.recorded_at is not None and e.recorded_at <= moment]
    return max(versions, default=None)


@dataclass(frozen=True)
class Placements:
    """Placement stretches as recorded at a moment (or now), and those in force on a date."""

    version: int | None
    stretches: list[Stretch]
    held_on: list[Stretch] | None


def employee_placements(
    app: MutasiBase, employee_id: UUID, recorded_at: datetime | None = None, on: date | None = None
) -> Placements:
    """An employee's placements as recorded at `recorded_at`, and the one effective on `on`."""
    events = history(app, employee_id, "Employee")
    return _placements(events, employee_stretches(events, recorded_at), recorded_at, on)


def position_holders(
    app: MutasiBase, position_id: UUID, recorded_at: datetime | None = None, on: date | None = None
) -> Placements:
    """A position's holders as recorded at `recorded_at`, and those effective on `on`."""
    events = history(app, position_id, "Position")
    return _placements(events, position_stretches(events, recorded_at), recorded_at, on)


def _placements(
    events: list[AuditEvent], stretches: list[Stretch], recorded_at: datetime | None, on: date | None
) -> Placements:
    version = version_recorded_at(events, recorded_at) if recorded_at else events[-1].version
    return Placements(version, stretches, effective_on(stretches, on) if on else None)


@dataclass(frozen=True)
class UnitPosition:
    """A position of a unit, with its holders on the date asked."""

    position_id: UUID
    title: str
    holders: list[Stretch]


def unit_holders(
    app: MutasiBase, agency: str, unit: str, on: date, recorded_at: datetime | None = None
) -> list[UnitPosition]:
    """Who held which position of a unit on `on` (as recorded at `recorded_at`, or as known now).

    Finds the unit's positions among the `Position.Established` events (a read filtered by topic),
    then replays each position from its own events.
    """
    wanted = (" ".join(agency.split()).casefold(), " ".join(unit.split()).casefold())
    answer = []
    for event in feed_all(app, topics=(get_topic(Position.Established),)):
        data = event.data
        key = (" ".join(data["agency"].split()).casefold(), " ".join(data["unit"].split()).casefold())
        if key != wanted or (recorded_at and (event.recorded_at is None or event.recorded_at > recorded_at)):
            continue
        events = history(app, event.originator_id, "Position")
        answer.append(
            UnitPosition(event.originator_id, data["title"], effective_on(position_stretches(events, recorded_at), on))
        )
    return answer


@dataclass(frozen=True)
class Page:
    """A page of the global feed: events after `after`, and the `after` of the next page."""

    events: list[AuditEvent]
    next_after: int
    head: int


def feed(app: MutasiBase, after: int = 0, limit: int = 100) -> Page:
    """Events with positions above `after`, in store order, at most `limit`."""
    with app._store_errors():
        head = app.recorder.max_notification_id() or 0
        notifications = app.recorder.select_notifications(after, limit, inclusive_of_start=False)
    events = [_event(app, n, n.id) for n in notifications]
    next_after = notifications[-1].id if notifications else after  # the last event's position
    return Page(events, next_after, max(head, next_after))


def feed_all(
    app: MutasiBase, after: int = 0, stop: int | None = None, topics: tuple[str, ...] = (), page: int = 1000
) -> Iterator[AuditEvent]:
    """Every event after `after` (up to `stop`), page by page."""
    while True:
        with app._store_errors():
            notifications = app.recorder.select_notifications(
                after, page, stop=stop, topics=topics, inclusive_of_start=False
            )
        for notification in notifications:
            yield _event(app, notification, notification.id)
        if len(notifications) < page:
            return
        after = notifications[-1].id
