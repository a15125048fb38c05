"""A register with years of history, written through the application day by day, in time order.

A SIMPEG export holds a register as it stands on one day (one row per employee, two SKP years, the
latest assessment): it cannot carry rounds, decrees, executions and evaluations, and an import saves
each employee with all of their history at once. So the history is not a file. `HistoryWriter` saves
the generated register as it stood `years` before `as_of` (the generator's rows, in batches, as the
import does), then lives the years after it day by day, the application's clock on that day:

- every January, the SKP ratings of the year before for everyone in service, over the month's
  working days (so the first January rates the year the register's rows do not carry yet);
- every May and June, an assessment wave (about 30 % of employees);
- two rounds a year per agency, through every binding moment (DOMAIN.md): proposals of
  about 1 % of the agency's employees into vacancies of the same kind, the committee's recommendation,
  the PPK's decision (approved when every rule holds, else rejected with the failing rules),
  the announcement, the objection window (3 working days), the decree signed after it, the execution
  on the TMT, the round closed, evaluations 3 and 6 months after the TMT (never in the future);
- sanctions (about 1 % a year); retirements at the pension age (the first day of the month after the
  58th birthday) and at one's own request (about 1 % a year); every March, new hires (CPNS) into
  entry-level vacancies, about as many as retired.

The register's acts (ratings, assessments, sanctions, retirements, hires) are saved by `save_batch`
(one transaction, every guarantee of a save) in batches of consecutive days that never hold two days
of one aggregate; each round's act is the domain command its use case calls, by an official serving
the agency, saved with what it changed (through the use cases, each act would load the round again:
a round of N proposals would cost N² event replays). The store's order is time order: each employee's events lie
months apart between everyone else's. The same size, seed, years and `as_of` give the same history.
"""

from __future__ import annotations

import random
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import partial
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.context import Actor
from application.errors import ApplicationError
from application.roster.generate import (
    EXPECTATION_WEIGHTS,
    FAMILY,
    FEMALE,
    MALE,
    RegisterGenerator,
)
from application.roster.importer import employee_from_row, position_from_row
from application.roster.rows import RosterRow, parse_row
from application.service import MutasiApplication
from domain.calendar import add_months, add_working_days, add_years, is_working_day
from domain.employee import Employee
from domain.errors import DomainError
from domain.mutation_round import CorrectiveActionRequired, MutationRound
from domain.official import NATIONAL
from domain.position import Position
from domain.proposal import Decree, EvaluationFindings, Recommendation
from domain.transfer import (
    evaluate_transfer,
    execute_transfer,
    place_employee,
    retire_employee,
)
from domain.vocabulary import (
    Expectation,
    Potential,
    Predikat,
    Rank,
    SanctionLevel,
    TransferKind,
)

SYSTEM = Actor("register-history", agencies=(NATIONAL,))
"""Who records the register's own acts (ratings, assessments, sanctions, retirements, hires)."""
PENSION_AGE = 58
ROUNDS = (("Tahap I", 2, 4), ("Tahap II", 8, 10))
"""Each year's rounds per agency: title, month opened, month of the planned TMT (its 1st day)."""
MOVED_PER_ROUND = 0.01
ASSESSED_PER_YEAR = 0.3
SANCTIONED_PER_YEAR = 0.01
RETIRING_EARLY_PER_YEAR = 0.01
BATCH_AGGREGATES = 5000
CACHE = 400_000
ENTRY_RANKS = (Rank.II_A, Rank.III_A)


class HistoryRefused(ApplicationError):
    """The store already holds the register: a history is written once, into a store without it."""

    code = "history-refused"


@dataclass
class Seat:
    """What the writer knows of a position: its kind (type and rank range) and its seats."""

    id: UUID
    agency: str
    kind: tuple[str, str, str]
    formasi: int
    holders: int = 0


@dataclass
class Person:
    """What the writer knows of an employee, to plan their acts."""

    id: UUID
    agency: str
    position_id: UUID
    since: date
    retires_on: date
    active: bool = True


