"""Mutation-plan requests (the committee's options), the kept plan with its reasons, and adoption."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from api.http.schemas.common import EMPLOYEE_ID, Body, Name, OfficialOut, Text, example
from api.http.schemas.rounds import RuleOutcomeOut
from domain.competency import JpmCategory
from domain.plan_options import Pair, PlanOptions
from domain.planning.plan import MutationPlan
from domain.vocabulary import PositionType

Ids = list[UUID]


class PairIn(Body):
    """An employee and a target position, to pin or to exclude."""

    model_config = example(employee_id=EMPLOYEE_ID, position_id="3b0f5c44-3f0e-5d55-9a1c-0d3c8e6f9b21")

    employee_id: UUID
    position_id: UUID


class PlanRequest(Body):
    """The committee's options for a plan of the round; every field may be left out.

    The pool is everyone holding a position the round may move (within or across agencies), narrowed
    by `units`, `position_types` and `due_for_rotation_only` (more than 5 years in the position);
    `volunteers` join whatever those filters say. Seats are the round agency's positions (only
    `target_units`, if given): vacancies from formasi minus seats promised to approved proposals, plus
    the seats the plan's own moves free.
    """

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "due_for_rotation_only": True,
                    "shortage_weight": "20",
                    "priority_units": ["SD Negeri 5 Wanggar"],
                    "max_moves": 40,
                    "min_jpm": "70",
                }
            ]
        },
    )

    units: list[Name] = Field(default_factory=list, max_length=500)
    position_types: list[PositionType] = Field(default_factory=list, max_length=20)
    due_for_rotation_only: bool = False
    volunteers: Ids = Field(default_factory=list, max_length=10_000)
    target_units: list[Name] = Field(default_factory=list, max_length=500)
    min_jpm: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    shortage_weight: Decimal = Field(
        Decimal(0),
        ge=0,
        le=1000,
        max_digits=6,
        decimal_places=2,
        description=(
            "JPM points for a seat filled in a unit, times the unit's vacancy rate (1 for priority units); "
            "taken off for a seat left there"
        ),
    )
    priority_units: list[Name] = Field(default_factory=list, max_length=500)
    keep_in_place: bool = Field(
        True, description=("false: move as many pool members as seats allow, then maximise JPM")
    )
    max_moves: int | None = Field(None, ge=0, le=100_000, description="at most this many moves")
    pinned_pairs: list[PairIn] = Field(default_factory=list, max_length=1000)
    pinned_employees: Ids = Field(default_factory=list, max_length=1000, description="must move")
    pinned_positions: Ids = Field(default_factory=list, max_length=1000, description="must receive someone")
    excluded_pairs: list[PairIn] = Field(default_factory=list, max_length=10_000)
    excluded_employees: Ids = Field(default_factory=list, max_length=10_000)
    excluded_positions: Ids = Field(default_factory=list, max_length=10_000)
    explain_limit: int = Field(20, ge=0, le=1000, description="candidates listed per empty seat")

    def options(self) -> PlanOptions:
        """As the domain's `PlanOptions`: each field its option of the same name, lists as tuples
        (tests/api/test_schema_mirrors.py keeps the two in step)."""
        data = self.model_dump(exclude={"pinned_pairs", "excluded_pairs"})
        options: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return PlanOptions(
            **options,
            pinned_pairs=tuple(Pair(p.employee_id, p.position_id) for p in self.pinned_pairs),
            excluded_pairs=tuple(Pair(p.employee_id, p.position_id) for p in self.excluded_pairs),
        )


class AdoptPlan(Body):
    """Turn the plan's moves into proposals of the round in one command (all or none)."""

    model_config = example(employee_ids=[EMPLOYEE_ID], reason="TPK meeting of 2 March 2026")

    employee_ids: Ids | None = Field(
        None,
        max_length=10_000,
        description=("adopt only these employees' moves; leave out to adopt every move not adopted yet"),
    )
    reason: Text = Field("recommended by the mutation plan", examples=["TPK meeting of 2 March 2026"])


