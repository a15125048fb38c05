"""Mutation-round requests (named like the use-case parameters), the round record and its public view."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from api.http.schemas.common import (
    EMPLOYEE_ID,
    POSITION_ID,
    PROPOSAL_ID,
    ROUND_ID,
    Body,
    Day,
    Name,
    OfficialIn,
    OfficialOut,
    Text,
    example,
)
from api.http.schemas.objections import ObjectionOut
from domain.competency import JpmCategory
from domain.eligibility import EligibilityReport, FreezeWindow
from domain.eligibility.conflict import Act
from domain.mutation_round import MutationRound, RoundStatus
from domain.plan_options import PlanOptions
from domain.policy import RulePolicy
from domain.proposal import EvaluationFindings, Override, ProposalStatus
from domain.vocabulary import ConsentParty, Expectation, Predikat, TransferKind


class FreezeWindowIn(Body):
    """An election-freeze period of the agency, both days included."""

    model_config = example(starts_on="2026-10-01", ends_on="2026-12-31", reason="Pilkada serentak")

    starts_on: Day
    ends_on: Day
    reason: Text = Field(examples=["Pilkada serentak"])

    def window(self) -> FreezeWindow:
        """As the domain's `FreezeWindow`."""
        return FreezeWindow(self.starts_on, self.ends_on, self.reason)


class OpenRound(Body):
    """Open a round of one agency and kind, with its period and freeze windows."""

    model_config = example(
        agency="Pemerintah Kota Pariaman",
        kind="within_agency",
        title="Mutasi Tahap I 2026",
        period_starts_on="2026-01-01",
        period_ends_on="2026-06-30",
        planned_effective_on="2026-03-01",
        freeze_windows=[{"starts_on": "2026-10-01", "ends_on": "2026-12-31", "reason": "Pilkada serentak"}],
    )

    agency: Name = Field(examples=["Pemerintah Kota Pariaman"])
    kind: TransferKind
    title: Name = Field(examples=["Mutasi Tahap I 2026"])
    period_starts_on: Day
    period_ends_on: Day
    planned_effective_on: Day
    freeze_windows: list[FreezeWindowIn] = Field(default_factory=list, max_length=50)
    non_working_days: list[Day] = Field(
        default_factory=list,
        max_length=400,
        description=(
            "the agency's holidays and collective leave: they do not count as working days of the "
            "objection window (weekends never do)"
        ),
        examples=[["2026-02-17"]],
    )


class CandidateMove(Body):
    """An employee and the target position of a candidate move."""

    employee_id: UUID = Field(examples=["d20a9f5e-a578-5ae2-bc4d-d5ead2cb2262"])
    target_position_id: UUID = Field(examples=["3b0f5c44-3f0e-5d55-9a1c-0d3c8e6f9b21"])


class EligibilityCheck(CandidateMove):
    """A candidate move to check against the ten rules (nothing is recorded). Rule 9 is judged for
    the caller doing `act` (default: proposing; deciding when `proposal_id` names the proposal)."""

    model_config = example(employee_id=EMPLOYEE_ID, target_position_id=POSITION_ID, act="propose")

    act: Act | None = None
    proposal_id: UUID | None = None


class Propose(CandidateMove):
    """Propose a candidate for a target position, with the written reason."""

    model_config = example(
        employee_id=EMPLOYEE_ID, target_position_id=POSITION_ID, reason="best competency match for the vacancy"
    )

    reason: Text = Field(examples=["best competency match for the vacancy"])


class Withdraw(Body):
    """Withdraw an undecided proposal."""

    model_config = example(reason="the employee asked to stay until the school year ends")

    reason: Text = Field(examples=["the employee asked to stay until the school year ends"])


class RecordConsent(Body):
    """A releasing or receiving PPK's written consent (cross-agency rounds)."""

    model_config = example(
        party="releasing",
        given_by={"user": "bupati-padang-pariaman", "nip": None},
        position_id=POSITION_ID,
        letter_number="800/112/BKPSDM/2026",
        given_on="2026-02-10",
    )

    party: ConsentParty
    given_by: OfficialIn
    position_id: UUID
    letter_number: Name
    given_on: Day


class RecordTechnicalReview(Body):
    """BKN's technical review (pertimbangan teknis) of a cross-agency proposal."""

    model_config = example(
        approved=True,
        reference="PERTEK-BKN/2026/00123",
        reviewed_on="2026-02-15",
        notes="meets the requirements of PP 11/2017 as amended",
    )

    approved: StrictBool
    reference: Name
    reviewed_on: Day
    notes: str = Field("", max_length=2000)


class Recommend(Body):
    """The committee's recommendation to the PPK."""

    model_config = example(recommended=True, notes="fits the standard; recommended")

    recommended: StrictBool
    notes: Text = Field(examples=["fits the standard; recommended"])


