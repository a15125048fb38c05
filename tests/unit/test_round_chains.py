"""Chains of moves inside one round: a seat that an approved move frees can be given again."""

from __future__ import annotations

from domain.position import FormasiExceeded
from domain.transfer import execute_transfer
from tests.unit.builders import EFFECTIVE, PPK, Scene, employee, position, refused


def _chain():
    """B holds the only seat of `target` and is approved to move to `onward`; A is proposed for B's seat."""
    scene = Scene.build(target_formasi=1)
    holder = employee(2, at=scene.target)
    onward = position("Analis Anggaran", "Bappeda", formasi=1)
    b_moves = scene.round.propose(holder, scene.target, onward, "rotation", scene.round.opened_by, scene.policy)
    scene.recommend(b_moves, holder)
    scene.round.approve(b_moves, holder, scene.target, onward, PPK, "approved", scene.policy)
    return scene, holder, onward, b_moves


def test_a_seat_freed_by_an_approved_move_of_the_round_counts_as_free():
    scene, holder, onward, b_moves = _chain()

    a_moves = scene.propose()
    outcome = scene.round.proposal(a_moves).eligibility[7]

    assert outcome.rule == "vacancy" and outcome.passed
    assert "0 staying holders (1 approved to leave in this round)" in outcome.explanation
    scene.recommend(a_moves)
    assert scene.approve(a_moves).passed


def test_a_chain_executes_departure_first_and_never_beyond_the_formasi():
    scene, holder, onward, b_moves = _chain()
    a_moves = scene.propose()
    scene.recommend(a_moves)
    scene.approve(a_moves)
    scene.decree(a_moves)
    scene.decree(b_moves, number="SK 821/13/BKPSDM/2026")

    with refused(FormasiExceeded, scene.round, scene.employee, scene.origin, scene.target):
        execute_transfer(scene.round, a_moves, scene.employee, scene.origin, scene.target, EFFECTIVE)

    execute_transfer(scene.round, b_moves, holder, scene.target, onward, EFFECTIVE)
    execute_transfer(scene.round, a_moves, scene.employee, scene.origin, scene.target, EFFECTIVE)
    assert set(scene.target.holders) == {scene.employee.id}
    assert set(onward.holders) == {holder.id}


def test_an_over_staffed_position_frees_no_seat_by_one_departure():
    scene, holder, onward, b_moves = _chain()
    extra = employee(3)
    scene.target.revise_formasi(2, "temporary")
    scene.target.add_holder(extra.id, EFFECTIVE, "SK-3")
    scene.target.revise_formasi(1, "ABK: one seat")  # two holders, formasi one, one leaving

    a_moves = scene.propose()

    assert not scene.round.proposal(a_moves).eligibility[7].passed
