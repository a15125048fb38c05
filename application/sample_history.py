"""The sample agency's past round, written through the application with its clock on each act's day.

`mutasi demo` walks today's round over HTTP, where the service's clock is today: it can announce, but no
decree may be signed before the objection window has passed, so today's round has no SK yet. So that a
newcomer can also print an SK, the demo first leaves a completed round of some weeks ago, as
`application.roster.history` writes years of history: the use cases, by officials serving the agency,
the application's clock set to the day of each act (`PastTimeline`):

opened and proposed -> recommended and decided (2 working days later) -> announced (the next working
day) -> the objection window (`RulePolicy.objection_window_working_days`) -> the decrees signed the
working day after it -> executed on their TMT (the 1st of a month 2 to 6 weeks back) -> closed.

Candidates are the best competency match for vacancies with a free seat whom every rule lets move on
each of those days (the check is the use case's own, `check_eligibility`). The round is opened under an
idempotency key: run again, the demo finds it and only finishes what an interrupted run left undone,
on the days its TMT gives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from application.context import Actor
from application.idempotency import CommandCall, KeyedRequest, calling
from application.sample import AGENCY, SampleRegister
from application.service import MutasiApplication
from domain.calendar import add_working_days
from domain.competency import job_person_match
from domain.employee import Employee
from domain.mutation_round import RoundStatus
from domain.position import Position
from domain.proposal import ProposalStatus
from domain.vocabulary import TransferKind

OPERATOR = Actor("demo-operator", agencies=(AGENCY,))
COMMITTEE = Actor("ketua-tpk", agencies=(AGENCY,))
PPK = Actor("walikota-pariaman", agencies=(AGENCY,))
KEY = "demo-past-round-{seed}"
"""The idempotency key the past round is opened under (by OPERATOR): one past round per seed."""
VACANCIES = 3


class Clock:
    """The application's settable clock: the day of the act being written."""

    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@dataclass(frozen=True)
class PastTimeline:
    """The days of the past round's acts, all given by its TMT."""

    tmt: date
    opened_on: date
    decided_on: date
    announced_on: date
    window_closes_on: date
    signed_on: date

    @classmethod
    def ending(cls, tmt: date, objection_days: int) -> PastTimeline:
        """The acts leading to a TMT: opened four weeks before it (its first working day on or after)."""
        opened = add_working_days(tmt - timedelta(days=29), 1)
        decided = add_working_days(opened, 2)
        announced = add_working_days(decided, 1)
        closes = add_working_days(announced, objection_days)
        return cls(tmt, opened, decided, announced, closes, add_working_days(closes, 1))

    @classmethod
    def before(cls, today: date, objection_days: int) -> PastTimeline:
        """A round whose TMT is the 1st of the month two weeks or more before `today` (2 to 6 weeks)."""
        return cls.ending((today - timedelta(days=14)).replace(day=1), objection_days)


@dataclass(frozen=True)
class PastRound:
    """The past round as the demo finds it: its id, days, decreed transfers, and whether this run wrote it."""

    round_id: UUID
    timeline: PastTimeline
    decreed: int
    written: bool


def write_past_round(app: MutasiApplication, loaded: SampleRegister, seed: int = 2026) -> PastRound:
    """The sample agency's completed past round (module docstring), written unless already there;
    `app.today` is the application's clock, moved to each act's day and given back after."""
    real_today = app.today
    days = app.policy.objection_window_working_days
    key = KEY.format(seed=seed)
    answered = app.answered(OPERATOR.user, key)
    try:
        if answered is None:
            timeline = PastTimeline.before(real_today(), days)
            app.today = clock = Clock(timeline.opened_on)
            with calling(CommandCall(KeyedRequest(OPERATOR.user, key, key))):
                round_id = app.open_round(
                    OPERATOR,
                    AGENCY,
                    TransferKind.WITHIN_AGENCY,
                    f"Mutasi TMT {timeline.tmt:%d-%m-%Y}",
                    timeline.opened_on - timedelta(days=30),
                    timeline.tmt + timedelta(days=60),
                    timeline.tmt,
                ).aggregate_id
        else:
            round_id = answered.answer.aggregate_id
            tmt = app.get_round(round_id).planned_effective_on
            timeline = PastTimeline.ending(tmt, days)
            app.today = clock = Clock(timeline.opened_on)
        _finish(app, clock, round_id, loaded, timeline)
    finally:
        app.today = real_today
    decreed = sum(p.decree is not None for p in app.get_round(round_id).proposals.values())
    return PastRound(round_id, timeline, decreed, answered is None)


