"""The MutationRound aggregate: one round of transfers from opening to evaluation."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.authority import check_acts_for, check_may_decide
from domain.calendar import add_months, add_working_days, add_years
from domain.eligibility import (
    EligibilityCase,
    EligibilityReport,
    FreezeWindow,
    RuleOutcome,
    assess_eligibility,
    match_for,
)
from domain.eligibility.conflict import Act, conflict_of_interest
from domain.employee import Employee
from domain.errors import ConflictOfInterest, DomainError, IllegalTransition, InvalidValue, RuleViolation
from domain.objection import (
    HumanReview,
    HumanReviewRequired,
    NotTheEmployeeConcerned,
    Objection,
    ObjectionAlreadyAnswered,
    ObjectionAnswer,
    ObjectionGrounds,
    ObjectionNotFound,
    ObjectionPending,
    ObjectionWindowClosed,
    ObjectionWindowOpen,
)
from domain.official import Official
from domain.plan_options import PlanReference
from domain.policy import RulePolicy
from domain.position import Position
from domain.proposal import (
    Consent,
    Decision,
    Decree,
    EvaluationFindings,
    Override,
    Proposal,
    ProposalStatus,
    Recommendation,
    TechnicalReview,
)
from domain.values import require_int, require_text
from domain.vocabulary import ConsentParty, Predikat, TransferKind


class RoundStatus(str, Enum):
    """Where a round stands: open for proposals and decisions, announced, or closed."""

    OPEN = "open"
    ANNOUNCED = "announced"
    CLOSED = "closed"


class ProposalNotFound(DomainError):
    """The round has no proposal with that id."""

    code = "proposal-not-found"


class EmployeeNipUnknown(IllegalTransition):
    """A proposal recorded before its employee's NIP was kept (`Proposed` version 1), whose NIP the
    round has not noted yet (`note_employee_nips`): rule 9 cannot be judged, so no act on it is taken."""

    code = "employee-nip-unknown"


class RoundNotOpen(IllegalTransition):
    """The round no longer takes proposals or decisions (announced or closed)."""

    code = "round-not-open"


class ProposalNotOpen(IllegalTransition):
    """The proposal was already decided or withdrawn."""

    code = "proposal-not-open"


class DecreeMissing(IllegalTransition):
    """A transfer cannot be executed before its decree (SK) is issued."""

    code = "decree-missing"


class TransferNotExecuted(IllegalTransition):
    """A transfer cannot be evaluated before it has been executed."""

    code = "transfer-not-executed"


class PaperworkMissing(RuleViolation):
    """A decision lacks its required committee recommendation, consents or technical review."""

    code = "paperwork-missing"


class OverrideRequired(RuleViolation):
    """Approving a proposal whose rules failed needs an override for each failed rule."""

    code = "override-required"


class DecreeNoLongerHolds(RuleViolation):
    """At execution, a rule that held when the decree was signed fails now (seat taken, position
    abolished, employee sanctioned...) and was not overridden."""

    code = "decree-no-longer-holds"


DECREE_DATES = "decree_dates"
"""The decree's own dates as an overridable outcome: a TMT before the signing or outside the period."""


class CorrectiveActionRequired(RuleViolation):
    """Performance dropped after the transfer: the evaluation must name a corrective action."""

    code = "corrective-action-required"


def _refuse_conflict(outcome: RuleOutcome) -> None:
    """Rule 9's verdict as a guard: `ConflictOfInterest` when it failed."""
    if not outcome.passed:
        raise ConflictOfInterest(outcome.explanation, (outcome.rule,))


