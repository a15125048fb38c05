"""In-memory registers for planning tests: positions with one-competency standards, candidates by JPM."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.official import Official
from domain.plan_options import PlanOptions
from domain.planning.planner import compute_plan
from domain.planning.register import PlanningRegister
from domain.planning.result import PlanResult
from domain.policy import RulePolicy
from domain.position import Position
from tests.unit import builders
from tests.unit.builders import OPERATOR

PLANNER = Official("ketua-tpk", nip="197001011995031001", agencies=(builders.AGENCY,))


@dataclass
class World:
    """A round, positions by name and employees by name; `plan()` computes a plan over all of them."""

    round: MutationRound = field(default_factory=builders.mutation_round)
    positions: dict[str, Position] = field(default_factory=dict)
    employees: dict[str, Employee] = field(default_factory=dict)
    seq: int = 0

    def position(self, name: str, unit: str = "BPKAD", formasi: int = 1, **kwargs) -> Position:
        """A position whose standard is 5 in `integritas` and 5 in its own competency `k_<name>`."""
        standard = kwargs.pop("standard", {"integritas": 5, f"k_{name.lower()}": 5})
        made = builders.position(title=name, unit=unit, formasi=formasi, standard=standard, **kwargs)
        self.positions[name] = made
        return made

    def employee(
        self, name: str, at: str, fit: dict[str, int] | None = None, placed_on: date = builders.PLACED_ON, **kwargs
    ) -> Employee:
        """An employee in position `at`; `fit` maps position names to the level (1-5) in their competency.

        With integritas 5, a level L in position P's own competency gives JPM (5 + L) x 10 in P.
        """
        self.seq += 1
        scores = {"integritas": 5, **{f"k_{p.lower()}": level for p, level in (fit or {}).items()}}
        made = builders.employee(self.seq, at=self.positions[at], placed_on=placed_on, scores=scores, **kwargs)
        self.employees[name] = made
        return made

    def register(self) -> PlanningRegister:
        return PlanningRegister.of(self.round, self.positions.values(), self.employees.values())

    def plan(self, actor: Official = PLANNER, policy: RulePolicy | None = None, **options) -> PlanResult:
        return compute_plan(self.register(), PlanOptions(**options), actor, policy or RulePolicy())

    def name_of(self, employee_id) -> str:
        return next(n for n, e in self.employees.items() if e.id == employee_id)

    def title_of(self, position_id) -> str:
        return next(n for n, p in self.positions.items() if p.id == position_id)

    def moves(self, result: PlanResult) -> dict[str, str]:
        """The plan's moves as {employee name: target position name}."""
        return {self.name_of(mv.employee_id): self.title_of(mv.to_position_id) for mv in result.moves}


__all__ = ["World", "PLANNER", "OPERATOR"]
