"""Facts several views look up, fixed when they were recorded: an employee's name and NIP (from
`Employee.Registered`) and a position's title, unit and agency (from `Position.Established`).

No later event changes them, so a view may look them up at any point of the stream and always gets
what it would have got at that point: the runner notes them as its events pass, and a fact it has not
seen (it started mid-stream, or forgot the fact to stay within its limit) is read from the event store,
the aggregate's first event. The views therefore keep no copy of their own (a province's rebuild wrote
300,000 such rows, 60 % of all its rows).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.employee import Employee
from domain.position import Position

Fact = dict[str, Any]
NO_PERSON: Fact = {"name": None, "nip": None}
NO_SEAT: Fact = {"title": None, "unit": None, "agency": None}


class Directory:
    """Names and NIPs of employees, titles, units and agencies of positions (read-only dicts)."""

    topics = frozenset({get_topic(Employee.Registered), get_topic(Position.Established)})

    def __init__(self, first_event: Callable[[UUID], Any], limit: int = 50_000) -> None:
        self._first_event = first_event
        self._limit = limit
        self._facts: dict[UUID, tuple[type, Fact]] = {}

    def note(self, domain_event: Any) -> None:
        """Remember the facts of a `Registered` or `Established` event (other events are ignored)."""
        kind = type(domain_event)
        if kind is Employee.Registered:
            fact = {"name": domain_event.name, "nip": domain_event.nip}
        elif kind is Position.Established:
            fact = {"title": domain_event.title, "unit": domain_event.unit, "agency": domain_event.agency}
        else:
            return
        if len(self._facts) >= self._limit:  # forget the quarter noted longest ago
            for stale in list(islice(self._facts, self._limit // 4)):
                del self._facts[stale]
        self._facts[domain_event.originator_id] = (kind, fact)

    def person(self, employee_id: UUID | str) -> Fact:
        """Name and NIP of an employee (None values when there is no such employee)."""
        return self._fact(employee_id, Employee.Registered, NO_PERSON)

    def seat(self, position_id: UUID | str) -> Fact:
        """Title, unit and agency of a position (None values when there is no such position)."""
        return self._fact(position_id, Position.Established, NO_SEAT)

    def _fact(self, aggregate_id: UUID | str, kind: type, missing: Fact) -> Fact:
        key = aggregate_id if isinstance(aggregate_id, UUID) else UUID(str(aggregate_id))
        entry = self._facts.get(key)
        if entry is None:
            first = self._first_event(key)
            if type(first) is not kind:
                return missing
            self.note(first)
            entry = self._facts[key]
        return entry[1] if entry[0] is kind else missing