class OverrideIn(Body):
    """Lifting one failed rule: the justification and whoever authorised it."""

    model_config = example(
        rule="election_freeze",
        justification="the post must be filled before the school year",
        authorised_by={"user": "mendagri", "nip": None},
    )

    rule: Name = Field(examples=["election_freeze"])
    justification: Text
    authorised_by: OfficialIn

    def override(self) -> Override:
        """As the domain's `Override`."""
        return Override(self.rule, self.justification, self.authorised_by.official())


class Decide(Body):
    """The PPK's decision; approving re-checks every rule, and each failure needs an override."""

    model_config = example(approve=True, reason="approved on the committee's recommendation", overrides=[])

    approve: StrictBool
    reason: Text = Field(examples=["approved on the committee's recommendation"])
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=10)


class Announce(Body):
    """Publish the decided list."""

    model_config = example(announced_on="2026-02-20")

    announced_on: Day


class IssueDecree(Body):
    """The SK of an approved proposal, signed by the acting PPK: not after today, not before the
    decision. Every rule is judged again on the TMT (`effective_on`); a rule that newly fails, a TMT
    before the signing or outside the round's period (`decree_dates`) needs an override."""

    model_config = example(
        number="821.2/001/BKPSDM/2026", signed_on="2026-02-25", effective_on="2026-03-01", overrides=[]
    )

    number: Name = Field(examples=["821.2/001/BKPSDM/2026"])
    signed_on: Day
    effective_on: Day
    overrides: list[OverrideIn] = Field(default_factory=list, max_length=11)


class ExecuteTogether(Body):
    """Decreed transfers of the round that take effect together (a swap, a cycle of full positions)."""

    model_config = example(proposal_ids=[PROPOSAL_ID, "5b1f0e2d-8c3a-4d6f-b1e9-2a7c9d4e3f02"])

    proposal_ids: list[UUID] = Field(
        min_length=1,
        max_length=500,
        examples=[["0d9e5c3a-1f7e-4b8e-9a55-4f2a6c1b7e01", "5b1f0e2d-8c3a-4d6f-b1e9-2a7c9d4e3f02"]],
    )


class EvaluateTransfer(Body):
    """A post-transfer evaluation; a drop in performance needs a corrective action."""

    model_config = example(
        months_after=3,
        evaluated_on="2026-06-01",
        performance_after="Baik",
        adaptation="as_expected",
        service_quality="as_expected",
        notes="settled in",
        corrective_action=None,
    )

    months_after: StrictInt = Field(ge=1, le=120, examples=[3])
    evaluated_on: Day
    performance_after: Predikat
    adaptation: Expectation
    service_quality: Expectation
    notes: str = Field("", max_length=2000)
    corrective_action: str | None = Field(None, max_length=2000)

    def findings(self) -> EvaluationFindings:
        """As the domain's `EvaluationFindings`."""
        return EvaluationFindings(**self.model_dump())


class CloseRound(Body):
    """Close the round."""

    model_config = example(closed_on="2026-06-30")

    closed_on: Day


class RuleOutcomeOut(BaseModel):
    """One rule's answer: passed or not, why, whether an override may lift it, flags."""

    rule: str
    passed: bool
    explanation: str
    overridable: bool
    flags: list[str]


class EligibilityOut(BaseModel):
    """The ten rules' outcomes for a candidate move, in DOMAIN.md's order."""

    passed: bool
    outcomes: list[RuleOutcomeOut]

    @classmethod
    def of(cls, report: EligibilityReport) -> EligibilityOut:
        """From the domain's report."""
        return cls.model_validate({"passed": report.passed, "outcomes": report.outcomes}, from_attributes=True)


class ConsentOut(BaseModel):
    party: ConsentParty
    given_by: OfficialOut
    position_id: UUID
    letter_number: str
    given_on: date


class TechnicalReviewOut(BaseModel):
    approved: bool
    reviewer: OfficialOut
    reference: str
    reviewed_on: date
    notes: str


class RecommendationOut(BaseModel):
    recommended: bool
    by: OfficialOut
    notes: str


class OverrideOut(BaseModel):
    rule: str
    justification: str
    authorised_by: OfficialOut


class DecisionOut(BaseModel):
    approved: bool
    decided_by: OfficialOut
    reason: str
    eligibility: list[RuleOutcomeOut]
    overrides: list[OverrideOut]
    jpm: Decimal | None
    decided_on: date | None = Field(description="the day of the decision (unknown for old records)")


class DecreeOut(BaseModel):
    number: str
    signed_on: date
    effective_on: date
    signed_by: OfficialOut
    eligibility: list[RuleOutcomeOut] = Field(description="every rule judged again on the TMT at signing")
    overrides: list[OverrideOut] = Field(description="rules lifted at the decree")


class FindingsOut(BaseModel):
    months_after: int
    evaluated_on: date
    performance_after: Predikat
    adaptation: Expectation
    service_quality: Expectation
    notes: str
    corrective_action: str | None


class PlanReferenceOut(BaseModel):
    """The mutation plan a proposal was adopted from, with the plan's parameters."""

    plan_id: UUID
    plan_version: int
    recommended_jpm: Decimal
    options: PlanOptions