class MutationRound(Aggregate):
    """A round of transfers of one agency, of one kind, with its freeze windows and proposals."""

    if TYPE_CHECKING:  # made at runtime by @event; declared for the type checker only (never executed:
        # the Aggregate metaclass would turn class-level annotations into __init__ fields)
        ProposalWithdrawn: ClassVar[type[Aggregate.Event]]
        EmployeeNipsNoted: ClassVar[type[Aggregate.Event]]
        ConsentRecorded: ClassVar[type[Aggregate.Event]]
        TechnicalReviewRecorded: ClassVar[type[Aggregate.Event]]
        Recommended: ClassVar[type[Aggregate.Event]]
        Announced: ClassVar[type[Aggregate.Event]]
        ObjectionFiled: ClassVar[type[Aggregate.Event]]
        ObjectionAnswered: ClassVar[type[Aggregate.Event]]
        DecisionReopened: ClassVar[type[Aggregate.Event]]
        TransferExecuted: ClassVar[type[Aggregate.Event]]
        TransferEvaluated: ClassVar[type[Aggregate.Event]]
        Closed: ClassVar[type[Aggregate.Event]]

    @classmethod
    def open(
        cls,
        agency: str,
        kind: TransferKind,
        title: str,
        period_starts_on: date,
        period_ends_on: date,
        planned_effective_on: date,
        freeze_windows: tuple[FreezeWindow, ...],
        opened_by: Official,
        non_working_days: tuple[date, ...] = (),
    ) -> MutationRound:
        """Open a round after checking its period. `non_working_days` are the agency's holidays
        (weekends never count), for the working days of the objection window."""
        if period_ends_on < period_starts_on:
            raise InvalidValue("the round's period ends before it starts")
        if planned_effective_on < period_starts_on:
            raise InvalidValue("the planned effective date lies before the round's period")
        check_acts_for(opened_by, agency, "its rounds")
        return cls(
            agency=require_text(agency, "agency"),
            kind=TransferKind(kind),
            title=require_text(title, "title"),
            period_starts_on=period_starts_on,
            period_ends_on=period_ends_on,
            planned_effective_on=planned_effective_on,
            freeze_windows=tuple(freeze_windows),
            opened_by=opened_by,
            non_working_days=tuple(sorted(set(non_working_days))),
        )

    class Opened(Aggregate.Created):
        """A round was opened. Version 2 added the agency's non-working days."""

        agency: str
        kind: TransferKind
        title: str
        period_starts_on: date
        period_ends_on: date
        planned_effective_on: date
        freeze_windows: tuple[FreezeWindow, ...]
        opened_by: Official
        non_working_days: tuple[date, ...]
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["non_working_days"] = []  # before version 2 only weekends were known

    @event("Opened")
    def __init__(
        self,
        agency: str,
        kind: TransferKind,
        title: str,
        period_starts_on: date,
        period_ends_on: date,
        planned_effective_on: date,
        freeze_windows: tuple[FreezeWindow, ...],
        opened_by: Official,
        non_working_days: tuple[date, ...] = (),
    ) -> None:
        self.agency = agency
        self.kind = kind
        self.title = title
        self.period_starts_on = period_starts_on
        self.period_ends_on = period_ends_on
        self.planned_effective_on = planned_effective_on
        self.freeze_windows = freeze_windows
        self.opened_by = opened_by
        self.status = RoundStatus.OPEN
        self.proposals: dict[UUID, Proposal] = {}
        self.announced_on: date | None = None
        self.closed_on: date | None = None
        self.non_working_days = tuple(non_working_days)
        self.objections: dict[UUID, Objection] = {}
        self.earlier_decisions: dict[UUID, list[Decision]] = {}
        """Decisions an upheld objection reopened, per proposal, oldest first."""

    # -- reading -----------------------------------------------------------------

    def proposal(self, proposal_id: UUID) -> Proposal:
        """The proposal with that id, or `ProposalNotFound`."""
        try:
            return self.proposals[proposal_id]
        except KeyError:
            raise ProposalNotFound(f"round {self.id} has no proposal {proposal_id}") from None

    @staticmethod
    def employee_nip(proposal: Proposal) -> str:
        """The NIP of the proposal's employee, against which each act on it judges rule 9; for a
        proposal recorded without it whose NIP is not noted yet, `EmployeeNipUnknown`."""
        if proposal.employee_nip is None:
            raise EmployeeNipUnknown(
                f"proposal {proposal.proposal_id} was recorded before its employee's NIP was kept, and the "
                "round has not noted it yet: rule 9 cannot be judged on it"
            )
        return proposal.employee_nip

    def proposals_without_nip(self) -> tuple[Proposal, ...]:
        """The proposals recorded before the employee's NIP was kept (`Proposed` version 1) whose NIP
        is not noted yet: what `note_employee_nips` takes, before any act on them."""
        return tuple(p for p in self.proposals.values() if p.employee_nip is None)

    def seats_promised(self, position_id: UUID, besides: UUID | None = None) -> int:
        """Approved, not yet executed proposals of this round into `position_id` (except one)."""
        return sum(
            1
            for p in self.proposals.values()
            if p.target_position_id == position_id and p.status.holds_a_seat and p.proposal_id != besides
        )

    def seats_freed(self, position_id: UUID, besides: UUID | None = None) -> int:
        """Holders of `position_id` approved (not yet executed) to move elsewhere in this round."""
        return sum(
            1
            for p in self.proposals.values()
            if p.from_position_id == position_id and p.status.holds_a_seat and p.proposal_id != besides
        )

    def eligibility(
        self,
        employee: Employee,
        current: Position | None,
        target: Position,
        actor: Official,
        policy: RulePolicy,
        proposal_id: UUID | None = None,
        act: Act | None = None,
        today: date | None = None,
    ) -> EligibilityReport:
        """Every rule for moving `employee` to `target` in this round on the planned date, with rule 9
        judged for `actor` doing `act` (default: proposing it, or deciding the proposal named).
        The same judgement as the act's own guard, so the answer and the act always agree."""
        check_acts_for(actor, self.agency, "this round")
        proposal = self.proposal(proposal_id) if proposal_id is not None else None
        act = act or (Act.DECIDE if proposal else Act.PROPOSE)
        return assess_eligibility(
            self._case(employee, current, target, actor, policy, proposal_id, act=act, proposal=proposal, today=today)
        )

    def _case(
        self,
        employee: Employee,
        current: Position | None,
        target: Position,
        actor: Official,
        policy: RulePolicy,
        besides: UUID | None,
        *,
        act: Act,
        proposal: Proposal | None = None,
        on: date | None = None,
        today: date | None = None,
    ) -> EligibilityCase:
        # at execution a seat is judged as it physically is: other approvals promise, they do not sit
        promised = 0 if act is Act.EXECUTE else self.seats_promised(target.id, besides)
        return EligibilityCase(
            employee=employee,
            current_position=current,
            target=target,
            kind=self.kind,
            effective_on=on or self.planned_effective_on,
            actor=actor,
            policy=policy,
            freeze_windows=self.freeze_windows,
            seats_promised=promised,
            seats_freed=self.seats_freed(target.id, besides),
            act=act,
            proposed_by=proposal.proposed_by if proposal else None,
            contested=self.contested(proposal) if proposal else (),
            judged_on=today,
        )

    @staticmethod
    def contested(proposal: Proposal) -> tuple[Official, ...]:
        """Whose acts an objection to this proposal contests: who proposed, recommended and decided it."""
        return tuple(
            o
            for o in (
                proposal.proposed_by,
                proposal.recommendation.by if proposal.recommendation else None,
                proposal.decision.decided_by if proposal.decision else None,
            )
            if o
        )

    # -- guards ------------------------------------------------------------------

    def check_open(self) -> None:
        """Refuse proposals and decisions once the round is announced or closed."""
        if self.status is not RoundStatus.OPEN:
            raise RoundNotOpen(f"round {self.title!r} is {self.status.value}")

    def check_not_closed(self) -> None:
        """Refuse anything but evaluations once the round is closed."""
        if self.status is RoundStatus.CLOSED:
            raise RoundNotOpen(f"round {self.title!r} is closed")

    def check_undecided(self, proposal: Proposal) -> None:
        """Refuse a second decision, or a decision on a withdrawn proposal."""
        if not proposal.status.is_open:
            raise ProposalNotOpen(f"proposal {proposal.proposal_id} is {proposal.status.value}")

    def check_decidable(self, proposal: Proposal) -> None:
        """A decision is taken while the round is open, or, once announced, on a proposal whose
        decision an upheld objection reopened."""
        if not (self.status is RoundStatus.ANNOUNCED and proposal.status is ProposalStatus.REOPENED):
            self.check_open()
        self.check_undecided(proposal)

    @staticmethod
    def check_no_conflict(act: Act, actor: Official, proposal: Proposal) -> None:
        """Rule 9 as a guard: refuse `actor` doing `act` on the proposal's transfer when rule 9 fails
        (`EmployeeNipUnknown` when the proposal's NIP is not known yet)."""
        _refuse_conflict(
            conflict_of_interest(
                actor,
                MutationRound.employee_nip(proposal),
                act,
                proposal.proposed_by,
                MutationRound.contested(proposal),
            )
        )

    def check_overrides(
        self,
        report: EligibilityReport,
        overrides: tuple[Override, ...],
        proposal: Proposal,
        lifted: frozenset[str] = frozenset(),
    ) -> None:
        """Each failed rule not `lifted` already needs an override with a justification, authorised
        by someone other than the proposal's employee; an override must name a rule that failed."""
        failed = {o.rule: o for o in report.failed}
        for override in overrides:
            if override.rule not in failed:
                raise InvalidValue(f"override names rule {override.rule!r}, which did not fail", "overrides")
            require_text(override.justification, f"justification for overriding {override.rule}")
            if not failed[override.rule].overridable:
                raise RuleViolation(f"rule {override.rule} cannot be overridden", (override.rule,))
            self.check_no_conflict(Act.AUTHORISE_OVERRIDE, override.authorised_by, proposal)
        uncovered = sorted(set(failed) - {o.rule for o in overrides} - lifted)
        if uncovered:
            detail = "; ".join(f"{r}: {failed[r].explanation}" for r in uncovered)
            raise OverrideRequired(f"rules failed without an override: {detail}", tuple(uncovered))

    @staticmethod
    def check_concerns(proposal: Proposal, employee: Employee, origin: Position, target: Position) -> None:
        """Refuse aggregates other than the proposal's employee, origin and target."""
        if (employee.id, origin.id, target.id) != (
            proposal.employee_id,
            proposal.from_position_id,
            proposal.target_position_id,
        ):
            raise IllegalTransition("employee or positions do not match the proposal")

    def check_kind(self, current: Position, target: Position) -> None:
        """The target is in this agency; the origin is too, exactly when the kind is within-agency."""
        if target.agency != self.agency:
            raise RuleViolation(
                f"target position belongs to {target.agency}, not to this round's agency {self.agency}",
                ("transfer_kind",),
            )
        same = current.agency == self.agency
        if same != (self.kind is TransferKind.WITHIN_AGENCY):
            where = "inside" if same else "outside"
            raise RuleViolation(
                f"the employee serves {where} {self.agency}, which a {self.kind.value} round does not take",
                ("transfer_kind",),
            )

    # -- proposals ---------------------------------------------------------------

    def propose(
        self,
        employee: Employee,
        current: Position,
        target: Position,
        reason: str,
        proposed_by: Official,
        policy: RulePolicy,
        proposal_id: UUID | None = None,
        plan: PlanReference | None = None,
    ) -> UUID:
        """Propose `employee` for `target`, recording JPM and every rule's result at this moment."""
        check_acts_for(proposed_by, self.agency, "this round")
        self.check_open()
        employee.check_active()
        target.check_not_abolished()
        if employee.position_id != current.id:
            raise IllegalTransition(f"employee {employee.nip} does not hold {current.title}")
        if target.id == current.id:
            raise IllegalTransition("the target is the position the employee already holds")
        _refuse_conflict(conflict_of_interest(proposed_by, employee.nip, Act.PROPOSE))
        self.check_kind(current, target)
        for other in self.proposals.values():
            if other.employee_id == employee.id and other.status not in (
                ProposalStatus.WITHDRAWN,
                ProposalStatus.REJECTED,
            ):
                raise IllegalTransition(
                    f"employee {employee.nip} already has proposal {other.proposal_id} in this round"
                )
        case = self._case(employee, current, target, proposed_by, policy, None, act=Act.PROPOSE)
        match = match_for(case)
        new_id = proposal_id or uuid4()
        if new_id in self.proposals:
            raise IllegalTransition(f"proposal {new_id} already exists")
        self._proposed(
            Proposal(
                new_id,
                employee.id,
                employee.nip,
                current.id,
                target.id,
                require_text(reason, "reason"),
                proposed_by,
                match.jpm,
                match.category,
                assess_eligibility(case).outcomes,
                plan=plan,
            )
        )
        return new_id

    class Proposed(Aggregate.Event):
        """A proposal was made. Version 2 added the employee's NIP to the proposal."""

        proposal: Proposal
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["proposal"]["employee_nip"] = None  # not kept before version 2: the round notes it later

    @event(Proposed)
    def _proposed(self, proposal: Proposal) -> None:
        # a copy: later events change the proposal in place, and must not rewrite this event's payload
        self.proposals[proposal.proposal_id] = copy.deepcopy(proposal)

    def note_employee_nips(self, nips: Mapping[UUID, str]) -> None:
        """Note the employee's NIP, by proposal id, of proposals recorded without it (`Proposed`
        version 1), so that every act on them judges rule 9. Refused for an unknown proposal, one whose
        NIP is known already, or a NIP that is not its employee's; nothing to note records nothing."""
        for proposal_id, nip in nips.items():
            proposal = self.proposal(proposal_id)
            if proposal.employee_nip is not None:
                raise IllegalTransition(f"proposal {proposal_id} already names its employee's NIP")
            if Employee.create_id(nip) != proposal.employee_id:
                raise InvalidValue(f"{nip!r} is not the NIP of proposal {proposal_id}'s employee", "employee_nip")
        if nips:
            self._nips_noted(dict(nips))

    @event("EmployeeNipsNoted")
    def _nips_noted(self, nips: dict[UUID, str]) -> None:
        for proposal_id, nip in nips.items():
            self.proposals[proposal_id].employee_nip = nip

    def withdraw(self, proposal_id: UUID, by: Official, reason: str) -> None:
        """Withdraw a proposal that has not been decided."""
        check_acts_for(by, self.agency, "this round")
        self.check_open()
        self.check_undecided(self.proposal(proposal_id))
        self._withdrawn(proposal_id, by, require_text(reason, "reason"))

    @event("ProposalWithdrawn")
    def _withdrawn(self, proposal_id: UUID, by: Official, reason: str) -> None:
        self.proposals[proposal_id].status = ProposalStatus.WITHDRAWN
        self.proposals[proposal_id].withdrawal_reason = reason

    # -- review ------------------------------------------------------------------

    def _check_cross_agency(self) -> None:
        if not self.kind.is_cross_agency:
            raise IllegalTransition("consents and technical reviews belong to cross-agency rounds")

    def record_consent(self, proposal_id: UUID, consent: Consent, recorded_by: Official) -> None:
        """Record a releasing or receiving PPK's written consent (cross-agency rounds)."""
        self.check_open()
        self._check_cross_agency()
        proposal = self.proposal(proposal_id)
        self.check_undecided(proposal)
        check_acts_for(recorded_by, self.agency, "this round")
        self.check_no_conflict(Act.CONSENT, consent.given_by, proposal)
        self.check_no_conflict(Act.CONSENT, recorded_by, proposal)
        if consent.position_id != proposal.target_position_id:
            raise RuleViolation(
                f"the {consent.party.value} consent names position {consent.position_id}, "
                f"not the proposal's target {proposal.target_position_id}",
                ("consent",),
            )
        require_text(consent.letter_number, "consent letter number")
        self._consented(proposal_id, consent)

    @event("ConsentRecorded")
    def _consented(self, proposal_id: UUID, consent: Consent) -> None:
        self.proposals[proposal_id].consents[consent.party] = consent

    def record_technical_review(self, proposal_id: UUID, review: TechnicalReview) -> None:
        """Record BKN's technical review (pertimbangan teknis) for a cross-agency proposal."""
        self.check_open()
        self._check_cross_agency()
        proposal = self.proposal(proposal_id)
        self.check_undecided(proposal)
        check_acts_for(review.reviewer, self.agency, "this round")
        self.check_no_conflict(Act.TECHNICAL_REVIEW, review.reviewer, proposal)
        require_text(review.reference, "technical review reference")
        self._reviewed(proposal_id, review)

    @event("TechnicalReviewRecorded")
    def _reviewed(self, proposal_id: UUID, review: TechnicalReview) -> None:
        self.proposals[proposal_id].technical_review = review

    def recommend(self, proposal_id: UUID, recommendation: Recommendation) -> None:
        """Record the committee's recommendation (for or against) to the PPK."""
        check_acts_for(recommendation.by, self.agency, "this round")
        self.check_open()
        proposal = self.proposal(proposal_id)
        self.check_undecided(proposal)
        self.check_no_conflict(Act.RECOMMEND, recommendation.by, proposal)
        self._recommended(proposal_id, recommendation)

    @event("Recommended")
    def _recommended(self, proposal_id: UUID, recommendation: Recommendation) -> None:
        self.proposals[proposal_id].recommendation = recommendation

    # -- decision ----------------------------------------------------------------

    def _check_paperwork(self, proposal: Proposal) -> None:
        missing = []
        if self.kind.is_cross_agency:
            for party in ConsentParty:
                if party not in proposal.consents:
                    missing.append(f"the {party.value} PPK's consent")
            review = proposal.technical_review
            if review is None:
                missing.append(f"the technical review by {self.kind.reviewed_by}")
            elif not review.approved:
                missing.append(f"a favourable technical review ({review.reference} was unfavourable)")
        elif proposal.recommendation is None:
            missing.append("the committee's (TPK) recommendation")
        if missing:
            raise PaperworkMissing("approval needs " + ", ".join(missing), ("paperwork",))

    def approve(
        self,
        proposal_id: UUID,
        employee: Employee,
        current: Position,
        target: Position,
        decided_by: Official,
        reason: str,
        policy: RulePolicy,
        overrides: tuple[Override, ...] = (),
        today: date | None = None,
    ) -> EligibilityReport:
        """Approve a proposal (first binding moment): every rule is judged again on the planned date,
        and each failure needs an override. `today` is the day of the decision."""
        check_may_decide(decided_by, self.kind, self.agency, current.agency)
        proposal = self.proposal(proposal_id)
        self.check_decidable(proposal)
        self.check_concerns(proposal, employee, current, target)
        self.check_no_conflict(Act.DECIDE, decided_by, proposal)
        employee.check_active()
        target.check_not_abolished()
        self._check_paperwork(proposal)
        case = self._case(
            employee, current, target, decided_by, policy, proposal_id, act=Act.DECIDE, proposal=proposal, today=today
        )
        report = assess_eligibility(case)
        self.check_overrides(report, tuple(overrides), proposal)
        self._decided(
            proposal_id,
            Decision(
                True,
                decided_by,
                require_text(reason, "reason"),
                report.outcomes,
                tuple(overrides),
                match_for(case).jpm,
                today,
            ),
        )
        return report

    def reject(
        self,
        proposal_id: UUID,
        decided_by: Official,
        reason: str,
        releasing_agency: str | None = None,
        today: date | None = None,
    ) -> None:
        """Reject a proposal, with the reason. `releasing_agency` is the agency the employee serves
        (needed in cross-agency rounds, whose decider must serve both agencies)."""
        if releasing_agency is None and self.kind.is_cross_agency:
            raise IllegalTransition("a cross-agency decision needs the releasing agency")
        check_may_decide(decided_by, self.kind, self.agency, releasing_agency or self.agency)
        proposal = self.proposal(proposal_id)
        self.check_decidable(proposal)
        self.check_no_conflict(Act.DECIDE, decided_by, proposal)
        self._decided(proposal_id, Decision(False, decided_by, require_text(reason, "reason"), decided_on=today))

    class Decided(Aggregate.Event):
        """The PPK decided a proposal. Version 2 added the decision's day (`decided_on`)."""

        proposal_id: UUID
        decision: Decision
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["decision"]["decided_on"] = None  # not kept before version 2

    @event(Decided)
    def _decided(self, proposal_id: UUID, decision: Decision) -> None:
        proposal = self.proposals[proposal_id]
        proposal.decision = decision
        proposal.status = ProposalStatus.APPROVED if decision.approved else ProposalStatus.REJECTED

    # -- announcement, decree, execution, evaluation, closing --------------------

    def announce(self, by: Official, announced_on: date) -> None:
        """Publish the decided list; afterwards no more proposals or decisions. Nobody announces
        their own transfer (rule 9)."""
        check_acts_for(by, self.agency, "this round")
        self.check_open()
        decided = [p for p in self.proposals.values() if p.decision is not None]
        if not decided:
            raise IllegalTransition("nothing has been decided yet: there is nothing to announce")
        latest = max(
            (p.decision.decided_on for p in decided if p.decision is not None and p.decision.decided_on), default=None
        )
        if latest is not None and announced_on < latest:
            raise InvalidValue(f"the announcement on {announced_on} precedes the decision of {latest}", "announced_on")
        for proposal in decided:
            self.check_no_conflict(Act.ANNOUNCE, by, proposal)
        self._announced(by, announced_on)

    @event("Announced")
    def _announced(self, by: Official, announced_on: date) -> None:
        self.status = RoundStatus.ANNOUNCED
        self.announced_on = announced_on

    def issue_decree(
        self,
        proposal_id: UUID,
        decree: Decree,
        employee: Employee,
        current: Position,
        target: Position,
        policy: RulePolicy,
        today: date,
        overrides: tuple[Override, ...] = (),
    ) -> EligibilityReport:
        """Record the SK of an approved proposal (second binding moment). It is signed by someone
        with the power to decide, not after `today` nor before the decision; every rule is judged
        again on its TMT with the register as it is now, and a rule that newly fails, a back-dated
        TMT or one outside the round's period needs an override. Returns what was judged."""
        check_may_decide(decree.signed_by, self.kind, self.agency, current.agency)
        self.check_not_closed()
        proposal = self.proposal(proposal_id)
        if proposal.status is not ProposalStatus.APPROVED:
            raise IllegalTransition(f"a decree needs an approved proposal; {proposal_id} is {proposal.status.value}")
        self.check_concerns(proposal, employee, current, target)
        self.check_no_conflict(Act.SIGN_DECREE, decree.signed_by, proposal)
        require_text(decree.number, "decree number")
        self._check_signing_day(proposal, decree, today)
        self.check_objections_settled(proposal, today, policy, decree.signed_on)
        case = self._case(
            employee,
            current,
            target,
            decree.signed_by,
            policy,
            proposal_id,
            act=Act.SIGN_DECREE,
            proposal=proposal,
            on=decree.effective_on,
            today=today,
        )
        report = EligibilityReport(assess_eligibility(case).outcomes + (self._decree_dates(decree),))
        self.check_overrides(report, tuple(overrides), proposal, proposal.overridden)
        self._decreed(proposal_id, replace(decree, eligibility=report.outcomes, overrides=tuple(overrides)))
        return report

    def objection_window_closes_on(self, policy: RulePolicy) -> date | None:
        """The last day objections are taken: the N-th working day after the announcement."""
        if self.announced_on is None:
            return None
        return add_working_days(self.announced_on, policy.objection_window_working_days, self.non_working_days)

    def check_objections_settled(
        self, proposal: Proposal, today: date, policy: RulePolicy, signed_on: date | None = None
    ) -> None:
        """A decree follows the announcement once its objection window has closed (it is signed
        after the window's last day) and every objection on the proposal is answered (DOMAIN.md)."""
        closes_on = self.objection_window_closes_on(policy)
        if closes_on is None:
            raise IllegalTransition("a decree follows the announcement of the round and its objection window")
        if min(today, signed_on or today) <= closes_on:
            raise ObjectionWindowOpen(
                f"the window for objections is open until {closes_on}: "
                f"no decree signed before {add_working_days(closes_on, 1, self.non_working_days)}"
            )
        pending = [
            o.objection_id for o in self.objections.values() if o.proposal_id == proposal.proposal_id and o.is_pending
        ]
        if pending:
            raise ObjectionPending(f"objection {pending[0]} on proposal {proposal.proposal_id} is unanswered")

    # -- objections (sanggah) ------------------------------------------------------

    def file_objection(
        self,
        proposal_id: UUID,
        filed_by: Official,
        grounds: ObjectionGrounds,
        text: str,
        today: date,
        policy: RulePolicy,
        letter_reference: str | None = None,
        plan_explanation: str | None = None,
        objection_id: UUID | None = None,
    ) -> UUID:
        """File an objection to the decision on a proposal, from the announcement until the window
        closes: by the employee concerned, or by an operator of the agency with their written letter.
        A proposal that came from a mutation plan carries the plan's explanation of that move."""
        if self.status is not RoundStatus.ANNOUNCED or self.announced_on is None:
            raise IllegalTransition(
                f"objections are filed after the announcement; round {self.title!r} is {self.status.value}"
            )
        proposal = self.proposal(proposal_id)
        if not proposal.status.is_decided:
            raise IllegalTransition(
                f"only a decision can be contested; proposal {proposal_id} is {proposal.status.value}"
            )
        closes_on = self.objection_window_closes_on(policy)
        assert closes_on is not None
        if today > closes_on:
            raise ObjectionWindowClosed(f"the window for objections closed on {closes_on}")
        if today < self.announced_on:
            raise InvalidValue(f"an objection cannot be filed on {today}, before the announcement", "filed_on")
        if not filed_by.is_employee(self.employee_nip(proposal)):
            if not (letter_reference or "").strip() or not filed_by.serves(self.agency):
                raise NotTheEmployeeConcerned(
                    f"{filed_by.user} is not the employee concerned: only they, or an operator of "
                    f"{self.agency} with their written letter (letter_reference), may object"
                )
        if ObjectionGrounds(grounds) is ObjectionGrounds.AUTOMATED_RECOMMENDATION and proposal.plan is None:
            raise InvalidValue("the proposal was made by hand, not recommended by a mutation plan", "grounds")
        if proposal.plan is not None and not (plan_explanation or "").strip():
            raise InvalidValue("an objection to a plan-made proposal carries the plan's explanation of the move")
        new_id = objection_id or uuid4()
        if new_id in self.objections:
            raise IllegalTransition(f"objection {new_id} already exists")
        self._objection_filed(
            Objection(
                new_id,
                proposal_id,
                ObjectionGrounds(grounds),
                require_text(text, "text"),
                filed_by,
                today,
                (letter_reference or "").strip() or None,
                plan_explanation if proposal.plan else None,
            )
        )
        return new_id

    @event("ObjectionFiled")
    def _objection_filed(self, objection: Objection) -> None:
        self.objections[objection.objection_id] = copy.deepcopy(objection)

    def objection(self, proposal_id: UUID, objection_id: UUID) -> Objection:
        """The objection with that id on that proposal, or `ObjectionNotFound`."""
        found = self.objections.get(objection_id)
        if found is None or found.proposal_id != proposal_id:
            raise ObjectionNotFound(f"proposal {proposal_id} has no objection {objection_id}")
        return found

    def answer_objection(
        self,
        proposal_id: UUID,
        objection_id: UUID,
        upheld: bool,
        reasons: str,
        answered_by: Official,
        today: date,
        human_review: HumanReview | None = None,
    ) -> None:
        """The committee answers an objection: dismissed or upheld, with reasons; an upheld one reopens
        the decision for the PPK. Nobody answers an objection to their own act (rule 9); a proposal
        that a mutation plan made needs the statement that a person reviewed the case."""
        self.check_not_closed()
        proposal = self.proposal(proposal_id)
        objection = self.objection(proposal_id, objection_id)
        if objection.answer is not None:  # not pending
            raise ObjectionAlreadyAnswered(f"objection {objection_id} was answered on {objection.answer.answered_on}")
        check_acts_for(answered_by, self.agency, "this round")
        self.check_no_conflict(Act.ANSWER_OBJECTION, answered_by, proposal)
        if today < objection.filed_on:
            raise InvalidValue(f"the answer on {today} precedes the objection of {objection.filed_on}")
        reasons = require_text(reasons, "reasons")
        if proposal.plan is not None:
            if human_review is None or not human_review.reviewer.strip() or not human_review.grounds.strip():
                raise HumanReviewRequired(
                    "the proposal came from a mutation plan: the answer must state who reviewed the case "
                    "in person and on which grounds (UU 27/2022 art. 10)",
                    ("human_review",),
                )
        answer = ObjectionAnswer(
            bool(upheld), reasons, answered_by, today, human_review if proposal.plan is not None else None
        )
        self._objection_answered(proposal_id, objection_id, answer)
        if answer.upheld and proposal.status.is_decided:
            self._decision_reopened(proposal_id, objection_id)

    @event("ObjectionAnswered")
    def _objection_answered(self, proposal_id: UUID, objection_id: UUID, answer: ObjectionAnswer) -> None:
        self.objections[objection_id].answer = answer

    @event("DecisionReopened")
    def _decision_reopened(self, proposal_id: UUID, objection_id: UUID) -> None:
        proposal = self.proposals[proposal_id]
        if proposal.decision is not None:
            self.earlier_decisions.setdefault(proposal_id, []).append(proposal.decision)
        proposal.decision = None
        proposal.status = ProposalStatus.REOPENED

    @staticmethod
    def _check_signing_day(proposal: Proposal, decree: Decree, today: date) -> None:
        if decree.signed_on > today:
            raise InvalidValue(f"the decree is signed on {decree.signed_on}, after today ({today})", "signed_on")
        decided_on = proposal.decision.decided_on if proposal.decision else None
        if decided_on is not None and decree.signed_on < decided_on:
            raise InvalidValue(
                f"the decree is signed on {decree.signed_on}, before the decision of {decided_on}", "signed_on"
            )
        if decree.effective_on < add_years(decree.signed_on, -1):
            raise InvalidValue("the effective date lies more than a year before the signing date", "effective_on")

    def _decree_dates(self, decree: Decree) -> RuleOutcome:
        tmt, period = decree.effective_on, f"{self.period_starts_on} to {self.period_ends_on}"
        problems = []
        if tmt < decree.signed_on:
            problems.append(f"the TMT {tmt} lies before the signing on {decree.signed_on} (back-dated)")
        if not self.period_starts_on <= tmt <= self.period_ends_on:
            problems.append(f"the TMT {tmt} lies outside the round's period {period}")
        if problems:
            return RuleOutcome(DECREE_DATES, False, "; ".join(problems))
        return RuleOutcome(
            DECREE_DATES, True, f"the TMT {tmt} follows the signing on {decree.signed_on} within the period {period}"
        )

    class DecreeIssued(Aggregate.Event):
        """The SK of a proposal. Version 2 added the rules judged on its TMT and its overrides."""

        proposal_id: UUID
        decree: Decree
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["decree"]["eligibility"] = []  # decrees before version 2 were not judged again
            state["decree"]["overrides"] = []

    @event(DecreeIssued)
    def _decreed(self, proposal_id: UUID, decree: Decree) -> None:
        self.proposals[proposal_id].decree = decree
        self.proposals[proposal_id].status = ProposalStatus.DECREED

    def check_executable(
        self,
        proposal_id: UUID,
        today: date,
        employee: Employee,
        origin: Position,
        target: Position,
        executor: Official,
        policy: RulePolicy,
    ) -> Proposal:
        """Refuse unless the proposal is decreed, not executed yet, in effect by `today`, and its
        decree still holds (third binding moment): every rule judged again on the TMT, with the
        register as it is now, passes or was overridden at the decision or the decree."""
        check_acts_for(executor, self.agency, "this round")
        self.check_not_closed()
        proposal = self.proposal(proposal_id)
        if proposal.status is ProposalStatus.EXECUTED:
            raise IllegalTransition(f"proposal {proposal_id} was already executed")
        if proposal.decree is None or proposal.status is not ProposalStatus.DECREED:
            raise DecreeMissing(f"proposal {proposal_id} has no decree (status {proposal.status.value})")
        if proposal.decree.effective_on > today:
            raise IllegalTransition(f"the decree takes effect on {proposal.decree.effective_on}, after {today}")
        self.check_concerns(proposal, employee, origin, target)
        self.check_no_conflict(Act.EXECUTE, executor, proposal)
        employee.check_active()
        case = self._case(
            employee,
            origin,
            target,
            executor,
            policy,
            proposal_id,
            act=Act.EXECUTE,
            proposal=proposal,
            on=proposal.decree.effective_on,
            today=today,
        )
        failing = [o for o in assess_eligibility(case).failed if o.rule not in proposal.overridden]
        if failing:
            raise DecreeNoLongerHolds(
                f"decree {proposal.decree.number} no longer holds: "
                + "; ".join(f"{o.rule}: {o.explanation}" for o in failing),
                tuple(o.rule for o in failing),
            )
        return proposal

    def record_execution(self, proposal_id: UUID) -> None:
        """Mark a decreed transfer executed on its TMT. Only `domain.transfer`, after
        `check_executable` passed for every transfer of the set, calls this."""
        proposal = self.proposal(proposal_id)
        if proposal.decree is None or proposal.status is not ProposalStatus.DECREED:
            raise DecreeMissing(f"proposal {proposal_id} has no decree (status {proposal.status.value})")
        self._executed(proposal_id, proposal.decree.effective_on)

    @event("TransferExecuted")
    def _executed(self, proposal_id: UUID, effective_on: date) -> None:
        self.proposals[proposal_id].executed_on = effective_on
        self.proposals[proposal_id].status = ProposalStatus.EXECUTED

    def evaluate(
        self,
        proposal_id: UUID,
        findings: EvaluationFindings,
        performance_before: Predikat | None,
        evaluator: Official,
        today: date,
        policy: RulePolicy,
    ) -> None:
        """Record a post-transfer evaluation, dated not in the future and not before the TMT plus
        the months it claims (less `policy.evaluation_early_days`); a drop in performance needs a
        corrective action."""
        proposal = self.proposal(proposal_id)
        if proposal.status is not ProposalStatus.EXECUTED or proposal.executed_on is None:
            raise TransferNotExecuted(f"proposal {proposal_id} has not been executed yet")
        check_acts_for(evaluator, self.agency, "this round")
        self.check_no_conflict(Act.EVALUATE, evaluator, proposal)
        require_int(findings.months_after, 1, 120, "months after the transfer")
        if findings.evaluated_on > today:
            raise InvalidValue(
                f"evaluated_on {findings.evaluated_on} lies in the future (today is {today})", "evaluated_on"
            )
        due = add_months(proposal.executed_on, findings.months_after)
        earliest = due - timedelta(days=policy.evaluation_early_days)
        if findings.evaluated_on < earliest:
            raise InvalidValue(
                f"evaluated_on {findings.evaluated_on} is too early for an evaluation "
                f"{findings.months_after} months after the transfer of {proposal.executed_on}: "
                f"not before {earliest} ({due} less {policy.evaluation_early_days} days)",
                "evaluated_on",
            )
        if (
            performance_before is not None
            and not findings.performance_after.at_least(performance_before)
            and not (findings.corrective_action or "").strip()
        ):
            raise CorrectiveActionRequired(
                f"performance dropped from {performance_before.value} to "
                f"{findings.performance_after.value}: name a corrective action",
                ("evaluation",),
            )
        self._evaluated(proposal_id, findings, evaluator)

    @event("TransferEvaluated")
    def _evaluated(self, proposal_id: UUID, findings: EvaluationFindings, evaluator: Official) -> None:
        self.proposals[proposal_id].evaluations.append(findings)

    def close(self, by: Official, closed_on: date) -> None:
        """Close the round; refused while a decreed transfer awaits execution."""
        check_acts_for(by, self.agency, "this round")
        self.check_not_closed()
        pending = [p.proposal_id for p in self.proposals.values() if p.status is ProposalStatus.DECREED]
        if pending:
            raise IllegalTransition(f"{len(pending)} decreed transfers are not executed yet")
        self._closed(by, closed_on)

    @event("Closed")
    def _closed(self, by: Official, closed_on: date) -> None:
        self.status = RoundStatus.CLOSED
        self.closed_on = closed_on
