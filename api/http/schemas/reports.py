"""One typed schema per report, for the OpenAPI document and the clients generated from it.

A report is what `projections.reports` builds: a title, the view's stamp, the parameters it was asked
with, and its tables in a fixed order, each `{"name", "columns", "rows"}`. Here each table's rows get
their own model (a row holds exactly the table's columns), and `sections` is a list of the report's
tables told apart by `name`.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.config import JsonDict

from domain.eligibility import RULE_CODES
from domain.objection import ObjectionGrounds
from projections.queries import Stamp
from projections.reports import MERIT_ASPECTS, MERIT_INDICATORS

Share = Annotated[float | None, Field(description="a fraction 0..1 (null when there is nothing to divide by)")]
DecimalText = Annotated[str, Field(description='a decimal number written as text, e.g. "82.50"', examples=["82.50"])]
RuleResult = Literal["pass", "FAIL"]
Verdict = Literal["approved", "rejected"]
if TYPE_CHECKING:  # closed lists read at run time: a Literal of them is for pydantic; to mypy they are text
    Grounds = str
    MeritAspect = str
    MeritIndicator = str
else:
    Grounds = Literal[tuple(g.value for g in ObjectionGrounds)]
    MeritAspect = Literal[MERIT_ASPECTS]
    MeritIndicator = Literal[tuple(MERIT_INDICATORS)]


class Row(BaseModel):
    """A row of a report table: one field per column."""

    model_config = ConfigDict(populate_by_name=True)


# -- placements ------------------------------------------------------------------------------------


class EmployeePlacementRow(Row):
    position_id: UUID
    title: str | None
    unit: str | None
    agency: str | None
    since: date
    until: date | None
    decree_number: str
    round_id: UUID | None


class PositionHolderRow(Row):
    employee_id: UUID
    nip: str | None
    name: str | None
    since: date
    until: date | None
    decree_number: str
    left_by: str | None = Field(description="the decree (or 'retirement') that ended the holding")


# -- staffing --------------------------------------------------------------------------------------


class StaffingPositionRow(Row):
    agency: str
    unit: str
    position_id: UUID
    title: str
    position_type: str | None
    formasi: int
    holders: int
    vacancies: int
    surplus: int


class StaffingUnitRow(Row):
    agency: str
    unit: str
    positions: int
    formasi: int
    holders: int
    vacancies: int
    surplus: int
    fill_rate: Share


class StaffingAgencyRow(Row):
    agency: str
    positions: int
    formasi: int
    holders: int
    vacancies: int
    surplus: int
    fill_rate: Share


class StaffingSpreadRow(Row):
    agency: str
    position_type: str | None
    units_with_surplus: str = Field(examples=["BPKAD (+2)"])
    units_with_vacancies: str = Field(examples=["Bappeda (1), Dinas Pendidikan (2)"])
    movable: int = Field(description="holders that could move from surplus to vacancy")


# -- round board -----------------------------------------------------------------------------------


class RoundHeadRow(Row):
    round_id: UUID
    agency: str
    kind: str
    title: str
    status: str
    planned_effective_on: date
    announced_on: date | None
    closed_on: date | None
    objections: int = Field(description="objections filed on the round's proposals")
    objections_pending: int = Field(description="of those, not answered yet")


_RULE_COLUMNS: dict[str, Any] = {
    f"rule_{code}": (RuleResult | None, Field(None, description=f"rule {code}: pass or FAIL")) for code in RULE_CODES
}


class _ProposalRowBase(Row):
    proposal_id: UUID
    name: str | None
    nip: str | None
    from_title: str | None
    from_unit: str | None
    target_title: str | None
    target_unit: str | None
    reason: str
    jpm: DecimalText | None
    jpm_category: str | None


class _ProposalRowTail(Row):
    proposed_by: str | None
    consents: str = Field(description="party: letter number, comma-separated")
    technical_review: str | None
    recommended: bool | None
    status: str
    decided_by: str | None
    decision_reason: str | None
    overrides: str = Field(description="overridden rule codes, comma-separated")
    decree_number: str | None
    executed_on: date | None
    objections: int = Field(description="objections filed on this proposal")
    objections_pending: int = Field(description="of those, not answered yet")
    objection_states: str | None = Field(
        description="each objection's state (pending, upheld, dismissed), comma-separated; null: none",
        examples=["upheld, dismissed"],
    )
    earlier_decisions: str | None = Field(
        description="the decisions an upheld objection reopened (approved, rejected), oldest first, "
        "comma-separated; null: none",
        examples=["rejected"],
    )


def _columns(model: type[Row]) -> dict[str, Any]:
    """The fields of `model` as `create_model` takes them: (annotation, field). The values are Any, as
    in `_RULE_COLUMNS`: spread into `create_model`, a key could also be one of its `__config__`-like
    options, so no narrower value type matches its signature."""
    return {name: (field.annotation, field) for name, field in model.model_fields.items()}


RoundProposalRow: type[Row] = create_model(  # the rule columns follow the rules' own list
    "RoundProposalRow",
    __base__=Row,
    __doc__="A proposal of the round: JPM, each rule's result, paperwork.",
    **_columns(_ProposalRowBase),
    **_RULE_COLUMNS,
    **_columns(_ProposalRowTail),
)


# -- transparency (public) -------------------------------------------------------------------------


class AnnouncedRoundRow(Row):
    """An announced round with the counts of its proposals (counts only: no candidate is named)."""

    round_id: UUID
    round_title: str
    agency: str
    kind: str
    announced_on: date | None
    proposals: int
    approved: int
    rejected: int
    withdrawn: int
    overrides: int = Field(description="approvals that overrode a failed rule, at the decision or the decree")
    decreed: int
    executed: int
    evaluated: int


class PublicDecisionRow(Row):
    """An approved transfer as the public sees it: no birth date, score or sanction; the NIP masked.
    Rejected or withdrawn candidates are never named (only counted, in `rounds`)."""

    round_id: UUID
    round_title: str | None
    agency: str | None
    announced_on: date | None
    proposal_id: UUID
    position: str | None
    unit: str | None
    name: str | None
    nip_masked: str | None = Field(examples=["**************1001"])
    from_position: str | None
    from_unit: str | None
    jpm_category: str | None
    reason: str | None
    decision: Literal["approved"]
    decree_number: str | None
    effective_on: date | None = Field(description="the decree's TMT; null until the decree")


class PublicObjectionCountRow(Row):
    """How many objections a round had and how they ended: counts only, never who objected or why."""

    round_id: UUID
    round_title: str
    agency: str
    filed: int
    upheld: int
    dismissed: int
    reversed: int = Field(description="decisions taken again after an upheld objection that differ from the first")


# -- accountability --------------------------------------------------------------------------------


class AccountabilitySummaryRow(Row):
    proposals: int
    decisions: int
    approved: int
    overrides: int
    approved_below_jpm_threshold: int
    decided_by_proposer: int = Field(description="must be 0")
    from_plan: int
    followed_plan: int
    departed_from_plan: int
    median_hours_to_decision: float | None
    max_hours_to_decision: float | None
    objections: int
    objections_upheld: int
    objections_dismissed: int
    objections_pending: int
    decisions_superseded: int = Field(description="decisions an upheld objection reopened")
    reopened_awaiting_decision: int = Field(description="proposals reopened and not decided again yet")
    reversed_on_objection: int = Field(description="decisions taken again that differ from the one reopened")


class DecisionRow(Row):
    round_title: str | None
    proposal_id: UUID
    name: str | None
    nip: str | None
    target: str = Field(examples=["Analis Anggaran (Bappeda)"])
    approved: bool | None
    decided_by: str | None
    decided_at: datetime | None
    recorded_by: str | None = Field(description="the user whose token recorded the decision")
    reason: str | None
    failed_rules: str = Field(description="rule codes that failed at the decision, comma-separated")
    proposed_by: str | None
    proposed_at: datetime | None
    hours_to_decision: float | None
    jpm_at_decision: DecimalText | None
    below_jpm_threshold: bool
    decided_by_proposer: bool
    plan_id: UUID | None
    plan: Literal["followed", "departed"] | None
    superseded_by_objection: UUID | None = Field(
        description="the upheld objection that reopened this decision; null: the decision stands"
    )
    reverses_earlier_decision: bool | None = Field(
        description="a decision taken again: whether it differs from the one reopened; null: a first decision"
    )


class OverrideRow(Row):
    proposal_id: UUID
    name: str | None
    moment: Literal["decision", "decree"]
    rule: str
    justification: str
    authorised_by: str | None
    decided_by: str | None
    decided_at: datetime | None
    superseded_by_objection: UUID | None = Field(
        description="the upheld objection that reopened the decision carrying the override"
    )


class ObjectionRow(Row):
    """An objection with its grounds, text and answer, and the decision taken after an upheld one."""

    round_title: str | None
    proposal_id: UUID
    name: str | None
    nip: str | None
    target: str = Field(examples=["Analis Anggaran (Bappeda)"])
    objection_id: UUID
    grounds: Grounds
    text: str
    filed_by: str
    on_behalf_of: str | None = Field(description="the employee, when an operator filed with their letter")
    letter_reference: str | None
    filed_on: date
    filed_at: datetime | None
    plan_explanation: str | None
    decision_contested: Verdict | None
    answer: Literal["upheld", "dismissed", "pending"]
    reasons: str | None
    answered_by: str | None
    answered_on: date | None
    answered_at: datetime | None
    days_to_answer: int | None
    human_review_by: str | None
    human_review_grounds: str | None
    decision_after: Literal["approved", "rejected", "reopened"] | None = Field(
        description="the decision taken after an upheld objection; 'reopened' while it waits"
    )
    reversed: bool


class ReversalRow(Row):
    """A decision taken again after an upheld objection that differs from the one it reopened."""

    round_title: str | None
    proposal_id: UUID
    name: str | None
    nip: str | None
    target: str = Field(examples=["Analis Anggaran (Bappeda)"])
    objection_id: UUID
    decision_before: Verdict
    decided_before_by: str
    decided_before_at: datetime | None
    reason_before: str
    decision_after: Verdict
    decided_after_by: str
    decided_after_at: datetime | None
    reason_after: str


# -- evaluation ------------------------------------------------------------------------------------


class EvaluatedTransferRow(Row):
    round_title: str | None
    proposal_id: UUID
    name: str | None
    nip: str | None
    from_: str | None = Field(alias="from", examples=["Analis Keuangan (BPKAD)"])
    unit: str | None
    to: str | None
    executed_on: date | None
    evaluations: int
    performance_before: str | None
    performance_after: str | None
    dropped: bool
    corrective_action: str | None


class FlaggedTransferRow(Row):
    proposal_id: UUID
    name: str | None
    unit: str | None
    performance_before: str | None
    performance_after: str | None
    corrective_action: str | None


class OverdueEvaluationRow(Row):
    proposal_id: UUID
    name: str | None
    unit: str | None
    round_title: str | None
    months_after: int
    due_on: date
    days_overdue: int


class EvaluationGroupRow(Row):
    round_title: str | None
    unit: str | None
    transfers: int
    evaluated: int
    dropped: int


# -- talent ----------------------------------------------------------------------------------------


class TalentBoxRow(Row):
    box: int | None = Field(description="9 (high performance, high potential) .. 1; null: not rated yet")
    employees: int
    follow_up: str | None


class TalentEmployeeRow(Row):
    name: str
    nip: str
    agency: str | None
    unit: str | None
    position: str | None
    performance: str | None
    potential: str | None
    box: int | None
    follow_up: str | None


class DevelopmentNeedRow(Row):
    name: str
    nip: str
    unit: str | None
    gaps_current: str = Field(examples=["keuangan_daerah -1"])
    target_position: str | None
    gaps_target: str
    recommended: str
    planned: str
    jp_done: int
    jp_entitlement: int
    jp_missing: int


# -- merit -----------------------------------------------------------------------------------------


class MeritRow(Row):
    round_id: UUID
    title: str
    agency: str
    proposals: int
    decisions: int
    documented_reason: Share
    announced_before_decree: Share
    transfers_evaluated: Share
    decisions_within_rules: Share
    objections_filed: int
    objections_answered: Share
    objections_upheld: int
    decisions_reversed_on_objection: int
    median_days_to_answer: float | None = Field(description="days from filing an objection to its answer")


class MeritIndicatorRow(Row):
    """One indicator of one round, under the merit-system aspect it gives evidence for."""

    round_id: UUID
    title: str
    aspect: MeritAspect
    indicator: MeritIndicator
    value: int | float | None = Field(description="a share 0..1, a count or a number of days (null: nothing to count)")
    evidence: str


class MeritAspectRow(Row):
    aspect: MeritAspect
    indicators: str | None = Field(description="the indicators of this report under the aspect, comma-separated")


class SupervisionRow(Row):
    institution: str
    role: str


# -- sections and reports --------------------------------------------------------------------------


def _literal(value: str) -> Any:
    """`Literal[value]` of a value known at run time: a type for pydantic, none mypy can see (Any)."""
    return Literal[value]


def _section(model_name: str, name: str, row: type[BaseModel]) -> type[BaseModel]:
    """The model of one table: `name` fixed, its columns, its rows."""
    return create_model(
        model_name,
        __doc__=f"The `{name}` table.",
        name=(_literal(name), ...),
        columns=(list[str], Field(description="the columns, in order (each row has exactly these)")),
        rows=(list[row], ...),  # type: ignore[valid-type]
    )


def _sections(prefix: str, tables: dict[str, type[BaseModel]]) -> Any:
    models = [
        _section(f"{prefix}{''.join(p.title() for p in name.split('_'))}Section", name, row)
        for name, row in tables.items()
    ]
    if len(models) == 1:
        return list[models[0]]  # type: ignore[valid-type]
    return list[Annotated[reduce(or_, models), Field(discriminator="name")]]  # type: ignore[misc]


class ReportBase(BaseModel):
    """What every report states: what it is, the view position and time it is as of, when it was made."""

    title: str
    stamp: Stamp
    generated_at: datetime


class ByRound(BaseModel):
    round_id: UUID | None = None
    agency: str | None = None


class EmployeePlacementsParameters(BaseModel):
    employee_id: UUID


class PositionHoldersParameters(BaseModel):
    position_id: UUID


class StaffingParameters(BaseModel):
    agency: str | None = None
    unit: str | None = None


class RoundBoardParameters(BaseModel):
    round_id: UUID


class TransparencyParameters(ByRound):
    pass


class AccountabilityParameters(ByRound):
    pass


class EvaluationParameters(ByRound):
    today: date = Field(description="the day overdue evaluations are counted on")
    unit: str | None = None
    evaluation_months: list[int] = Field(description="months after a transfer when it is evaluated")


class TalentParameters(BaseModel):
    year: int
    agency: str | None = None
    unit: str | None = None


class MeritParameters(ByRound):
    pass


EmployeePlacementsSections = _sections("EmployeePlacements", {"placements": EmployeePlacementRow})
PositionHoldersSections = _sections("PositionHolders", {"holders": PositionHolderRow})
StaffingSections = _sections(
    "Staffing",
    {
        "positions": StaffingPositionRow,
        "units": StaffingUnitRow,
        "agencies": StaffingAgencyRow,
        "spread": StaffingSpreadRow,
    },
)
RoundBoardSections = _sections("RoundBoard", {"round": RoundHeadRow, "proposals": RoundProposalRow})
TransparencySections = _sections(
    "Transparency", {"rounds": AnnouncedRoundRow, "decisions": PublicDecisionRow, "objections": PublicObjectionCountRow}
)
AccountabilitySections = _sections(
    "Accountability",
    {
        "summary": AccountabilitySummaryRow,
        "decisions": DecisionRow,
        "overrides": OverrideRow,
        "below_jpm_threshold": DecisionRow,
        "decided_by_proposer": DecisionRow,
        "objections": ObjectionRow,
        "reversed_on_objection": ReversalRow,
    },
)
EvaluationSections = _sections(
    "Evaluation",
    {
        "transfers": EvaluatedTransferRow,
        "flagged": FlaggedTransferRow,
        "overdue": OverdueEvaluationRow,
        "per_round_and_unit": EvaluationGroupRow,
    },
)
TalentSections = _sections(
    "Talent", {"boxes": TalentBoxRow, "employees": TalentEmployeeRow, "development_needs": DevelopmentNeedRow}
)
MeritSections = _sections(
    "Merit",
    {"rounds": MeritRow, "indicators": MeritIndicatorRow, "aspects": MeritAspectRow, "addressed_to": SupervisionRow},
)


class EmployeePlacementsReport(ReportBase):
    """Placement history of one employee."""

    report: Literal["placements-employee"]
    parameters: EmployeePlacementsParameters
    sections: EmployeePlacementsSections  # type: ignore[valid-type]


class PositionHoldersReport(ReportBase):
    """Who held a position when."""

    report: Literal["placements-position"]
    parameters: PositionHoldersParameters
    sections: PositionHoldersSections  # type: ignore[valid-type]


_STAMP: JsonDict = {"view": "staffing", "position": 1187, "as_of": "2026-03-02T08:15:00+00:00"}
_AGENCY = "Pemerintah Kota Pariaman"


class StaffingReport(ReportBase):
    """Formasi versus holders per position, unit and agency, and the spread to even out."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "report": "staffing",
                    "title": "Staffing: formasi versus holders",
                    "stamp": _STAMP,
                    "generated_at": "2026-03-02T08:15:01+00:00",
                    "parameters": {"agency": _AGENCY},
                    "sections": [
                        {
                            "name": "positions",
                            "columns": [
                                "agency",
                                "unit",
                                "position_id",
                                "title",
                                "position_type",
                                "formasi",
                                "holders",
                                "vacancies",
                                "surplus",
                            ],
                            "rows": [
                                {
                                    "agency": _AGENCY,
                                    "unit": "BPKAD",
                                    "position_id": "3b0f5c44-3f0e-5d55-9a1c-0d3c8e6f9b21",
                                    "title": "Analis Keuangan Daerah",
                                    "position_type": "fungsional_ahli_pertama",
                                    "formasi": 3,
                                    "holders": 1,
                                    "vacancies": 2,
                                    "surplus": 0,
                                }
                            ],
                        },
                        {
                            "name": "units",
                            "columns": [
                                "agency",
                                "unit",
                                "positions",
                                "formasi",
                                "holders",
                                "vacancies",
                                "surplus",
                                "fill_rate",
                            ],
                            "rows": [
                                {
                                    "agency": _AGENCY,
                                    "unit": "BPKAD",
                                    "positions": 1,
                                    "formasi": 3,
                                    "holders": 1,
                                    "vacancies": 2,
                                    "surplus": 0,
                                    "fill_rate": 0.3333,
                                }
                            ],
                        },
                        {
                            "name": "agencies",
                            "columns": [
                                "agency",
                                "positions",
                                "formasi",
                                "holders",
                                "vacancies",
                                "surplus",
                                "fill_rate",
                            ],
                            "rows": [
                                {
                                    "agency": _AGENCY,
                                    "positions": 1,
                                    "formasi": 3,
                                    "holders": 1,
                                    "vacancies": 2,
                                    "surplus": 0,
                                    "fill_rate": 0.3333,
                                }
                            ],
                        },
                        {
                            "name": "spread",
                            "columns": [
                                "agency",
                                "position_type",
                                "units_with_surplus",
                                "units_with_vacancies",
                                "movable",
                            ],
                            "rows": [],
                        },
                    ],
                }
            ]
        }
    )

    report: Literal["staffing"]
    parameters: StaffingParameters
    sections: StaffingSections  # type: ignore[valid-type]


