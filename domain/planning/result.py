"""What a plan recommends and why: moves with every rule's result, seats left empty, the spread."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from domain.competency import JpmCategory
from domain.eligibility import RuleOutcome


@dataclass(frozen=True)
class RecommendedMove:
    """One recommended transfer, judged on the plan's seats, with the gaps development should cover.

    `order` is an execution order in which each move finds its seat free; `takes_seat_of` names the
    plan's mover whose departure frees the seat, if any (a chain). `joint` marks a move of a cycle of
    full positions: its transfers must take effect together.
    """

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
    eligibility: tuple[RuleOutcome, ...]
    gaps: dict[str, int]
    flags: tuple[str, ...]
    order: int
    takes_seat_of: UUID | None = None
    joint: bool = False


@dataclass(frozen=True)
class CandidateVerdict:
    """Why one pool member does not fill an empty seat: the failed rules (codes), or what the optimum did.

    Rule codes are those of the ten rules; `plan:` codes are the plan's own options
    (`plan:min_jpm`, `plan:excluded`) and `plan:not_chosen` for an eligible candidate left elsewhere.
    """

    employee_id: UUID
    name: str
    jpm: Decimal
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class EmptySeat:
    """A position that keeps free seats after the plan, and why nobody was recommended for them."""

    position_id: UUID
    unit: str
    title: str
    free_seats: int
    reason: str
    blocked_by: dict[str, int]
    candidates: tuple[CandidateVerdict, ...]
    candidates_total: int


@dataclass(frozen=True)
class UnitSpread:
    """Staffing of one unit before and after the plan, against its formasi."""

    unit: str
    formasi: int
    staffed_before: int
    promised: int
    arriving: int
    leaving: int
    staffed_after: int

    @property
    def vacancies_after(self) -> int:
        """Formasi minus staff after the plan and seats promised by approved proposals."""
        return self.formasi - self.staffed_after - self.promised


@dataclass(frozen=True)
class SkippedCandidate:
    """A pool member left out before solving, with the reason."""

    employee_id: UUID
    name: str
    reason: str


@dataclass(frozen=True)
class PlanResult:
    """The whole recommendation: moves, empty seats, spread, and figures about the solve."""

    moves: tuple[RecommendedMove, ...]
    empty_seats: tuple[EmptySeat, ...]
    spread: tuple[UnitSpread, ...]
    skipped: tuple[SkippedCandidate, ...]
    pool_size: int
    seats_open_before: int
    pairs_considered: int
    eligible_pairs: int
    total_jpm: Decimal
    jpm_gain: Decimal
    solver: str
    status: str
