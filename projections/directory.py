"""Facts several views look up, fixed when they were recorded: an employee's name and NIP (from
`Employee.Registered`), a position's title, unit, agency and type (from `Position.Established`), a
round's title and agency (from `MutationRound.Opened`), and whom a proposal proposes (from
`MutationRound.Proposed`).

No later event changes them, so a view may look them up at any point of the stream and always gets
what it would have got at that point: the runner notes them as its events pass, and a fact it has not
seen (it started mid-stream, or forgot the fact to stay within its limit) is read from the event store,
the aggregate's first event (a proposal's: its round's events). The views therefore keep no copy of
their own (a province's rebuild wrote 300,000 such rows, 60 % of all its rows), and a partitioned
runner (`projections.partitions`) can tell which partition an event belongs to before applying it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.position import Position

Fact = dict[str, Any]
NO_PERSON: Fact = {"name": None, "nip": None}
NO_SEAT: Fact = {"title": None, "unit": None, "agency": None, "position_type": None}
NO_ROUND: Fact = {"title": None, "agency": None}
Entry = tuple[type, Fact]


def _entry(domain_event: Any) -> Entry | None:
    """The fact an aggregate's first event fixes (None when it is neither a registration nor an
    establishment)."""
    kind = type(domain_event)
    if kind is Employee.Registered:
        return kind, {"name": domain_event.name, "nip": domain_event.nip}
    if kind is Position.Established:
        return kind, {
            "title": domain_event.title,
            "unit": domain_event.unit,
            "agency": domain_event.agency,
            "position_type": getattr(domain_event.position_type, "value", domain_event.position_type),
        }
    if kind is MutationRound.Opened:
        return kind, {"title": domain_event.title, "agency": domain_event.agency}
    return None


def lookups(domain_event: Any, ids: Iterable[tuple[str, UUID]]) -> Iterator[UUID]:
    """The ids a view may look up in the directory for this event, among the ids it carries (`ids`:
    name and value of each): employees and positions it names (`employee_id`, `..._position_id`),
    and the position itself for a position's events, the round itself for a round's."""
    if isinstance(domain_event, (Position.Event, MutationRound.Event)):
        yield domain_event.originator_id
    for name, value in ids:
        if name == "employee_id" or name.endswith("position_id"):
            yield value


class Directory:
    """Names and NIPs of employees; titles, units, agencies and types of positions; titles and
    agencies of rounds; the employee of each proposal (read-only dicts). `first_event` reads an
    aggregate's first event, `events_of` all of an aggregate's events (for a proposal not seen)."""

    topics = frozenset(
        {
            get_topic(Employee.Registered),
            get_topic(Position.Established),
            get_topic(MutationRound.Opened),
            get_topic(MutationRound.Proposed),
        }
    )

    def __init__(
        self,
        first_event: Callable[[UUID], Any],
        limit: int = 50_000,
        events_of: Callable[[UUID], Iterable[Any]] | None = None,
    ) -> None:
        self._first_event = first_event
        self._events_of = events_of
        self._limit = limit
        self._facts: dict[UUID, Entry] = {}
        self._proposals: dict[UUID, UUID] = {}  # proposal id -> employee id
        self._batch: dict[UUID, Entry | None] = {}  # read ahead for the batch being applied (None: no fact)
        self.reads = 0  # reads of the event store (tests count them per batch)

    def note(self, domain_event: Any) -> None:
        """Remember the facts of a `Registered`, `Established`, `Opened` or `Proposed` event (other
        events are ignored)."""
        if type(domain_event) is MutationRound.Proposed:
            proposal = domain_event.proposal
            if len(self._proposals) >= self._limit:
                for stale in list(islice(self._proposals, self._limit // 4)):
                    del self._proposals[stale]
            self._proposals[proposal.proposal_id] = proposal.employee_id
            return
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
        """Title, unit, agency and type of a position (None values when there is no such position)."""
        return self._fact(position_id, Position.Established, NO_SEAT)

    def round(self, round_id: UUID | str) -> Fact:
        """Title and agency of a round (None values when there is no such round)."""
        return self._fact(round_id, MutationRound.Opened, NO_ROUND)

    def proposed(self, round_id: UUID, proposal_id: UUID) -> UUID | None:
        """The employee a proposal of the round proposes (None when the round has no such proposal)."""
        employee_id = self._proposals.get(proposal_id)
        if employee_id is None and self._events_of is not None:
            self.reads += 1
            for domain_event in self._events_of(round_id):
                self.note(domain_event)
            employee_id = self._proposals.get(proposal_id)
        return employee_id

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
