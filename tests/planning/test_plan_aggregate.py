"""The MutationPlan aggregate: a computed plan is kept with its options; adopting it proposes its moves
in the round in execution order, each proposal carrying the plan reference; selections and repeats."""

from __future__ import annotations

from datetime import date

import pytest

from domain.errors import IllegalTransition
from domain.plan_options import PlanOptions
from domain.planning.plan import MoveNotInPlan, MutationPlan
from domain.planning.planner import compute_plan
from domain.policy import RulePolicy
from tests.planning.world import PLANNER, World


def chain() -> tuple[World, MutationPlan]:
    world = World()
    world.position("P0"), world.position("P1"), world.position("P2"), world.position("P3")
    world.employee("A", "P0", {"P0": 1, "P1": 5})
    world.employee("B", "P1", {"P1": 1, "P2": 5})
    world.employee("C", "P3", {"P3": 1, "P0": 4})
    options = PlanOptions(explain_limit=3)
    result = compute_plan(world.register(), options, PLANNER, RulePolicy())
    plan = MutationPlan.compute(
        world.round.id, world.round.version, options.normalised(), result, PLANNER, date(2026, 3, 2)
    )
    return world, plan


def adopt(world: World, plan: MutationPlan, employee_ids=None):
    employees = {e.id: e for e in world.employees.values()}
    positions = {p.id: p for p in world.positions.values()}
    return plan.adopt(world.round, employees, positions, employee_ids, "TPK meeting", PLANNER, RulePolicy())


def test_adopting_proposes_every_move_in_execution_order_with_the_plan_reference() -> None:
    world, plan = chain()
    assert world.moves(plan.result) == {"A": "P1", "B": "P2", "C": "P0"}
    adoptions = adopt(world, plan)
    assert [world.name_of(a.employee_id) for a in adoptions] == ["B", "A", "C"]
    for adoption in adoptions:
        proposal = world.round.proposal(adoption.proposal_id)
        move = plan.move_of(adoption.employee_id)
        assert proposal.target_position_id == move.to_position_id
        assert proposal.plan.plan_id == plan.id and proposal.plan.recommended_jpm == move.jpm
        assert proposal.plan.options == plan.options
    assert [type(e).__name__ for e in plan.collect_events()] == ["Computed", "Adopted"]
    assert set(plan.adoptions) == {a.employee_id for a in adoptions}


def test_a_chained_proposal_records_the_seat_as_still_held_when_proposed() -> None:
    """The round judges rule 8 on the register as it is (the seat frees only when B's transfer is
    executed), while the plan judged it on its own seats: the plan reference tells the two apart."""
    world, plan = chain()
    adoptions = {world.name_of(a.employee_id): a for a in adopt(world, plan)}
    follower = world.round.proposal(adoptions["A"].proposal_id)
    assert not next(o for o in follower.eligibility if o.rule == "vacancy").passed
    assert next(o for o in plan.move_of(follower.employee_id).eligibility if o.rule == "vacancy").passed


def test_selected_moves_only_and_never_twice() -> None:
    world, plan = chain()
    c = world.employees["C"].id
    (adopted,) = adopt(world, plan, (c,))
    assert adopted.employee_id == c and len(world.round.proposals) == 1
    with pytest.raises(IllegalTransition, match="already adopted"):
        adopt(world, plan, (c,))
    with pytest.raises(MoveNotInPlan):
        adopt(world, plan, (world.positions["P0"].id,))
    assert len(adopt(world, plan)) == 2
    with pytest.raises(IllegalTransition, match="no move left"):
        adopt(world, plan)