class RoundBoardReport(ReportBase):
    """Every proposal of a round with JPM, each rule's result, consents, status and decision; its objections."""

    report: Literal["round-board"]
    parameters: RoundBoardParameters
    sections: RoundBoardSections  # type: ignore[valid-type]


class TransparencyReport(ReportBase):
    """Announced decisions, personal data minimised (the public report), and per round the counts of
    objections filed, upheld, dismissed and reversed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "report": "transparency",
                    "title": "Announced transfers (public)",
                    "stamp": {**_STAMP, "view": "transparency"},
                    "generated_at": "2026-03-02T08:15:01+00:00",
                    "parameters": {"agency": _AGENCY},
                    "sections": [
                        {
                            "name": "rounds",
                            "columns": [
                                "round_id",
                                "round_title",
                                "agency",
                                "kind",
                                "announced_on",
                                "proposals",
                                "approved",
                                "rejected",
                                "withdrawn",
                                "overrides",
                                "decreed",
                                "executed",
                                "evaluated",
                            ],
                            "rows": [
                                {
                                    "round_id": "0b5e3a56-4c1f-5e8e-9d6a-2f8f7f3c1a10",
                                    "round_title": "Mutasi Tahap I 2026",
                                    "agency": _AGENCY,
                                    "kind": "within_agency",
                                    "announced_on": "2026-02-20",
                                    "proposals": 3,
                                    "approved": 1,
                                    "rejected": 1,
                                    "withdrawn": 1,
                                    "overrides": 0,
                                    "decreed": 1,
                                    "executed": 1,
                                    "evaluated": 0,
                                }
                            ],
                        },
                        {
                            "name": "decisions",
                            "columns": [
                                "round_id",
                                "round_title",
                                "agency",
                                "announced_on",
                                "proposal_id",
                                "position",
                                "unit",
                                "name",
                                "nip_masked",
                                "from_position",
                                "from_unit",
                                "jpm_category",
                                "reason",
                                "decision",
                                "decree_number",
                                "effective_on",
                            ],
                            "rows": [
                                {
                                    "round_id": "0b5e3a56-4c1f-5e8e-9d6a-2f8f7f3c1a10",
                                    "round_title": "Mutasi Tahap I 2026",
                                    "agency": _AGENCY,
                                    "announced_on": "2026-02-20",
                                    "proposal_id": "6f1d0d7e-8b0f-4f37-9a55-1c7a1f0f2e3b",
                                    "position": "Analis Anggaran",
                                    "unit": "Bappeda",
                                    "name": "Siti Rahmawati",
                                    "nip_masked": "**************1001",
                                    "from_position": "Analis Keuangan",
                                    "from_unit": "BPKAD",
                                    "jpm_category": "MS",
                                    "reason": "best competency match for the vacancy",
                                    "decision": "approved",
                                    "decree_number": "821.2/001/BKPSDM/2026",
                                    "effective_on": "2026-03-01",
                                }
                            ],
                        },
                        {
                            "name": "objections",
                            "columns": [
                                "round_id",
                                "round_title",
                                "agency",
                                "filed",
                                "upheld",
                                "dismissed",
                                "reversed",
                            ],
                            "rows": [
                                {
                                    "round_id": "0b5e3a56-4c1f-5e8e-9d6a-2f8f7f3c1a10",
                                    "round_title": "Mutasi Tahap I 2026",
                                    "agency": _AGENCY,
                                    "filed": 2,
                                    "upheld": 1,
                                    "dismissed": 1,
                                    "reversed": 1,
                                }
                            ],
                        },
                    ],
                }
            ]
        }
    )

    report: Literal["transparency"]
    parameters: TransparencyParameters
    sections: TransparencySections  # type: ignore[valid-type]


class AccountabilityReport(ReportBase):
    """Decisions with who, when and on which grounds (and those an upheld objection reopened); overrides;
    approvals below the JPM threshold; every objection with its answer; decisions reversed on objection."""

    report: Literal["accountability"]
    parameters: AccountabilityParameters
    sections: AccountabilitySections  # type: ignore[valid-type]


class EvaluationReport(ReportBase):
    """Performance before versus after each transfer; drops flagged; evaluations overdue."""

    report: Literal["evaluation"]
    parameters: EvaluationParameters
    sections: EvaluationSections  # type: ignore[valid-type]


class TalentReport(ReportBase):
    """The 9-box talent map and development needs."""

    report: Literal["talent"]
    parameters: TalentParameters
    sections: TalentSections  # type: ignore[valid-type]


class MeritReport(ReportBase):
    """Merit indicators per round, each under the merit-system aspect it evidences; to whom it is addressed."""

    report: Literal["merit"]
    parameters: MeritParameters
    sections: MeritSections  # type: ignore[valid-type]


REPORT_MODELS: dict[str, type[ReportBase]] = {
    model.model_fields["report"].annotation.__args__[0]: model  # type: ignore[union-attr]
    for model in (
        EmployeePlacementsReport,
        PositionHoldersReport,
        StaffingReport,
        RoundBoardReport,
        TransparencyReport,
        AccountabilityReport,
        EvaluationReport,
        TalentReport,
        MeritReport,
    )
}
"""Each report's model by its `report` name."""
