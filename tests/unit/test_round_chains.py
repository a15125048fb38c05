"""Chains of moves inside one round: a seat that an approved move frees can be given again."""

from __future__ import annotations

from datetime import date

from domain.errors import IllegalTransition
from domain.position import FormasiExceeded
from domain.transfer import execute_transfers_together
from tests.unit.builders import EFFECTIVE, OPERATOR, PPK, Scene, employee, override, position, recorded, refused


def _chain():
    """B holds the only seat of `target` and is approved to move to `onward`; A is proposed for B's seat."""
    scene = Scene.build(target_formasi=1)
    holder = employee(2, at=scene.target)
    onward = position("Analis Anggaran", "Bappeda", formasi=1)
    b_moves = scene.round.propose(holder, scene.target, onward, "rotation", scene.round.opened_by, scene.policy)
    scene.recommend(b_moves)
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
    scene.decree(b_moves, number="SK 821/13/BKPSDM/2026", who=holder, origin=scene.target, target=onward)

    with refused(FormasiExceeded, scene.round, scene.employee, scene.origin, scene.target):
        scene.execute(a_moves)

    scene.execute(b_moves, who=holder, origin=scene.target, target=onward)
    scene.execute(a_moves)
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


def _swap(before_decrees=None):
    """A (in `origin`) and B (in `target`) trade seats: both positions have formasi 1 and are full.
    The first approval needs a vacancy override (B is not approved to leave yet); the second does not."""
    scene = Scene.build(target_formasi=1)
    scene.origin.revise_formasi(1, "ABK: one seat")
    scene.origin.collect_events()
    holder = employee(2, at=scene.target)
    a_moves = scene.propose()
    scene.recommend(a_moves)
    scene.approve(a_moves, overrides=(override("vacancy", "a swap with the holder of the target"),))
    b_moves = scene.round.propose(holder, scene.target, scene.origin, "swap", scene.round.opened_by, scene.policy)
    scene.recommend(b_moves)
    assert scene.round.approve(b_moves, holder, scene.target, scene.origin, PPK, "swap", scene.policy).passed
    extra = before_decrees(scene) if before_decrees else None
    scene.decree(a_moves)
    scene.decree(
        b_moves,
        number="SK 821/13/BKPSDM/2026",
        who=holder,
        origin=scene.target,
        target=scene.origin,
        overrides=(override("vacancy", "a third arrival holds the seat's promise"),) if extra else (),
    )
    people = {scene.employee.id: scene.employee, holder.id: holder}
    seats = {scene.origin.id: scene.origin, scene.target.id: scene.target}
    if extra is not None:
        return scene, holder, a_moves, b_moves, people, seats, extra
    return scene, holder, a_moves, b_moves, people, seats


def test_a_swap_of_two_full_positions_cannot_execute_one_transfer_at_a_time():
    scene, holder, a_moves, b_moves, _, _ = _swap()
    with refused(FormasiExceeded, scene.round, scene.employee, scene.origin, scene.target):
        scene.execute(a_moves)
    with refused(FormasiExceeded, scene.round, holder, scene.target, scene.origin):
        scene.execute(b_moves, who=holder, origin=scene.target, target=scene.origin)


def test_a_swap_executes_together_and_each_seat_holds_the_other():
    scene, holder, a_moves, b_moves, people, seats = _swap()

    execute_transfers_together(scene.round, [a_moves, b_moves], people, seats, EFFECTIVE, OPERATOR, scene.policy)

    assert set(scene.origin.holders) == {holder.id} and set(scene.target.holders) == {scene.employee.id}
    assert scene.employee.position_id == scene.target.id and holder.position_id == scene.origin.id
    assert {scene.round.proposal(p).status.value for p in (a_moves, b_moves)} == {"executed"}
    assert recorded(scene.origin) == ["HolderRemoved", "HolderAdded"]
    assert recorded(scene.target) == ["HolderRemoved", "HolderAdded"]


def test_transfers_together_still_seat_nobody_beyond_the_formasi():
    """A third person arriving in the swap's origin has no seat: the whole set is refused, untouched."""

    def third_arrives(scene):
        onward = position("Analis Anggaran", "Bappeda", formasi=1)
        third = employee(3, at=onward)
        c_moves = scene.round.propose(third, onward, scene.origin, "also wanted", scene.round.opened_by, scene.policy)
        scene.recommend(c_moves)
        scene.round.approve(c_moves, third, onward, scene.origin, PPK, "approved", scene.policy, (override("vacancy"),))
        return onward, third, c_moves

    scene, holder, a_moves, b_moves, people, seats, (onward, third, c_moves) = _swap(third_arrives)
    scene.decree(c_moves, number="SK 821/14/BKPSDM/2026", who=third, origin=onward, target=scene.origin)
    everyone = {**people, third.id: third}
    places = {**seats, onward.id: onward}

    with refused(
        FormasiExceeded,
        scene.round,
        scene.employee,
        holder,
        third,
        scene.origin,
        scene.target,
        onward,
        match="formasi 1 and 1 holders, 1 of them leaving: no free seat for 2 arriving",
    ):
        execute_transfers_together(
            scene.round, [a_moves, b_moves, c_moves], everyone, places, EFFECTIVE, OPERATOR, scene.policy
        )


def test_transfers_together_refuse_a_repeat_a_missing_aggregate_and_an_undecreed_proposal():
    scene, holder, a_moves, b_moves, people, seats = _swap()
    everything = (scene.round, scene.employee, holder, scene.origin, scene.target)
    with refused(IllegalTransition, *everything, match="listed twice"):
        execute_transfers_together(scene.round, [a_moves, a_moves], people, seats, EFFECTIVE, OPERATOR, scene.policy)
    with refused(IllegalTransition, *everything, match="was not given"):
        execute_transfers_together(
            scene.round, [a_moves, b_moves], {holder.id: holder}, seats, EFFECTIVE, OPERATOR, scene.policy
        )
    with refused(IllegalTransition, *everything, match="no transfer"):
        execute_transfers_together(scene.round, [], people, seats, EFFECTIVE, OPERATOR, scene.policy)
    with refused(IllegalTransition, *everything, match="takes effect on"):
        execute_transfers_together(
            scene.round, [a_moves, b_moves], people, seats, date(2026, 2, 1), OPERATOR, scene.policy
        )
