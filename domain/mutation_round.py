"""The MutationRound aggregate: one round of transfers from opening to evaluation."""

from __future__ import annotations

import copy
from datetime import date
from enum import Enum
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, event

from domain.calendar import add_years
from domain.eligibility import EligibilityCase, EligibilityReport, FreezeWindow, assess_eligibility, match_for
from domain.employee import Employee
from domain.errors import ConflictOfInterest, DomainError, IllegalTransition, InvalidValue, RuleViolation
from domain.official import Official
from domain.planning.options import PlanReference
from domain.policy import RulePolicy
from domain.position import Position
from domain.proposal import (
    Consent, Decision, Decree, EvaluationFindings, Override, Proposal, ProposalStatus,
    Recommendation, TechnicalReview,
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


class CorrectiveActionRequired(RuleViolation):
    """Performance dropped after the transfer: the evaluation must name a corrective action."""

    code = "corrective-action-required"


class MutationRound(Aggregate):
    """A round of transfers of one agency, of one kind, with its freeze windows and proposals."""

    @classmethod
    def open(
        cls, agency: str, kind: TransferKind, title: str, period_starts_on: date,
        period_ends_on: date, planned_effective_on: date, freeze_windows: tuple[FreezeWindow, ...],
        opened_by: Official,
    ) -> MutationRound:
        """Open a round after checking its period."""
        if period_ends_on < period_starts_on:
            raise InvalidValue("the round's period ends before it starts")
        if planned_effective_on < period_starts_on:
            raise InvalidValue("the planned effective date lies before the round's period")
        return cls(
            agency=require_text(agency, "agency"), kind=TransferKind(kind),
            title=require_text(title, "title"), period_starts_on=period_starts_on,
            period_ends_on=period_ends_on, planned_effective_on=planned_effective_on,
            freeze_windows=tuple(freeze_windows), opened_by=opened_by,
        )

    @event("Opened")
    def __init__(
        self, agency: str, kind: TransferKind, title: str, period_starts_on: date,
        period_ends_on: date, planned_effective_on: date, freeze_windows: tuple[FreezeWindow, ...],
        opened_by: Official,
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

    # -- reading -----------------------------------------------------------------

    def proposal(self, proposal_id: UUID) -> Proposal:
        """The proposal with that id, or `ProposalNotFound`."""
        try:
            return self.proposals[proposal_id]
        except KeyError:
            raise ProposalNotFound(f"round {self.id} has no proposal {proposal_id}") from None

    def seats_promised(self, position_id: UUID, besides: UUID | None = None) -> int:
        """Approved, not yet executed proposals of this round into `position_id` (except one)."""
        return sum(
            1 for p in self.proposals.values()
            if p.target_position_id == position_id and p.status.holds_a_seat and p.proposal_id != besides
        )

    def seats_freed(self, position_id: UUID, besides: UUID | None = None) -> int:
        """Holders of `position_id` approved (not yet executed) to move elsewhere in this round."""
        return sum(
            1 for p in self.proposals.values()
            if p.from_position_id == position_id and p.status.holds_a_seat and p.proposal_id != besides
        )

    def eligibility(
        self, employee: Employee, current: Position | None, target: Position, actor: Official,
        policy: RulePolicy, besides: UUID | None = None,
    ) -> EligibilityReport:
        """The nine rules for moving `employee` to `target` in this round, asked by `actor`."""
        return assess_eligibility(self._case(employee, current, target, actor, policy, besides))

    def _case(self, employee, current, target, actor, policy, besides) -> EligibilityCase:
        return EligibilityCase(
            employee=employee, current_position=current, target=target, kind=self.kind,
            effective_on=self.planned_effective_on, actor=actor, policy=policy,
            freeze_windows=self.freeze_windows,
            seats_promised=self.seats_promised(target.id, besides),
            seats_freed=self.seats_freed(target.id, besides),
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

    @staticmethod
    def check_concerns(proposal: Proposal, employee: Employee, origin: Position, target: Position) -> None:
        """Refuse aggregates other than the proposal's employee, origin and target."""
        if (employee.id, origin.id, target.id) != (
            proposal.employee_id, proposal.from_position_id, proposal.target_position_id
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
        self, employee: Employee, current: Position, target: Position, reason: str,
        proposed_by: Official, policy: RulePolicy, proposal_id: UUID | None = None,
        plan: PlanReference | None = None,
    ) -> UUID:
        """Propose `employee` for `target`, recording JPM and every rule's result at this moment."""
        self.check_open()
        employee.check_active()
        target.check_not_abolished()
        if employee.position_id != current.id:
            raise IllegalTransition(f"employee {employee.nip} does not hold {current.title}")
        if target.id == current.id:
            raise IllegalTransition("the target is the position the employee already holds")
        if proposed_by.is_employee(employee.nip):
            raise ConflictOfInterest(f"{proposed_by.user} may not propose their own transfer",
                                     ("conflict_of_interest",))
        self.check_kind(current, target)
        for other in self.proposals.values():
            if other.employee_id == employee.id and other.status not in (
                ProposalStatus.WITHDRAWN, ProposalStatus.REJECTED
            ):
                raise IllegalTransition(
                    f"employee {employee.nip} already has proposal {other.proposal_id} in this round"
                )
        case = self._case(employee, current, target, proposed_by, policy, None)
        match = match_for(case)
        new_id = proposal_id or uuid4()
        if new_id in self.proposals:
            raise IllegalTransition(f"proposal {new_id} already exists")
        self._proposed(Proposal(
            new_id, employee.id, current.id, target.id, require_text(reason, "reason"), proposed_by,
            match.jpm, match.category, assess_eligibility(case).outcomes, plan=plan,
        ))
        return new_id

    @event("Proposed")
    def _proposed(self, proposal: Proposal) -> None:
        # a copy: later events change the proposal in place, and must not rewrite this event's payload
        self.proposals[proposal.proposal_id] = copy.deepcopy(proposal)

    def withdraw(self, proposal_id: UUID, by: Official, reason: str) -> None:
        """Withdraw a proposal that has not been decided."""
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

    def record_consent(self, proposal_id: UUID, employee_nip: str, consent: Consent) -> None:
        """Record a releasing or receiving PPK's written consent (cross-agency rounds)."""
        self.check_open()
        self._check_cross_agency()
        proposal = self.proposal(proposal_id)
        self.check_undecided(proposal)
        if consent.given_by.is_employee(employee_nip):
            raise ConflictOfInterest("the employee cannot consent to their own transfer",
                                     ("conflict_of_interest",))
        if consent.position_id != proposal.target_position_id:
            raise RuleViolation(
                f"the {consent.party.value} consent names position {consent.position_id}, "
                f"not the proposal's target {proposal.target_position_id}", ("consent",),
            )
        require_text(consent.letter_number, "consent letter number")
        self._consented(proposal_id, consent)

    @event("ConsentRecorded")
    def _consented(self, proposal_id: UUID, consent: Consent) -> None:
        self.proposals[proposal_id].consents[consent.party] = consent

    def record_technical_review(
        self, proposal_id: UUID, employee_nip: str, review: TechnicalReview
    ) -> None:
        """Record BKN's technical review (pertimbangan teknis) for a cross-agency proposal."""
        self.check_open()
        self._check_cross_agency()
        proposal = self.proposal(proposal_id)
        self.check_undecided(proposal)
        if review.reviewer.is_employee(employee_nip):
            raise ConflictOfInterest("the employee cannot review their own transfer",
                                     ("conflict_of_interest",))
        require_text(review.reference, "technical review reference")
        self._reviewed(proposal_id, review)

    @event("TechnicalReviewRecorded")
    def _reviewed(self, proposal_id: UUID, review: TechnicalReview) -> None:
        self.proposals[proposal_id].technical_review = review

    def recommend(self, proposal_id: UUID, employee_nip: str, recommendation: Recommendation) -> None:
        """Record the committee's recommendation (for or against) to the PPK."""
        self.check_open()
        proposal = self.proposal(proposal_id)
        self.check_undecided(proposal)
        if recommendation.by.is_employee(employee_nip):
            raise ConflictOfInterest("the employee cannot review their own transfer",
                                     ("conflict_of_interest",))
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

    def _check_decider(self, proposal: Proposal, employee_nip: str, by: Official) -> None:
        if by.is_employee(employee_nip):
            raise ConflictOfInterest(f"{by.user} may not decide their own transfer",
                                     ("conflict_of_interest",))
        if by.user == proposal.proposed_by.user:
            raise ConflictOfInterest(f"{by.user} proposed this transfer and may not also decide it",
                                     ("conflict_of_interest",))

    def approve(
        self, proposal_id: UUID, employee: Employee, current: Position, target: Position,
        decided_by: Official, reason: str, policy: RulePolicy, overrides: tuple[Override, ...] = (),
    ) -> EligibilityReport:
        """Approve a proposal; the rules are checked again now, and each failure needs an override."""
        self.check_open()
        proposal = self.proposal(proposal_id)
        self.check_undecided(proposal)
        self.check_concerns(proposal, employee, current, target)
        employee.check_active()
        target.check_not_abolished()
        self._check_decider(proposal, employee.nip, decided_by)
        self._check_paperwork(proposal)
        case = self._case(employee, current, target, decided_by, policy, proposal_id)
        report = assess_eligibility(case)
        failed = {o.rule: o for o in report.failed}
        for override in overrides:
            if override.rule not in failed:
                raise InvalidValue(f"override names rule {override.rule!r}, which did not fail")
            require_text(override.justification, f"justification for overriding {override.rule}")
            if not failed[override.rule].overridable:
                raise RuleViolation(f"rule {override.rule} cannot be overridden", (override.rule,))
            if override.authorised_by.is_employee(employee.nip):
                raise ConflictOfInterest(f"{override.authorised_by.user} may not authorise an override "
                                         "for their own transfer", ("conflict_of_interest",))
        uncovered = sorted(set(failed) - {o.rule for o in overrides})
        if uncovered:
            detail = "; ".join(f"{r}: {failed[r].explanation}" for r in uncovered)
            raise OverrideRequired(f"rules failed without an override: {detail}", tuple(uncovered))
        match = match_for(case)
        self._decided(proposal_id, Decision(
            True, decided_by, require_text(reason, "reason"), report.outcomes, tuple(overrides), match.jpm,
        ))
        return report

    def reject(self, proposal_id: UUID, employee_nip: str, decided_by: Official, reason: str) -> None:
        """Reject a proposal, with the reason."""
        self.check_open()
        proposal = self.proposal(proposal_id)
        self.check_undecided(proposal)
        self._check_decider(proposal, employee_nip, decided_by)
        self._decided(proposal_id, Decision(False, decided_by, require_text(reason, "reason")))

    @event("Decided")
    def _decided(self, proposal_id: UUID, decision: Decision) -> None:
        proposal = self.proposals[proposal_id]
        proposal.decision = decision
        proposal.status = ProposalStatus.APPROVED if decision.approved else ProposalStatus.REJECTED

    # -- announcement, decree, execution, evaluation, closing --------------------

    def announce(self, by: Official, announced_on: date) -> None:
        """Publish the decided list; afterwards no more proposals or decisions."""
        self.check_open()
        if not any(p.decision is not None for p in self.proposals.values()):
            raise IllegalTransition("nothing has been decided yet: there is nothing to announce")
        self._announced(by, announced_on)

    @event("Announced")
    def _announced(self, by: Official, announced_on: date) -> None:
        self.status = RoundStatus.ANNOUNCED
        self.announced_on = announced_on

    def issue_decree(self, proposal_id: UUID, decree: Decree) -> None:
        """Record the SK of an approved proposal."""
        self.check_not_closed()
        proposal = self.proposal(proposal_id)
        if proposal.status is not ProposalStatus.APPROVED:
            raise IllegalTransition(
                f"a decree needs an approved proposal; {proposal_id} is {proposal.status.value}"
            )
        require_text(decree.number, "decree number")
        if decree.effective_on < add_years(decree.signed_on, -1):
            raise InvalidValue("the effective date lies more than a year before the signing date")
        self._check_decree_outside_freeze(proposal, decree)
        self._decreed(proposal_id, decree)

    def _check_decree_outside_freeze(self, proposal: Proposal, decree: Decree) -> None:
        # rule 3 was checked on the planned date; the decree's own date (TMT) must not slip into a window
        window = next((w for w in self.freeze_windows if w.covers(decree.effective_on)), None)
        overrides = proposal.decision.overrides if proposal.decision else ()
        if window is not None and not any(o.rule == "election_freeze" for o in overrides):
            raise RuleViolation(
                f"the decree takes effect on {decree.effective_on}, inside the freeze window "
                f"{window.starts_on} to {window.ends_on} ({window.reason}), and the approval did not "
                "override election_freeze", ("election_freeze",),
            )

    @event("DecreeIssued")
    def _decreed(self, proposal_id: UUID, decree: Decree) -> None:
        self.proposals[proposal_id].decree = decree
        self.proposals[proposal_id].status = ProposalStatus.DECREED

    def execute(self, proposal_id: UUID, today: date) -> Proposal:
        """Mark a decreed transfer executed on its effective date; returns the proposal."""
        proposal = self.check_executable(proposal_id, today)
        self._executed(proposal_id, proposal.decree.effective_on)  # type: ignore[union-attr]
        return proposal

    def check_executable(self, proposal_id: UUID, today: date) -> Proposal:
        """Refuse unless the proposal is decreed, not executed yet, and its decree in effect by `today`."""
        self.check_not_closed()
        proposal = self.proposal(proposal_id)
        if proposal.status is ProposalStatus.EXECUTED:
            raise IllegalTransition(f"proposal {proposal_id} was already executed")
        if proposal.decree is None or proposal.status is not ProposalStatus.DECREED:
            raise DecreeMissing(f"proposal {proposal_id} has no decree (status {proposal.status.value})")
        if proposal.decree.effective_on > today:
            raise IllegalTransition(
                f"the decree takes effect on {proposal.decree.effective_on}, after {today}"
            )
        return proposal

    @event("TransferExecuted")
    def _executed(self, proposal_id: UUID, effective_on: date) -> None:
        self.proposals[proposal_id].executed_on = effective_on
        self.proposals[proposal_id].status = ProposalStatus.EXECUTED

    def evaluate(
        self, proposal_id: UUID, findings: EvaluationFindings, performance_before: Predikat | None,
        evaluator: Official,
        employee_nip: str,
    ) -> None:
        """Record a post-transfer evaluation; a drop in performance needs a corrective action."""
        proposal = self.proposal(proposal_id)
        if proposal.status is not ProposalStatus.EXECUTED or proposal.executed_on is None:
            raise TransferNotExecuted(f"proposal {proposal_id} has not been executed yet")
        if evaluator.is_employee(employee_nip):
            raise ConflictOfInterest("the employee cannot evaluate their own transfer",
                                     ("conflict_of_interest",))
        require_int(findings.months_after, 1, 120, "months after the transfer")
        if findings.evaluated_on < proposal.executed_on:
            raise InvalidValue("an evaluation cannot precede the transfer")
        dropped = performance_before is not None and not findings.performance_after.at_least(performance_before)
        if dropped and not (findings.corrective_action or "").strip():
            raise CorrectiveActionRequired(
                f"performance dropped from {performance_before.value} to "
                f"{findings.performance_after.value}: name a corrective action", ("evaluation",),
            )
        self._evaluated(proposal_id, findings, evaluator)

    @event("TransferEvaluated")
    def _evaluated(self, proposal_id: UUID, findings: EvaluationFindings, evaluator: Official) -> None:
        self.proposals[proposal_id].evaluations.append(findings)

    def close(self, by: Official, closed_on: date) -> None:
        """Close the round; refused while a decreed transfer awaits execution."""
        self.check_not_closed()
        pending = [p.proposal_id for p in self.proposals.values() if p.status is ProposalStatus.DECREED]
        if pending:
            raise IllegalTransition(f"{len(pending)} decreed transfers are not executed yet")
        self._closed(by, closed_on)

    @event("Closed")
    def _closed(self, by: Official, closed_on: date) -> None:
        self.status = RoundStatus.CLOSED
        self.closed_on = closed_on
