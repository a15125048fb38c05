"""The MutationPlan aggregate: a computed recommendation for a round, kept, and adopted into proposals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.employee import Employee
from domain.errors import DomainError, IllegalTransition
from domain.mutation_round import MutationRound
from domain.official import Official
from domain.plan_options import PlanOptions, PlanReference
from domain.planning.result import PlanResult, RecommendedMove
from domain.policy import RulePolicy
from domain.position import Position
from domain.values import require_text


class MoveNotInPlan(DomainError):
    """The plan recommends no move for that employee."""

    code = "move-not-in-plan"


@dataclass(frozen=True)
class Adoption:
    """A recommended move turned into a proposal of the round."""

    employee_id: UUID
    position_id: UUID
    proposal_id: UUID


class MutationPlan(Aggregate):
    """A plan computed for a round: its parameters, result and explanations, and what was adopted."""

    if TYPE_CHECKING:  # made at runtime by @event; declared for the type checker only (never executed:
        # the Aggregate metaclass would turn class-level annotations into __init__ fields)
        Computed: ClassVar[type[Aggregate.Created]]
        Adopted: ClassVar[type[Aggregate.Event]]

    @classmethod
    def compute(
        cls,
        round_id: UUID,
        round_version: int,
        options: PlanOptions,
        result: PlanResult,
        computed_by: Official,
        computed_on: date,
    ) -> MutationPlan:
        """Keep a computed plan (see `domain.planning.planner.compute_plan`)."""
        return cls(
            round_id=round_id,
            round_version=round_version,
            options=options,
            result=result,
            computed_by=computed_by,
            computed_on=computed_on,
        )

    @event("Computed")
    def __init__(
        self,
        round_id: UUID,
        round_version: int,
        options: PlanOptions,
        result: PlanResult,
        computed_by: Official,
        computed_on: date,
    ) -> None:
        self.round_id = round_id
        self.round_version = round_version
        self.options = options
        self.result = result
        self.computed_by = computed_by
        self.computed_on = computed_on
        self.adoptions: dict[UUID, Adoption] = {}

    def move_of(self, employee_id: UUID) -> RecommendedMove:
        """The recommended move of an employee, or `MoveNotInPlan`."""
        move = next((mv for mv in self.result.moves if mv.employee_id == employee_id), None)
        if move is None:
            raise MoveNotInPlan(f"plan {self.id} recommends no move for employee {employee_id}")
        return move

    def adopt(
        self,
        mutation_round: MutationRound,
        employees: dict[UUID, Employee],
        positions: dict[UUID, Position],
        employee_ids: tuple[UUID, ...] | None,
        reason: str,
        by: Official,
        policy: RulePolicy,
    ) -> tuple[Adoption, ...]:
        """Propose the selected moves (all not yet adopted when None) in the round, in the plan's order."""
        if mutation_round.id != self.round_id:
            raise IllegalTransition(f"plan {self.id} belongs to round {self.round_id}, not {mutation_round.id}")
        reason = require_text(reason, "reason")
        if employee_ids is None:
            moves = [mv for mv in self.result.moves if mv.employee_id not in self.adoptions]
        else:
            wanted = set(employee_ids)
            for employee_id in sorted(wanted, key=str):
                self.move_of(employee_id)
                if employee_id in self.adoptions:
                    raise IllegalTransition(
                        f"the move of employee {employee_id} was already adopted as "
                        f"proposal {self.adoptions[employee_id].proposal_id}"
                    )
            moves = [mv for mv in self.result.moves if mv.employee_id in wanted]
        if not moves:
            raise IllegalTransition(f"plan {self.id} has no move left to adopt")
        adopted = []
        for mv in moves:
            reference = PlanReference(self.id, self.version, self.options, mv.jpm)
            proposal_id = mutation_round.propose(
                employees[mv.employee_id],
                positions[mv.from_position_id],
                positions[mv.to_position_id],
                f"{reason} (plan {self.id}, move {mv.order}: JPM {mv.jpm} {mv.category.value})",
                by,
                policy,
                plan=reference,
            )
            adopted.append(Adoption(mv.employee_id, mv.to_position_id, proposal_id))
        self._adopted(mutation_round.id, tuple(adopted), by, reason)
        return tuple(adopted)

    @event("Adopted")
    def _adopted(self, round_id: UUID, adoptions: tuple[Adoption, ...], by: Official, reason: str) -> None:
        for adoption in adoptions:
            self.adoptions[adoption.employee_id] = adoption


def move_explanation(plan: MutationPlan, employee_id: UUID) -> str:
    """Why the plan placed an employee where it did, in words the employee can read: the plan, the
    move, its fit against the current post, each rule's result and the seat it takes."""
    move = plan.move_of(employee_id)
    rules = "; ".join(f"{o.rule} {'passed' if o.passed else 'FAILED'}: {o.explanation}" for o in move.eligibility)
    seat = f"; it takes the seat of employee {move.takes_seat_of}" if move.takes_seat_of else ""
    joint = "; it is executed together with the moves it makes room for" if move.joint else ""
    return (
        f"Mutation plan {plan.id} (computed on {plan.computed_on} by {plan.computed_by.user}) recommended "
        f"moving {move.name} from {move.from_title} ({move.from_unit}) to {move.to_title} ({move.to_unit}), "
        f"move {move.order} of {len(plan.result.moves)}: Job-Person Match {move.jpm} ({move.category.value}) "
        f"against {move.jpm_in_current_position} in the current position{seat}{joint}. Rules: {rules}."
    )
