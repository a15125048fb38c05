"""A proposal inside a mutation round: one candidate for one target position, and its paperwork."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import Enum
from uuid import UUID

from domain.competency import JpmCategory
from domain.eligibility import RuleOutcome
from domain.official import Official
from domain.plan_options import PlanReference
from domain.vocabulary import ConsentParty, Expectation, Predikat


class ProposalStatus(str, Enum):
    """Where a proposal stands."""

    PROPOSED = "proposed"
    WITHDRAWN = "withdrawn"
    APPROVED = "approved"
    REJECTED = "rejected"
    DECREED = "decreed"
    EXECUTED = "executed"
    REOPENED = "reopened"
    """An upheld objection reopened the decision: the PPK decides again."""

    @property
    def is_open(self) -> bool:
        """Still awaiting a decision (a first one, or a new one after an upheld objection)."""
        return self in (ProposalStatus.PROPOSED, ProposalStatus.REOPENED)

    @property
    def is_decided(self) -> bool:
        """Approved or rejected, and no decree yet: a decision that may be contested."""
        return self in (ProposalStatus.APPROVED, ProposalStatus.REJECTED)

    @property
    def holds_a_seat(self) -> bool:
        """Approved (or decreed) but not yet executed: the target seat is promised."""
        return self in (ProposalStatus.APPROVED, ProposalStatus.DECREED)


@dataclass(frozen=True)
class Consent:
    """A PPK's written consent to a cross-agency transfer, naming the target position."""

    party: ConsentParty
    given_by: Official
    position_id: UUID
    letter_number: str
    given_on: date


@dataclass(frozen=True)
class TechnicalReview:
    """BKN's technical review (pertimbangan teknis)."""

    approved: bool
    reviewer: Official
    reference: str
    reviewed_on: date
    notes: str


@dataclass(frozen=True)
class Recommendation:
    """The committee's (TPK/Baperjakat) recommendation to the PPK."""

    recommended: bool
    by: Official
    notes: str


@dataclass(frozen=True)
class Override:
    """Lifting one failed rule: the justification and whoever authorised it."""

    rule: str
    justification: str
    authorised_by: Official


@dataclass(frozen=True)
class Decision:
    """The PPK's decision with the eligibility as it stood at that moment."""

    approved: bool
    decided_by: Official
    reason: str
    eligibility: tuple[RuleOutcome, ...] = ()
    overrides: tuple[Override, ...] = ()
    jpm: Decimal | None = None
    decided_on: date | None = None
    """The day of the decision (the application's clock); None for decisions recorded before it was kept."""


@dataclass(frozen=True)
class Decree:
    """The SK that makes a transfer official; TMT = `effective_on`. `eligibility` is every rule as
    judged again on the TMT when it was signed, `overrides` lift the rules that newly failed then
    (and a back-dated TMT or one outside the round's period)."""

    number: str
    signed_on: date
    effective_on: date
    signed_by: Official
    eligibility: tuple[RuleOutcome, ...] = ()
    overrides: tuple[Override, ...] = ()


@dataclass(frozen=True)
class EvaluationFindings:
    """What an evaluator found some months after the transfer."""

    months_after: int
    evaluated_on: date
    performance_after: Predikat
    adaptation: Expectation
    service_quality: Expectation
    notes: str
    corrective_action: str | None = None


@dataclass
class Proposal:
    """One candidate for one target position, with JPM and eligibility at the moment of proposal."""

    proposal_id: UUID
    employee_id: UUID
    employee_nip: str | None
    """The employee's NIP, against which every act on the proposal judges rule 9. None on a proposal
    recorded before it was kept (`Proposed` version 1) until the round notes it (`EmployeeNipsNoted`)."""
    from_position_id: UUID
    target_position_id: UUID
    reason: str
    proposed_by: Official
    jpm: Decimal
    jpm_category: JpmCategory
    eligibility: tuple[RuleOutcome, ...]
    status: ProposalStatus = ProposalStatus.PROPOSED
    withdrawal_reason: str | None = None
    consents: dict[ConsentParty, Consent] = field(default_factory=dict)
    technical_review: TechnicalReview | None = None
    recommendation: Recommendation | None = None
    decision: Decision | None = None
    decree: Decree | None = None
    executed_on: date | None = None
    evaluations: list[EvaluationFindings] = field(default_factory=list)
    plan: PlanReference | None = None
    """The mutation plan this proposal was adopted from, with its parameters (None: proposed by hand)."""

    @property
    def overridden(self) -> frozenset[str]:
        """The rules lifted for this transfer so far, at the decision or at the decree."""
        found = self.decision.overrides if self.decision else ()
        found += self.decree.overrides if self.decree else ()
        return frozenset(o.rule for o in found)