class ProposalOut(BaseModel):
    """A proposal with its JPM and the eligibility result rule by rule, and its paperwork."""

    proposal_id: UUID
    employee_id: UUID
    from_position_id: UUID
    target_position_id: UUID
    reason: str
    proposed_by: OfficialOut
    jpm: Decimal
    jpm_category: JpmCategory
    eligibility: list[RuleOutcomeOut]
    status: ProposalStatus
    withdrawal_reason: str | None
    consents: list[ConsentOut]
    technical_review: TechnicalReviewOut | None
    recommendation: RecommendationOut | None
    decision: DecisionOut | None
    decree: DecreeOut | None
    executed_on: date | None
    evaluations: list[FindingsOut]
    plan: PlanReferenceOut | None = None
    earlier_decisions: list[DecisionOut] = Field(
        default_factory=list, description=("decisions an upheld objection reopened, oldest first")
    )
    objections: list[ObjectionOut] = Field(default_factory=list)


class FreezeWindowOut(BaseModel):
    starts_on: date
    ends_on: date
    reason: str


class RoundOut(BaseModel):
    """A round as of the version read, with every proposal."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": ROUND_ID,
                    "version": 4,
                    "agency": "Pemerintah Kota Pariaman",
                    "kind": "within_agency",
                    "title": "Mutasi Tahap I 2026",
                    "status": "open",
                    "period_starts_on": "2026-01-01",
                    "period_ends_on": "2026-06-30",
                    "planned_effective_on": "2026-03-01",
                    "freeze_windows": [],
                    "opened_by": {"user": "operator-bkpsdm", "nip": None},
                    "announced_on": None,
                    "closed_on": None,
                    "proposals": [
                        {
                            "proposal_id": PROPOSAL_ID,
                            "employee_id": EMPLOYEE_ID,
                            "from_position_id": "5c3e1f0a-2b4d-4e6f-8a9b-0c1d2e3f4a5b",
                            "target_position_id": POSITION_ID,
                            "reason": "best competency match for the vacancy",
                            "proposed_by": {"user": "operator-bkpsdm", "nip": None},
                            "jpm": "92.50",
                            "jpm_category": "MS",
                            "eligibility": [
                                {
                                    "rule": "tenure",
                                    "passed": True,
                                    "explanation": "6 years in the position (at least 2)",
                                    "overridable": False,
                                    "flags": [],
                                }
                            ],
                            "status": "proposed",
                            "withdrawal_reason": None,
                            "consents": [],
                            "technical_review": None,
                            "recommendation": {
                                "recommended": True,
                                "by": {"user": "ketua-tpk", "nip": "197001011995031001"},
                                "notes": "fits the standard; recommended",
                            },
                            "decision": None,
                            "decree": None,
                            "executed_on": None,
                            "evaluations": [],
                            "plan": None,
                        }
                    ],
                }
            ]
        }
    )

    id: UUID
    version: int
    agency: str
    kind: TransferKind
    title: str
    status: RoundStatus
    period_starts_on: date
    period_ends_on: date
    planned_effective_on: date
    freeze_windows: list[FreezeWindowOut]
    opened_by: OfficialOut
    announced_on: date | None
    closed_on: date | None
    non_working_days: list[date] = []
    objections_until: date | None = Field(None, description="the last day of the objection window, once announced")
    proposals: list[ProposalOut]

    @classmethod
    def of(cls, mutation_round: MutationRound, policy: RulePolicy) -> RoundOut:
        """The record of a `MutationRound` aggregate (its objection window counted under `policy`)."""
        r = mutation_round
        proposals = [
            {
                **vars(p),
                "consents": list(p.consents.values()),
                "earlier_decisions": r.earlier_decisions.get(p.proposal_id, []),
                "objections": [ObjectionOut.of(o) for o in r.objections.values() if o.proposal_id == p.proposal_id],
            }
            for p in r.proposals.values()
        ]
        return cls.model_validate(
            {
                "id": r.id,
                "version": r.version,
                "agency": r.agency,
                "kind": r.kind,
                "title": r.title,
                "status": r.status,
                "period_starts_on": r.period_starts_on,
                "period_ends_on": r.period_ends_on,
                "planned_effective_on": r.planned_effective_on,
                "freeze_windows": r.freeze_windows,
                "opened_by": r.opened_by,
                "announced_on": r.announced_on,
                "closed_on": r.closed_on,
                "proposals": proposals,
                "non_working_days": r.non_working_days,
                "objections_until": r.objection_window_closes_on(policy),
            },
            from_attributes=True,
        )


class AnnouncedTransfer(BaseModel):
    """One approved transfer as the public sees it: NIP masked, no birth date, no scores or records."""

    masked_nip: str = Field(examples=["**************1001"])
    name: str
    from_unit: str
    from_title: str
    to_unit: str
    to_title: str
    decree_number: str | None
    effective_on: date | None


class AnnouncementOut(BaseModel):
    """The published list of an announced (or closed) round."""

    round_id: UUID
    agency: str
    title: str
    kind: TransferKind
    announced_on: date
    transfers: list[AnnouncedTransfer]