@dataclass
class HistoryResult:
    """What a history run wrote."""

    start: date
    end: date
    employees_at_start: int = 0
    acts: Counter[str] = field(default_factory=Counter)


class Today:
    """The application's settable clock: the day the history has reached."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


class Officials:
    """The officials serving one agency: operator (BKPSDM), committee (TPK) and PPK."""

    def __init__(self, agency: str) -> None:
        slug = agency.lower().replace(" ", "-")
        self.operator = Actor(f"bkpsdm-{slug}", agencies=(agency,))
        self.committee = Actor(f"tpk-{slug}", agencies=(agency,))
        self.ppk = Actor(f"ppk-{slug}", agencies=(agency,))


class HistoryWriter:
    """Writes a generated register and `years` of its history into `app`'s store (module docstring)."""

    def __init__(
        self,
        app: MutasiApplication,
        size: str = "city",
        seed: int = 1,
        years: int = 5,
        as_of: date = date(2026, 1, 1),
        employees: int | None = None,
    ) -> None:
        if years < 1:
            raise ValueError("a history spans at least one year")
        self.app, self.years, self.end = app, years, as_of
        self.start = add_years(as_of, -years)
        self.generator = RegisterGenerator(
            size, seed, self.start, employees, skp_years=(self.start.year - 3, self.start.year - 2)
        )
        self.rng = random.Random(f"history:{seed}:{size}:{years}:{as_of}")
        self.today = Today(self.start)
        self.day = self.start
        self.seats: dict[UUID, Seat] = {}
        self.people: dict[str, list[Person]] = defaultdict(list)
        self.retired: Counter[str] = Counter()
        self.register_acts: dict[date, list[tuple[Any, ...]]] = defaultdict(list)
        self.round_steps: dict[date, list[Callable[[date], None]]] = defaultdict(list)
        self.cache: OrderedDict[UUID, Aggregate] = OrderedDict()
        self.pending: dict[UUID, Aggregate] = {}  # changed by the register's acts, not saved yet
        self.pending_day: dict[UUID, date] = {}
        self.hired = 0
        self.rounds: list[tuple[str, UUID]] = []
        """Every round opened so far: agency and id, in order."""
        self.result = HistoryResult(self.start, as_of)

    def register_rows(self) -> Iterator[dict[str, Any]]:
        """The register's rows as it stood on the history's first day (what `mutasi generate` writes)."""
        return self.generator.rows()

    def run(self, register_in_store: bool = False) -> HistoryResult:
        """Save the register of the first day (unless it was imported already), then live every day
        up to `as_of` (excluded) in order."""
        self.begin(register_in_store)
        return self.live()

    def begin(self, register_in_store: bool = False) -> None:
        """Save the register of the first day, or (`register_in_store`) only learn it from its rows."""
        self.app.today = self.today
        self._load_register(save=not register_in_store)
        if register_in_store:
            self._read_store()
        self.day = self.start

    def _read_store(self) -> None:
        """Hold the imported register's aggregates, from one read of the log in order (the years touch
        every employee in their first January: one read each would cost far more)."""
        position, recorder = 0, self.app.recorder
        while notifications := recorder.select_notifications(position, 5000, inclusive_of_start=False):
            for notification in notifications:
                event: Any = self.app.mapper.to_domain_event(notification)
                self._remember(event.mutate(self.cache.get(event.originator_id)))  # the id as a UUID
            position = notifications[-1].id

    def live(self, until: date | None = None) -> HistoryResult:
        """Live the days from where the history stands up to `until` (default `as_of`), excluded;
        a later call goes on from there."""
        until = min(until or self.end, self.end)
        self.app.today = self.today
        while self.day < until:
            day = self.day
            if day == self.start or (day.month, day.day) == (1, 1):
                self._plan_year(day.year)
            self.today.day = day
            if acts := self.register_acts.pop(day, None):
                self._apply(day, acts)
            for step in self.round_steps.pop(day, ()):
                self.flush()  # a round's act is saved under its official, after what came before it
                step(day)
            self.day = day + timedelta(days=1)
        self.flush()
        return self.result

    # -- the register of the first day ---------------------------------------------------------

    def _load_register(self, save: bool) -> None:
        batch: list[Aggregate] = []
        positions: dict[UUID, Position] = {}
        seated: dict[UUID, Position] = {}  # positions with holders not saved yet
        for values in self.register_rows():
            row = parse_row(values)
            if not isinstance(row, RosterRow):
                raise ValueError(f"the generator made a row that does not parse: {row}")
            seat = self.seats.get(row.position.id)
            if seat is None:
                p = row.position
                seat = self.seats[p.id] = Seat(
                    p.id, p.agency, (p.position_type.value, p.rank_min.value, p.rank_max.value), p.formasi
                )
                if save:
                    positions[p.id] = seated[p.id] = position_from_row(p)
            if row.employee is None:
                continue
            person = row.employee
            employee_id = Employee.create_id(person.nip)
            seat.holders += 1
            born = date(int(person.nip[:4]), int(person.nip[4:6]), int(person.nip[6:8]))
            self.people[seat.agency].append(
                Person(employee_id, seat.agency, seat.id, person.placed_on, _retires_on(born))
            )
            self.result.employees_at_start += 1
            if save:
                seated[seat.id] = positions[seat.id]
                batch.append(employee_from_row(person, positions[seat.id]))
                if len(batch) >= BATCH_AGGREGATES:
                    self._refuse_if_stored(batch)
                    self._save([*batch, *seated.values()])
                    batch, seated = [], {}
        if save:
            self._refuse_if_stored(batch)
            self._save([*batch, *seated.values()])

    def _refuse_if_stored(self, batch: list[Aggregate]) -> None:
        if self.result.employees_at_start <= len(batch) and self.app.stored_ids(a.id for a in batch):
            raise HistoryRefused(
                f"the store already holds the register of {self.start} "
                "(a history is written once, into a store without it)"
            )

    # -- planning ------------------------------------------------------------------------------

    def _plan_year(self, year: int) -> None:
        """The year's register acts (dated) and its rounds' first steps."""
        rng = self.rng
        january = _working_days(date(year, 1, 2), date(year, 1, 31))
        waves = _working_days(date(year, 5, 2), date(year, 6, 30))
        whole_year = _working_days(date(year, 1, 2), date(year, 12, 30))
        for index, (agency, people) in enumerate(sorted(self.people.items())):
            for person in people:
                if not person.active:
                    continue
                self.register_acts[rng.choice(january)].append(("rate", person, year - 1))
                if rng.random() < ASSESSED_PER_YEAR:
                    self.register_acts[rng.choice(waves)].append(("assess", person))
                if rng.random() < SANCTIONED_PER_YEAR:
                    self.register_acts[rng.choice(whole_year)].append(("sanction", person))
                if person.retires_on.year == year or (year == self.start.year and person.retires_on < self.start):
                    retiring = max(person.retires_on, self.start)
                    self.register_acts[retiring].append(("retire", person, "batas usia pensiun"))
                elif rng.random() < RETIRING_EARLY_PER_YEAR:
                    retiring = rng.choice(whole_year)
                    self.register_acts[retiring].append(("retire", person, "atas permintaan sendiri"))
            self.register_acts[date(year, 3, 1)].append(("hire", agency))
            for title, opened, tmt in ROUNDS:
                first = add_working_days(date(year, opened, 1), 1 + index % 5)
                self.round_steps[first].append(self._round(agency, f"Mutasi {title} {year}", date(year, tmt, 1)))

    # -- the register's own acts, saved in batches that keep the log in time order ---------------

    def _apply(self, day: date, acts: list[tuple[Any, ...]]) -> None:
        for act in acts:
            kind, subject = act[0], act[1]
            if kind == "hire":
                self._hire(day, subject)
                continue
            if not subject.active:
                continue
            employee, *position = self._touch(day, subject.id, *([subject.position_id] if kind == "retire" else []))
            if kind == "rate":
                results, behaviour = self.rng.choices(list(Expectation), EXPECTATION_WEIGHTS, k=2)
                employee.rate_performance(act[2], results, behaviour)
            elif kind == "assess":
                standard = self._get(subject.position_id).standard
                scores = {c: max(1, min(5, level + self.rng.choice((-1, 0, 0, 0, 1)))) for c, level in standard.items()}
                employee.assess_competency(
                    scores,
                    self.rng.choices(list(Potential), (3, 5, 2))[0],
                    "UPT Penilaian Kompetensi",
                    "assessment centre",
                    day,
                )
            elif kind == "sanction":
                level = self.rng.choices(list(SanctionLevel), (6, 3, 1))[0]
                months = 6 if level is SanctionLevel.LIGHT else 12
                employee.record_sanction(
                    level, day, add_months(day, months), f"800/{self.result.acts['sanction'] + 1:06d}/HD/{day.year}"
                )
            elif kind == "retire":
                retire_employee(employee, position[0], day, act[2])
                subject.active = False
                self.seats[subject.position_id].holders -= 1
                self.retired[subject.agency] += 1
            self.result.acts[kind] += 1

    def _touch(self, day: date, *ids: UUID) -> list[Any]:
        """The aggregates an act of `day` changes, held until the next flush. If one holds unsaved
        changes of an earlier day, those are flushed first: each aggregate's events in a batch are of
        one day, and the batch lists aggregates in the order they were first changed, so the log
        keeps time order across employees."""
        if len(self.pending) + len(ids) > BATCH_AGGREGATES or any(self.pending_day.get(i, day) != day for i in ids):
            self.flush()
        aggregates = [self._get(i) for i in ids]
        for aggregate in aggregates:
            self.pending[aggregate.id], self.pending_day[aggregate.id] = aggregate, day
        return aggregates

    def flush(self) -> None:
        """Save the register's unsaved acts in one `save_batch` (one transaction), as the system."""
        self._save(list(self.pending.values()))
        self.pending.clear()
        self.pending_day.clear()

    def _hire(self, day: date, agency: str) -> None:
        """New civil servants (CPNS) into the agency's entry-level vacancies, about as many as retired
        in the year before (at least one in two hundred of its employees)."""
        self.flush()  # a batch records its new aggregates first: nothing of an earlier day may be in it
        wanted = max(self.retired.pop(agency, 0), len(self.people[agency]) // 200)
        free = [
            s for s in self.seats.values() if s.agency == agency and s.kind[1] in ENTRY_RANKS and s.holders < s.formasi
        ]
        for _ in range(wanted):
            free = [s for s in free if s.holders < s.formasi]
            if not free:
                break
            seat = self.rng.choice(free)
            rank = Rank(seat.kind[1])
            k = self.hired
            self.hired += 1
            block, sequence = divmod(k, 1000)
            sex = block % 2 + 1
            age = self.rng.randint(22, 28) if rank is Rank.III_A else self.rng.randint(19, 25)
            born = date(day.year - age, 1, 1) + timedelta(days=(block // 2) % 365)
            nip = f"{born:%Y%m%d}{day:%Y%m}{sex}{sequence:03d}"
            name = f"{self.rng.choice(MALE if sex == 1 else FEMALE)} {self.rng.choice(FAMILY)}"
            employee = Employee.register(nip, name, rank, agency)
            self._remember(employee)
            _, position = self._touch(day, employee.id, seat.id)
            place_employee(employee, position, day, f"813/{k:06d}/CPNS/{day.year}")
            seat.holders += 1
            self.people[agency].append(Person(employee.id, agency, seat.id, day, _retires_on(born)))
            self.result.acts["hire"] += 1

    # -- rounds, one use case at a time --------------------------------------------------------

    def _round(self, agency: str, title: str, tmt: date) -> Callable[[date], None]:
        """The round's first step (open, then propose); each step schedules the next. Each act is the
        domain command its use case calls, by an official serving the agency, on the aggregates the
        writer holds, saved with what it changed in one `save_batch` under that official."""
        officials = Officials(agency)
        policy, acts = self.app.policy, self.result.acts
        period = (
            (date(tmt.year, 1, 1), date(tmt.year, 6, 30))
            if tmt.month <= 6
            else (date(tmt.year, 7, 1), date(tmt.year, 12, 31))
        )
        proposals: list[tuple[UUID, Person, UUID]] = []
        held: list[MutationRound] = []

        def parties(person: Person, target_id: UUID) -> tuple[Employee, Position, Position]:
            return self._get(person.id), self._get(person.position_id), self._get(target_id)

        def open_and_propose(day: date) -> None:
            mutation_round = MutationRound.open(
                agency, TransferKind.WITHIN_AGENCY, title, *period, tmt, (), officials.operator.official
            )
            held.append(mutation_round)
            self.rounds.append((agency, mutation_round.id))
            acts["round"] += 1
            for person, target in self._candidates(agency, tmt):
                try:
                    proposal_id = mutation_round.propose(
                        *parties(person, target.id),
                        "fills a vacancy of the same kind",
                        officials.operator.official,
                        policy,
                    )
                except DomainError:
                    continue
                proposals.append((proposal_id, person, target.id))
                acts["proposal"] += 1
            self.app.save_batch(officials.operator, [mutation_round])
            if proposals:
                self._at(add_working_days(day, 5), review)

        def review(day: date) -> None:
            mutation_round = held[0]
            for proposal_id, _, _ in proposals:
                mutation_round.recommend(
                    proposal_id, Recommendation(True, officials.committee.official, "fits the standard")
                )
            self.app.save_batch(officials.committee, [mutation_round])
            self._at(add_working_days(day, 5), decide)

        def decide(day: date) -> None:
            mutation_round, ppk = held[0], officials.ppk.official
            approved = []
            for proposal_id, person, target_id in proposals:
                employee, current, target = parties(person, target_id)
                try:
                    mutation_round.approve(
                        proposal_id, employee, current, target, ppk, "every rule holds", policy, (), day
                    )
                    approved.append((proposal_id, person, target_id))
                    acts["approved"] += 1
                except DomainError as error:
                    mutation_round.reject(proposal_id, ppk, f"not approved: {error}"[:500], current.agency, day)
                    acts["rejected"] += 1
            mutation_round.announce(ppk, day)
            self.app.save_batch(officials.ppk, [mutation_round])
            closes = mutation_round.objection_window_closes_on(policy)
            if closes is None:  # announced just above: its objection window is known
                raise ApplicationError("the round was announced without an objection window")
            self._at(add_working_days(closes, 2), lambda d: sign(d, approved))

        def sign(day: date, approved: list[tuple[UUID, Person, UUID]]) -> None:
            mutation_round = held[0]
            decreed = []
            for number, (proposal_id, person, target_id) in enumerate(approved, start=1):
                decree = Decree(f"821.2/{number:03d}/{title}", day, max(tmt, day), officials.ppk.official)
                try:
                    mutation_round.issue_decree(proposal_id, decree, *parties(person, target_id), policy, day)
                except DomainError:  # a rule newly fails on the TMT: no decree
                    continue
                decreed.append((proposal_id, person, target_id))
                acts["decree"] += 1
            self.app.save_batch(officials.ppk, [mutation_round])
            self._at(max(tmt, day), lambda d: execute(d, decreed))

        def execute(day: date, decreed: list[tuple[UUID, Person, UUID]]) -> None:
            mutation_round = held[0]
            executed, changed = [], {}
            for proposal_id, person, target_id in decreed:
                employee, origin, target = parties(person, target_id)
                try:
                    execute_transfer(
                        mutation_round, proposal_id, employee, origin, target, day, officials.operator.official, policy
                    )
                except DomainError:  # the decree no longer holds
                    continue
                changed.update({a.id: a for a in (employee, origin, target)})
                self.seats[origin.id].holders -= 1
                self.seats[target_id].holders += 1
                person.position_id, person.since = target_id, day
                executed.append((proposal_id, person))
                acts["transfer"] += 1
            self.app.save_batch(officials.operator, [mutation_round, *changed.values()])
            self._at(day + timedelta(days=14), close)
            for months in (3, 6):
                self._at(add_months(day, months), partial(evaluate, executed=executed, months=months))

        def close(day: date) -> None:
            try:
                held[0].close(officials.operator.official, day)
            except DomainError:  # a decree that no longer held awaits execution: the round stays open
                return
            self.app.save_batch(officials.operator, [held[0]])
            acts["closed"] += 1

        def evaluate(day: date, executed: list[tuple[UUID, Person]], months: int) -> None:
            mutation_round, changed = held[0], []
            for proposal_id, person in executed:
                if not person.active:
                    continue
                employee = self._get(person.id)
                after = self.rng.choices((Predikat.SANGAT_BAIK, Predikat.BAIK, Predikat.BUTUH_PERBAIKAN), (2, 7, 1))[0]
                findings = EvaluationFindings(
                    months,
                    day,
                    after,
                    Expectation.AS_EXPECTED,
                    Expectation.AS_EXPECTED,
                    f"evaluation {months} months after",
                )
                try:
                    evaluate_transfer(
                        mutation_round, proposal_id, employee, findings, officials.operator.official, day, policy
                    )
                except CorrectiveActionRequired:  # performance dropped: the evaluation names an action
                    evaluate_transfer(
                        mutation_round,
                        proposal_id,
                        employee,
                        replace(findings, corrective_action="mentoring by the unit head"),
                        officials.operator.official,
                        day,
                        policy,
                    )
                changed.append(employee)
                acts["evaluation"] += 1
            self.app.save_batch(officials.operator, [mutation_round, *changed])

        return open_and_propose

    def _candidates(self, agency: str, tmt: date) -> Iterator[tuple[Person, Seat]]:
        """About 1 % of the agency's employees with two years in post by the TMT, each with a
        vacancy of the same kind (type and rank range) elsewhere; a JPT official is never moved."""
        people = [
            p
            for p in self.people[agency]
            if p.active and p.since <= add_years(tmt, -2) and p.retires_on > add_months(tmt, 6)
        ]
        by_kind: dict[tuple[str, str, str], list[Seat]] = defaultdict(list)
        for seat in self.seats.values():
            if seat.agency == agency:
                by_kind[seat.kind].append(seat)
        promised: Counter[UUID] = Counter()
        wanted = max(1, round(MOVED_PER_ROUND * sum(p.active for p in self.people[agency])))
        for person in self.rng.sample(people, min(len(people), wanted * 3)):
            if wanted == 0:
                return
            seat = self.seats[person.position_id]
            if seat.kind[0].startswith("jpt"):
                continue
            free = [s for s in by_kind[seat.kind] if s.id != seat.id and s.holders + promised[s.id] < s.formasi]
            if free:
                target = self.rng.choice(free)
                promised[target.id] += 1
                wanted -= 1
                yield person, target

    def _at(self, day: date, step: Callable[[date], None]) -> None:
        """Schedule a round's next step (a step on or after `as_of` never happens)."""
        if day < self.end:
            self.round_steps[day].append(step)

    # -- aggregates: a bounded cache of what the writer holds, refreshed after a use case ----------

    def _get(self, aggregate_id: UUID) -> Any:
        aggregate = self.pending.get(aggregate_id) or self.cache.get(aggregate_id)
        if aggregate is None:
            aggregate = self.app.repository.get(aggregate_id)
            self._remember(aggregate)
        else:
            self.cache.move_to_end(aggregate_id)
        return aggregate

    def _remember(self, aggregate: Aggregate) -> None:
        self.cache[aggregate.id] = aggregate
        if len(self.cache) > CACHE:
            self.cache.popitem(last=False)

    def _save(self, aggregates: list[Aggregate]) -> None:
        pending = [a for a in aggregates if a.pending_events]
        if pending:
            self.app.save_batch(SYSTEM, pending)
        for aggregate in aggregates:
            self._remember(aggregate)


def _retires_on(born: date) -> date:
    """The first day of the month after the pension-age birthday."""
    birthday = add_years(born, PENSION_AGE)
    return add_months(birthday.replace(day=1), 1)


def _working_days(first: date, last: date) -> list[date]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if is_working_day(day)]