def _finish(app: MutasiApplication, clock: Clock, round_id: UUID, loaded: SampleRegister, days: PastTimeline) -> None:
    """Each step not done yet, on its day."""
    if not app.get_round(round_id).proposals:
        for employee_id, target_id in list(_candidates(app, clock, round_id, loaded, days)):
            clock.day = days.opened_on
            app.propose(OPERATOR, round_id, employee_id, target_id, "best competency match for a vacancy")
    clock.day = days.decided_on
    for proposal in list(app.get_round(round_id).proposals.values()):
        if proposal.status.is_open and proposal.recommendation is None:
            app.recommend(COMMITTEE, round_id, proposal.proposal_id, True, "meets the standard; recommended")
        if proposal.status.is_open:
            app.decide(PPK, round_id, proposal.proposal_id, True, "approved on the committee's recommendation")
    mutation_round = app.get_round(round_id)
    if mutation_round.status is RoundStatus.OPEN:
        if not mutation_round.proposals:  # no candidate: nothing to announce
            clock.day = days.tmt
            app.close_round(PPK, round_id, days.tmt)
            return
        clock.day = days.announced_on
        app.announce(PPK, round_id, days.announced_on)
    clock.day = days.signed_on
    approved = sorted(
        (p for p in app.get_round(round_id).proposals.values() if p.status is ProposalStatus.APPROVED),
        key=lambda p: str(p.proposal_id),
    )
    for proposal in approved:
        number = f"800.1.6.4/{_ordinal(app, round_id, proposal.proposal_id):03d}/BKPSDM/{days.signed_on.year}"
        app.issue_decree(PPK, round_id, proposal.proposal_id, number, days.signed_on, days.tmt)
    clock.day = days.tmt
    for proposal in list(app.get_round(round_id).proposals.values()):
        if proposal.status is ProposalStatus.DECREED:
            app.execute_transfer(OPERATOR, round_id, proposal.proposal_id)
    if app.get_round(round_id).status is not RoundStatus.CLOSED:
        app.close_round(PPK, round_id, days.tmt)


def _ordinal(app: MutasiApplication, round_id: UUID, proposal_id: UUID) -> int:
    """The proposal's place in the round (1-based, in the order proposed): its decree's sequence."""
    return list(app.get_round(round_id).proposals).index(proposal_id) + 1


def _jpm(employee: Employee, target: Position) -> Decimal:
    latest = employee.latest_assessment
    return job_person_match(latest.scores if latest else {}, target.standard)


def _candidates(
    app: MutasiApplication, clock: Clock, round_id: UUID, loaded: SampleRegister, days: PastTimeline
) -> Iterator[tuple[UUID, UUID]]:
    """For the vacancies with the most free seats, the best-matching employee (JPM, then NIP) whom
    every rule lets move on the days of the proposal, the decision, the decree and its TMT."""
    positions = [app.get_position(p) for ids in loaded.positions.values() for p in ids]
    vacancies = sorted(
        (p for p in positions if p.free_seats > 0 and not p.position_type.value.startswith("jpt_")),
        key=lambda p: (-p.free_seats, p.unit, p.title),
    )[:VACANCIES]
    employees = [app.get_employee(e) for e in loaded.employees]
    chosen: set[UUID] = set()
    for target in vacancies:
        ranked = sorted(
            (e for e in employees if e.position_id not in (None, target.id) and e.id not in chosen),
            key=lambda e: (_jpm(e, target), e.nip),
            reverse=True,
        )
        for employee in ranked:
            if _eligible_throughout(app, clock, round_id, employee.id, target.id, days):
                chosen.add(employee.id)
                yield employee.id, target.id
                break


def _eligible_throughout(
    app: MutasiApplication, clock: Clock, round_id: UUID, employee_id: UUID, target_id: UUID, days: PastTimeline
) -> bool:
    for day in (days.opened_on, days.decided_on, days.signed_on, days.tmt):
        clock.day = day
        if not app.check_eligibility(OPERATOR, round_id, employee_id, target_id).passed:
            return False
    return True