class PairOut(BaseModel):
    employee_id: UUID
    position_id: UUID


class PlanOptionsOut(BaseModel):
    """The options the plan was computed with (sorted, de-duplicated)."""

    units: list[str]
    position_types: list[PositionType]
    due_for_rotation_only: bool
    volunteers: Ids
    target_units: list[str]
    min_jpm: Decimal | None
    shortage_weight: Decimal
    priority_units: list[str]
    keep_in_place: bool
    max_moves: int | None
    pinned_pairs: list[PairOut]
    pinned_employees: Ids
    pinned_positions: Ids
    excluded_pairs: list[PairOut]
    excluded_employees: Ids
    excluded_positions: Ids
    explain_limit: int


class MoveOut(BaseModel):
    """A recommended move: JPM and category, every rule's result on the plan's seats, gaps to develop."""

    employee_id: UUID
    name: str
    nip: str
    from_position_id: UUID
    from_unit: str
    from_title: str
    to_position_id: UUID
    to_unit: str
    to_title: str
    jpm: Decimal
    category: JpmCategory
    jpm_in_current_position: Decimal
    eligibility: list[RuleOutcomeOut]
    gaps: dict[str, int]
    flags: list[str]
    order: int = Field(description="execution order: each move finds its seat free")
    takes_seat_of: UUID | None = Field(description="the plan's mover whose departure frees this seat")
    joint: bool = Field(description="part of a cycle of full positions: the transfers take effect together")


class VerdictOut(BaseModel):
    """Why one candidate does not fill an empty seat: failed rule codes (or `plan:` reasons) and words."""

    employee_id: UUID
    name: str
    jpm: Decimal
    rules: list[str]
    reason: str


class EmptySeatOut(BaseModel):
    """A position left with free seats, why, and candidate by candidate (best JPM first)."""

    position_id: UUID
    unit: str
    title: str
    free_seats: int
    reason: str
    blocked_by: dict[str, int]
    candidates: list[VerdictOut]
    candidates_total: int


class UnitSpreadOut(BaseModel):
    """Staffing of a unit before and after the plan, against formasi."""

    unit: str
    formasi: int
    staffed_before: int
    promised: int
    arriving: int
    leaving: int
    staffed_after: int
    vacancies_after: int


class SkippedOut(BaseModel):
    employee_id: UUID
    name: str
    reason: str


class PlanResultOut(BaseModel):
    moves: list[MoveOut]
    empty_seats: list[EmptySeatOut]
    spread: list[UnitSpreadOut]
    skipped: list[SkippedOut]
    pool_size: int
    seats_open_before: int
    pairs_considered: int
    eligible_pairs: int
    total_jpm: Decimal
    jpm_gain: Decimal
    solver: str
    status: str


class AdoptionOut(BaseModel):
    employee_id: UUID
    position_id: UUID
    proposal_id: UUID


class PlanOut(BaseModel):
    """A kept plan: for which round (and its version), with which options, its result and adoptions."""

    id: UUID
    version: int
    round_id: UUID
    round_version: int
    computed_by: OfficialOut
    computed_on: date
    options: PlanOptionsOut
    result: PlanResultOut
    adoptions: list[AdoptionOut]

    @classmethod
    def of(cls, plan: MutationPlan) -> PlanOut:
        """The record of a `MutationPlan` aggregate."""
        result = plan.result
        return cls.model_validate(
            {
                "id": plan.id,
                "version": plan.version,
                "round_id": plan.round_id,
                "round_version": plan.round_version,
                "computed_by": plan.computed_by,
                "computed_on": plan.computed_on,
                "options": plan.options,
                "result": {
                    **vars(result),
                    "spread": [{**vars(u), "vacancies_after": u.vacancies_after} for u in result.spread],
                },
                "adoptions": list(plan.adoptions.values()),
            },
            from_attributes=True,
        )
