"""Use cases of the mutation plan: compute and keep a plan for a round, read it, adopt it into proposals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from application.authority import AgencyAuthority
from application.context import Actor, Recorded
from application.errors import EmployeeNotFound, NotFoundError, PositionNotFound, RoundNotFound
from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.plan_options import PlanOptions
from domain.planning.plan import MutationPlan
from domain.planning.register import PlanningRegister
from domain.position import Position

REGISTER_BATCH = 2000


class PlanNotFound(NotFoundError):
    """No mutation plan with that id."""

    code = "plan-not-found"


def _topics(*classes: type[Aggregate]) -> tuple[str, ...]:
    return tuple(
        sorted(
            get_topic(value)
            for cls in classes
            for value in vars(cls).values()
            if isinstance(value, type) and issubclass(value, Aggregate.Event)
        )
    )


class PlanningUseCases(AgencyAuthority):
    """Commands and queries on the MutationPlan aggregate; a plan belongs to its round's agency, and
    each use case refuses an actor who does not act for it (`application.authority`)."""

    def compute_plan(
        self, actor: Actor, round_id: UUID, options: PlanOptions, expected_version: int | None = None
    ) -> Recorded:
        """Compute the plan that maximises total JPM under every rule, and keep it with its reasons.

        `expected_version` is the round's version the caller looked at.
        """
        mutation_round = self._load_for(
            actor, MutationRound, round_id, RoundNotFound, expected_version, "this round's plans"
        )
        mutation_round.check_open()
        options = options.normalised()
        positions, employees = self._register()
        register = PlanningRegister.of(mutation_round, positions, employees)
        from domain.planning.planner import compute_plan  # the solver (scipy, numpy): only when a plan is computed

        result = compute_plan(register, options, actor.official, self.policy)
        plan = MutationPlan.compute(round_id, mutation_round.version, options, result, actor.official, self.today())
        return self._recorded(actor, plan, plan_id=plan.id)

    def get_plan(
        self,
        plan_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
        reader: Actor | None = None,
    ) -> MutationPlan:
        """The plan now (with its adoptions), at a version, or as recorded at a past moment; a
        `reader` must act for its round's agency (or every agency). Without one: the application's own reads."""
        plan = self._read(MutationPlan, plan_id, PlanNotFound, version, as_of)
        if reader is not None:
            self._check(reader, plan, "this plan")
        return plan

    def adopt_plan(
        self,
        actor: Actor,
        plan_id: UUID,
        employee_ids: Sequence[UUID] | None = None,
        reason: str = "recommended by the mutation plan",
        expected_version: int | None = None,
    ) -> Recorded:
        """Turn the plan's moves (or the selected employees' moves) into proposals, all or none."""
        plan = self._load(MutationPlan, plan_id, PlanNotFound)
        mutation_round = self._load(MutationRound, plan.round_id, RoundNotFound)
        self._check(actor, mutation_round, "this round's plans")
        self._expect(plan, expected_version)
        selected = None if employee_ids is None else tuple(employee_ids)
        moves = [plan.move_of(e) for e in selected] if selected is not None else list(plan.result.moves)
        employees = {mv.employee_id: self._load(Employee, mv.employee_id, EmployeeNotFound) for mv in moves}
        position_ids = {p for mv in moves for p in (mv.from_position_id, mv.to_position_id)}
        positions = {p: self._load(Position, p, PositionNotFound) for p in position_ids}
        plan.adopt(mutation_round, employees, positions, selected, reason, actor.official, self.policy)
        return self._recorded(actor, plan, mutation_round, plan_id=plan.id)

    def _register(self) -> tuple[list[Position], list[Employee]]:
        """Every position and employee now, rebuilt in one pass over the notification log."""
        topics = _topics(Employee, Position)
        aggregates: dict[UUID, Aggregate | None] = {}
        start, inclusive = 1, True
        with self._store_errors():
            while True:
                batch = self.recorder.select_notifications(
                    start, REGISTER_BATCH, topics=topics, inclusive_of_start=inclusive
                )
                for notification in batch:
                    # the topics are the Employee's and the Position's events: `Aggregate.Event`s
                    domain_event = cast("Aggregate.Event", self.mapper.to_domain_event(notification))
                    aggregates[domain_event.originator_id] = domain_event.mutate(
                        aggregates.get(domain_event.originator_id)
                    )
                if len(batch) < REGISTER_BATCH:
                    break
                start, inclusive = batch[-1].id, False
        positions = [a for a in aggregates.values() if isinstance(a, Position)]
        employees = [a for a in aggregates.values() if isinstance(a, Employee)]
        return positions, employees
