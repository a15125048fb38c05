"""What a committee asks of a plan (the candidate pool, the seats, the objective's weights and limits), and
the reference a proposal adopted from a plan keeps of it. Beside the round and the planner, so that both
name them without one climbing into the other."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from domain.errors import InvalidValue
from domain.vocabulary import PositionType

_Id = TypeVar("_Id", str, UUID)  # a unit's name or an employee's or position's id


@dataclass(frozen=True, order=True)
class Pair:
    """One employee and one target position (a pin or an exclusion)."""

    employee_id: UUID
    position_id: UUID


@dataclass(frozen=True)
class PlanOptions:
    """The parameters of a plan; `normalised()` sorts and de-duplicates them, so equal asks are equal.

    Pool: employees holding a position in `units` (all when empty) of `position_types` (all when
    empty); with `due_for_rotation_only`, only those the tenure rule flags as due, plus `volunteers`.
    Seats: the round agency's positions (in `target_units` when given). `min_jpm` drops pairs below it
    (the competency rule's own threshold still applies). `shortage_weight` adds that many JPM points,
    times the unit's vacancy rate (1 for `priority_units`), for a seat filled there, and takes it off
    for a seat left there. `keep_in_place=False` moves as many pool members as seats allow before
    maximising JPM. `max_moves` caps the moves. Pins force a pair, a move of a person, or an arrival
    in a position; exclusions forbid them.
    """

    units: tuple[str, ...] = ()
    position_types: tuple[PositionType, ...] = ()
    due_for_rotation_only: bool = False
    volunteers: tuple[UUID, ...] = ()
    target_units: tuple[str, ...] = ()
    min_jpm: Decimal | None = None
    shortage_weight: Decimal = Decimal(0)
    priority_units: tuple[str, ...] = ()
    keep_in_place: bool = True
    max_moves: int | None = None
    pinned_pairs: tuple[Pair, ...] = ()
    pinned_employees: tuple[UUID, ...] = ()
    pinned_positions: tuple[UUID, ...] = ()
    excluded_pairs: tuple[Pair, ...] = ()
    excluded_employees: tuple[UUID, ...] = ()
    excluded_positions: tuple[UUID, ...] = ()
    explain_limit: int = field(default=20)

    def normalised(self) -> PlanOptions:
        """Validated, with every list sorted and de-duplicated."""
        if self.min_jpm is not None and not Decimal(0) <= Decimal(self.min_jpm) <= Decimal(100):
            raise InvalidValue(f"minimum JPM must lie in 0-100, got {self.min_jpm}")
        if not Decimal(0) <= Decimal(self.shortage_weight) <= Decimal(1000):
            raise InvalidValue(f"shortage weight must lie in 0-1000, got {self.shortage_weight}")
        if self.max_moves is not None and not 0 <= self.max_moves <= 1_000_000:
            raise InvalidValue(f"at most K moves needs K >= 0, got {self.max_moves}")
        if not 0 <= self.explain_limit <= 1000:
            raise InvalidValue(f"explain_limit must lie in 0-1000, got {self.explain_limit}")
        pinned = {p.employee_id for p in self.pinned_pairs}
        if len(pinned) != len(set(self.pinned_pairs)):
            raise InvalidValue("an employee is pinned to two positions")
        clash = (
            (set(self.pinned_pairs) & set(self.excluded_pairs))
            or ((pinned | set(self.pinned_employees)) & set(self.excluded_employees))
            or ({p.position_id for p in self.pinned_pairs} | set(self.pinned_positions)) & set(self.excluded_positions)
        )
        if clash:
            raise InvalidValue(f"pinned and excluded at once: {sorted(map(str, clash))}")

        def tidy(values: Iterable[_Id]) -> tuple[_Id, ...]:
            return tuple(sorted(set(values), key=lambda v: str(v) if isinstance(v, UUID) else v))

        return replace(
            self,
            units=tidy(self.units),
            position_types=tuple(sorted(set(map(PositionType, self.position_types)), key=lambda t: t.value)),
            volunteers=tidy(self.volunteers),
            target_units=tidy(self.target_units),
            min_jpm=None if self.min_jpm is None else Decimal(self.min_jpm),
            shortage_weight=Decimal(self.shortage_weight),
            priority_units=tidy(self.priority_units),
            pinned_pairs=tuple(sorted(set(self.pinned_pairs))),
            pinned_employees=tidy(self.pinned_employees),
            pinned_positions=tidy(self.pinned_positions),
            excluded_pairs=tuple(sorted(set(self.excluded_pairs))),
            excluded_employees=tidy(self.excluded_employees),
            excluded_positions=tidy(self.excluded_positions),
        )


@dataclass(frozen=True)
class PlanReference:
    """On a proposal adopted from a plan: which plan (and version) recommended it, with its parameters.
    Stored events hold it as plain fields (no module path), so where it lives does not touch them."""

    plan_id: UUID
    plan_version: int
    options: PlanOptions
    recommended_jpm: Decimal
