"""Facts several views look up, fixed when they were recorded: an employee's name and NIP (from
`Employee.Registered`) and a position's title, unit and agency (from `Position.Established`).

No later event changes them, so a view may look them up at any point of the stream and always gets
what it would have got at that point: the runner notes them as its events pass, and a fact it has not
seen (it started mid-stream, or forgot the fact to stay within its limit) is read from the event store,
the aggregate's first event. The views therefore keep no copy of their own (a province's rebuild wrote
300,000 such rows, 60 % of all its rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.employee import Employee
from domain.position import Position

Fact = dict[str, Any]
NO_PERSON: Fact = {"name": None, "nip": None}
NO_SEAT: Fact = {"title": None, "unit": None, "agency": None}
Entry = tuple[type, Fact]


def _entry(domain_event: Any) -> Entry | None:
    """The fact an aggregate's first event fixes (None when it is neither a registration nor an
    establishment)."""
    kind = type(domain_event)
    if kind is Employee.Registered:
        return kind, {"name": domain_event.name, "nip": domain_event.nip}
    if kind is Position.Established:
        return kind, {"title": domain_event.title, "unit": domain_event.unit, "agency": domain_event.agency}
    return None


def lookups(domain_event: Any, ids: Iterable[tuple[str, UUID]]) -> Iterator[UUID]:
    """The ids a view may look up in the directory for this event, among the ids it carries (`ids`:
    name and value of each): employees and positions it names (`employee_id`, `..._position_id`),
    and the position itself for a position's events."""
    if isinstance(domain_event, Position.Event):
        yield domain_event.originator_id
    for name, value in ids:
        if name == "employee_id" or name.endswith("position_id"):
            yield value


class Directory:
    """Names and NIPs of employees, titles, units and agencies of positions (read-only dicts)."""

    topics = frozenset({get_topic(Employee.Registered), get_topic(Position.Established)})

    def __init__(self, first_event: Callable[[UUID], Any], limit: int = 50_000) -> None:
        self._first_event = first_event
        self._limit = limit
        self._facts: dict[UUID, Entry] = {}
        self._batch: dict[UUID, Entry | None] = {}  # read ahead for the batch being applied (None: no fact)
        self.reads = 0  # reads of the event store (tests count them per batch)

    def note(self, domain_event: Any) -> None:
        """Remember the facts of a `Registered` or `Established` event (other events are ignored)."""
        entry = _entry(domain_event)
        if entry is not None:
            self._keep(domain_event.originator_id, entry)

    def _keep(self, aggregate_id: UUID, entry: Entry) -> None:
        if len(self._facts) >= self._limit:  # forget the quarter noted longest ago
            for stale in list(islice(self._facts, self._limit // 4)):
                del self._facts[stale]
        self._facts[aggregate_id] = entry

    def prefetch(self, ids: Iterable[UUID], first_events: Callable[[list[UUID]], Mapping[UUID, Any]]) -> None:
        """Before a batch is applied: read the facts of all `ids` not known yet in ONE read of the event
        store (`first_events`: each aggregate's first event by id), and keep them until `end_batch`
        whatever the limit (an id with no fact is kept as such, so it costs no read either)."""
        facts, batch = self._facts, self._batch
        missing = sorted({i for i in ids if i not in facts and i not in batch})
        if not missing:
            return
        self.reads += 1
        found = first_events(missing)
        for aggregate_id in missing:
            first = found.get(aggregate_id)
            entry = _entry(first) if first is not None else None
            batch[aggregate_id] = entry
            if entry is not None:
                self._keep(aggregate_id, entry)

    def end_batch(self) -> None:
        """The batch is applied (or failed): forget what was read ahead for it."""
        self._batch.clear()

    def person(self, employee_id: UUID | str) -> Fact:
        """Name and NIP of an employee (None values when there is no such employee)."""
        return self._fact(employee_id, Employee.Registered, NO_PERSON)

    def seat(self, position_id: UUID | str) -> Fact:
        """Title, unit and agency of a position (None values when there is no such position)."""
        return self._fact(position_id, Position.Established, NO_SEAT)

    def _fact(self, aggregate_id: UUID | str, kind: type, missing: Fact) -> Fact:
        key = aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id))
        entry: Any = self._facts.get(key)
        if entry is None:
            entry = self._batch.get(key, ...)
        if entry is None:  # read ahead: no such employee or position
            return missing
        if entry is ...:
            self.reads += 1
            first = self._first_event(key)
            if type(first) is not kind:
                return missing
            self.note(first)
            entry = self._facts[key]
        return entry[1] if entry[0] is kind else missing
