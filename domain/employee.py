"""The Employee aggregate: a civil servant's register entry, identified by NIP."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.competency import validate_levels
from domain.errors import IllegalTransition, InvalidValue
from domain.nip import Nip
from domain.performance import predikat
from domain.values import require_int, require_text
from domain.vocabulary import (
    DevelopmentActivity,
    Expectation,
    Potential,
    Predikat,
    Rank,
    SanctionLevel,
)


class EmployeeRetired(IllegalTransition):
    """The employee has retired; the register no longer changes for them."""

    code = "employee-retired"


class PlacementError(IllegalTransition):
    """A placement or transfer does not fit where the employee is now."""

    code = "placement-error"


@dataclass(frozen=True)
class Assessment:
    """A competency assessment: levels 1-5 per competency, potential, who, how and when."""

    scores: dict[str, int]
    potential: Potential
    assessor: str
    method: str
    assessed_on: date


@dataclass(frozen=True)
class Rating:
    """One year's SKP rating."""

    year: int
    results: Expectation
    behaviour: Expectation
    predikat: Predikat


@dataclass(frozen=True)
class Sanction:
    """A disciplinary sanction with its period and decree reference."""

    level: SanctionLevel
    imposed_on: date
    ends_on: date
    reference: str


@dataclass(frozen=True)
class Placement:
    """One stretch in one position: `until` is None while it lasts."""

    position_id: UUID
    since: date
    decree_number: str
    round_id: UUID | None = None
    until: date | None = None


@dataclass
class DevelopmentPlan:
    """A development activity planned from a competency gap, tracked to completion."""

    plan_id: UUID
    activity: DevelopmentActivity
    title: str
    competency: str | None
    jp_hours: int
    due_on: date
    completed_on: date | None = None
    jp_hours_done: int = 0


@dataclass(frozen=True)
class PostTransferEvaluation:
    """How the employee did in the new post, some months after a transfer."""

    round_id: UUID
    proposal_id: UUID
    months_after: int
    evaluated_on: date
    performance_before: Predikat | None
    performance_after: Predikat
    adaptation: Expectation
    service_quality: Expectation
    notes: str
    corrective_action: str | None


class Employee(Aggregate):
    """A civil servant. Its id is derived from the NIP, so a NIP registers once only."""

    if TYPE_CHECKING:  # made at runtime by @event; declared for the type checker only (never executed:
        # the Aggregate metaclass would turn class-level annotations into __init__ fields)
        RankChanged: ClassVar[type[Aggregate.Event]]
        CompetencyAssessed: ClassVar[type[Aggregate.Event]]
        PerformanceRated: ClassVar[type[Aggregate.Event]]
        SanctionRecorded: ClassVar[type[Aggregate.Event]]
        DisciplinaryCaseOpened: ClassVar[type[Aggregate.Event]]
        DisciplinaryCaseClosed: ClassVar[type[Aggregate.Event]]
        Placed: ClassVar[type[Aggregate.Event]]
        Transferred: ClassVar[type[Aggregate.Event]]
        TransferEvaluated: ClassVar[type[Aggregate.Event]]
        DevelopmentPlanned: ClassVar[type[Aggregate.Event]]
        DevelopmentCompleted: ClassVar[type[Aggregate.Event]]
        Retired: ClassVar[type[Aggregate.Event]]

    @staticmethod
    def create_id(nip: str) -> UUID:
        """The employee id for a NIP (uuid5): the same NIP always gives the same id."""
        return uuid5(NAMESPACE_URL, f"mutasi:employee:{nip}")

    @classmethod
    def register(cls, nip: str, name: str, rank: Rank, agency: str | None = None) -> Employee:
        """Register a civil servant after validating the NIP, name and rank, for the agency that
        registers them (None: no agency named; the employee belongs to the agency of the position
        they are placed in)."""
        parsed = Nip.parse(nip)
        return cls(
            nip=parsed.value,
            name=require_text(name, "name"),
            rank=Rank(rank),
            agency=None if agency is None else require_text(agency, "agency"),
        )

    class Registered(Aggregate.Created):
        """A civil servant entered the register. Version 2 adds `agency` (the registering agency)."""

        nip: str
        name: str
        rank: Rank
        agency: str | None
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Events recorded before agencies were named: no registering agency."""
            state["agency"] = None

    @event("Registered")
    def __init__(self, nip: str, name: str, rank: Rank, agency: str | None = None) -> None:
        self.nip = nip
        self.name = name
        self.rank = rank
        self.agency = agency  # who registered them (None before agencies were named); see application.authority
        self.assessments: list[Assessment] = []
        self.ratings: dict[int, Rating] = {}
        self.sanctions: list[Sanction] = []
        self.open_cases: dict[str, date] = {}
        self.placements: list[Placement] = []
        self.evaluations: list[PostTransferEvaluation] = []
        self.development: dict[UUID, DevelopmentPlan] = {}
        self.retired_on: date | None = None

    # -- reading -----------------------------------------------------------------

    @property
    def birth_date(self) -> date:
        """Birth date, taken from the NIP."""
        return Nip.parse(self.nip).birth_date

    @property
    def placement(self) -> Placement | None:
        """The current placement, if the employee holds a position."""
        if self.placements and self.placements[-1].until is None:
            return self.placements[-1]
        return None

    @property
    def position_id(self) -> UUID | None:
        """The position held now, if any."""
        return self.placement.position_id if self.placement else None

    @property
    def latest_assessment(self) -> Assessment | None:
        """The most recent competency assessment (by assessment date)."""
        return max(self.assessments, key=lambda a: a.assessed_on, default=None)

    def rating_for(self, year: int) -> Rating | None:
        """The SKP rating of a year, if recorded."""
        return self.ratings.get(year)

    def latest_rating(self, before: date | None = None) -> Rating | None:
        """The latest SKP rating, optionally of a year before `before`."""
        years = [y for y in self.ratings if before is None or y < before.year]
        return self.ratings[max(years)] if years else None

    def jp_hours_in(self, year: int) -> int:
        """Development hours (JP) completed in a calendar year."""
        return sum(
            p.jp_hours_done
            for p in self.development.values()
            if p.completed_on is not None and p.completed_on.year == year
        )

    # -- guards ------------------------------------------------------------------

    def check_active(self) -> None:
        """Refuse changes after retirement."""
        if self.retired_on is not None:
            raise EmployeeRetired(f"employee {self.nip} retired on {self.retired_on}")

    # -- commands ----------------------------------------------------------------

    def change_rank(self, rank: Rank, effective_on: date, reference: str) -> None:
        """Record a rank change (kenaikan pangkat)."""
        self.check_active()
        self._rank_changed(Rank(rank), effective_on, require_text(reference, "decree reference"))

    @event("RankChanged")
    def _rank_changed(self, rank: Rank, effective_on: date, reference: str) -> None:
        self.rank = rank

    def assess_competency(
        self,
        scores: dict[str, int],
        potential: Potential,
        assessor: str,
        method: str,
        assessed_on: date,
    ) -> None:
        """Record a competency assessment (levels 1-5) with potential, assessor, method, date."""
        self.check_active()
        self._assessed(
            Assessment(
                validate_levels(scores, "assessment"),
                Potential(potential),
                require_text(assessor, "assessor"),
                require_text(method, "method"),
                assessed_on,
            )
        )

    @event("CompetencyAssessed")
    def _assessed(self, assessment: Assessment) -> None:
        self.assessments.append(assessment)

    def rate_performance(self, year: int, results: Expectation, behaviour: Expectation) -> Predikat:
        """Record a year's SKP rating; the predikat follows from the 6/2022 matrix."""
        self.check_active()
        require_int(year, 1970, 2200, "SKP year")
        rating = predikat(results, behaviour)
        self._rated(Rating(year, Expectation(results), Expectation(behaviour), rating))
        return rating

    @event("PerformanceRated")
    def _rated(self, rating: Rating) -> None:
        self.ratings[rating.year] = rating

    def record_sanction(self, level: SanctionLevel, imposed_on: date, ends_on: date, reference: str) -> None:
        """Record a disciplinary sanction with its period and decree reference."""
        self.check_active()
        if ends_on < imposed_on:
            raise InvalidValue("a sanction cannot end before it is imposed")
        self._sanctioned(Sanction(SanctionLevel(level), imposed_on, ends_on, require_text(reference, "reference")))

    @event("SanctionRecorded")
    def _sanctioned(self, sanction: Sanction) -> None:
        self.sanctions.append(sanction)

    def open_disciplinary_case(self, reference: str, opened_on: date) -> None:
        """Record that a disciplinary case is pending."""
        self.check_active()
        reference = require_text(reference, "case reference")
        if reference in self.open_cases:
            raise IllegalTransition(f"disciplinary case {reference} is already open")
        self._case_opened(reference, opened_on)

    @event("DisciplinaryCaseOpened")
    def _case_opened(self, reference: str, opened_on: date) -> None:
        self.open_cases[reference] = opened_on

    def close_disciplinary_case(self, reference: str, closed_on: date, outcome: str) -> None:
        """Close a pending disciplinary case (a sanction, if any, is recorded separately)."""
        if reference not in self.open_cases:
            raise IllegalTransition(f"no open disciplinary case {reference}")
        if closed_on < self.open_cases[reference]:
            raise InvalidValue("a case cannot close before it opened")
        self._case_closed(reference, closed_on, require_text(outcome, "outcome"))

    @event("DisciplinaryCaseClosed")
    def _case_closed(self, reference: str, closed_on: date, outcome: str) -> None:
        del self.open_cases[reference]

    def place(self, position_id: UUID, effective_on: date, decree_number: str) -> None:
        """Place the employee in a first position (or again after none)."""
        self.check_active()
        if self.placement is not None:
            raise PlacementError(f"employee {self.nip} already holds a position; transfer instead")
        self._placed(position_id, effective_on, require_text(decree_number, "decree number"))

    @event("Placed")
    def _placed(self, position_id: UUID, effective_on: date, decree_number: str) -> None:
        self.placements.append(Placement(position_id, effective_on, decree_number))

    def transfer(
        self,
        from_position_id: UUID,
        to_position_id: UUID,
        decree_number: str,
        effective_on: date,
        round_id: UUID,
    ) -> None:
        """Move the employee from the position held now to another, by decree."""
        self.check_transfer(from_position_id, to_position_id, effective_on)
        self._transferred(
            from_position_id,
            to_position_id,
            require_text(decree_number, "decree number"),
            effective_on,
            round_id,
        )

    def check_transfer(self, from_position_id: UUID, to_position_id: UUID, effective_on: date) -> None:
        """Refuse unless the employee, active, holds `from_position_id` since no later than
        `effective_on` and `to_position_id` is another position."""
        self.check_active()
        current = self.placement
        if current is None or current.position_id != from_position_id:
            raise PlacementError(f"employee {self.nip} does not hold position {from_position_id}")
        if to_position_id == from_position_id:
            raise PlacementError("a transfer must lead to another position")
        if effective_on < current.since:
            raise PlacementError(f"effective date {effective_on} is before the current placement ({current.since})")

    @event("Transferred")
    def _transferred(
        self,
        from_position_id: UUID,
        to_position_id: UUID,
        decree_number: str,
        effective_on: date,
        round_id: UUID,
    ) -> None:
        last = self.placements[-1]
        self.placements[-1] = Placement(last.position_id, last.since, last.decree_number, last.round_id, effective_on)
        self.placements.append(Placement(to_position_id, effective_on, decree_number, round_id))

    def record_evaluation(self, evaluation: PostTransferEvaluation) -> None:
        """Record a post-transfer evaluation of this employee."""
        self._evaluated(evaluation)

    @event("TransferEvaluated")
    def _evaluated(self, evaluation: PostTransferEvaluation) -> None:
        self.evaluations.append(evaluation)

    def plan_development(
        self,
        plan_id: UUID,
        activity: DevelopmentActivity,
        title: str,
        competency: str | None,
        jp_hours: int,
        due_on: date,
    ) -> None:
        """Plan a development activity (training, mentoring...) with its JP hours."""
        self.check_active()
        if plan_id in self.development:
            raise IllegalTransition(f"development plan {plan_id} already exists")
        self._development_planned(
            plan_id,
            DevelopmentActivity(activity),
            require_text(title, "title"),
            competency,
            require_int(jp_hours, 1, 1000, "JP hours"),
            due_on,
        )

    @event("DevelopmentPlanned")
    def _development_planned(
        self,
        plan_id: UUID,
        activity: DevelopmentActivity,
        title: str,
        competency: str | None,
        jp_hours: int,
        due_on: date,
    ) -> None:
        self.development[plan_id] = DevelopmentPlan(plan_id, activity, title, competency, jp_hours, due_on)

    def complete_development(self, plan_id: UUID, completed_on: date, jp_hours: int) -> None:
        """Record that a planned activity was completed, with the JP hours actually done."""
        plan = self.development.get(plan_id)
        if plan is None:
            raise IllegalTransition(f"no development plan {plan_id}")
        if plan.completed_on is not None:
            raise IllegalTransition(f"development plan {plan_id} is already completed")
        self._development_completed(plan_id, completed_on, require_int(jp_hours, 0, 1000, "JP hours"))

    @event("DevelopmentCompleted")
    def _development_completed(self, plan_id: UUID, completed_on: date, jp_hours: int) -> None:
        plan = self.development[plan_id]
        plan.completed_on = completed_on
        plan.jp_hours_done = jp_hours

    def retire(self, retired_on: date, reason: str) -> None:
        """Record retirement (pensiun); the employee leaves any position held."""
        self.check_active()
        self._retired(retired_on, require_text(reason, "reason"))

    @event("Retired")
    def _retired(self, retired_on: date, reason: str) -> None:
        self.retired_on = retired_on
        if self.placement is not None:
            last = self.placements[-1]
            self.placements[-1] = Placement(last.position_id, last.since, last.decree_number, last.round_id, retired_on)
