"""Small registers where the best plan is known by hand: greedy traps, chains, cycles, over-staffing."""

from __future__ import annotations

from decimal import Decimal

from domain.competency import job_person_match
from tests.planning.world import World


def greedy(world: World, seats: tuple[str, ...]) -> dict[str, str]:
    """The hand-written loop the plan must beat: the best remaining pair (JPM at least 68) first."""
    pairs = sorted(
        (
            (job_person_match(e.latest_assessment.scores, world.positions[s].standard), who, s)
            for who, e in world.employees.items()
            for s in seats
        ),
        reverse=True,
    )
    placed, taken, moves = set(), set(), {}
    for jpm, who, seat in pairs:
        if who not in placed and seat not in taken and jpm >= 68:
            placed.add(who), taken.add(seat)
            moves[who] = seat
    return moves


def test_the_greedy_choice_is_wrong_and_the_plan_finds_the_optimum() -> None:
    world = World()
    world.position("HomeA"), world.position("HomeB")
    world.position("X"), world.position("Y")
    world.employee("A", "HomeA", {"X": 5, "Y": 4, "HomeA": 1})  # X 100, Y 90, home 60
    world.employee("B", "HomeB", {"X": 4, "Y": 1, "HomeB": 1})  # X 90, Y 60 (below 68), home 60
    assert greedy(world, ("X", "Y")) == {"A": "X"}  # total 100: B is left without a seat
    result = world.plan()
    assert world.moves(result) == {"A": "Y", "B": "X"}
    assert result.total_jpm == Decimal("180.00")
    assert result.jpm_gain == Decimal("60.00")
    assert result.status == "optimal"


def test_a_chain_of_moves_frees_the_seat_the_best_candidate_needs() -> None:
    world = World()
    world.position("P0"), world.position("P1"), world.position("P2")
    world.employee("A", "P0", {"P0": 1, "P1": 5})  # 60 where A is, 100 in P1 (held by B)
    world.employee("B", "P1", {"P1": 1, "P2": 5})  # 60 where B is, 100 in the vacant P2
    result = world.plan()
    assert world.moves(result) == {"A": "P1", "B": "P2"}
    b, a = result.moves  # in execution order: B leaves first
    assert (world.name_of(b.employee_id), world.name_of(a.employee_id)) == ("B", "A")
    assert a.takes_seat_of == b.employee_id and b.takes_seat_of is None
    assert not a.joint and not b.joint
    vacancy = next(o for o in a.eligibility if o.rule == "vacancy")
    assert vacancy.passed and "formasi 1 - 0 holders" in vacancy.explanation


def test_without_the_chain_the_full_seat_stays_out_of_reach() -> None:
    world = World()
    world.position("P0"), world.position("P1"), world.position("P2")
    world.employee("A", "P0", {"P0": 1, "P1": 5})
    world.employee("B", "P1", {"P1": 1, "P2": 5})
    result = world.plan(excluded_employees=(world.employees["B"].id,))
    assert world.moves(result) == {}
    assert [s.employee_id for s in result.skipped] == [world.employees["B"].id]


def test_a_swap_of_two_full_positions_is_marked_joint() -> None:
    world = World()
    world.position("P1"), world.position("P2")
    world.employee("A", "P1", {"P1": 2, "P2": 5})
    world.employee("B", "P2", {"P2": 2, "P1": 5})
    result = world.plan()
    assert world.moves(result) == {"A": "P2", "B": "P1"}
    assert all(mv.joint for mv in result.moves)
    assert {mv.takes_seat_of for mv in result.moves} == {world.employees["A"].id, world.employees["B"].id}


def test_leaving_an_over_staffed_position_frees_no_seat_there() -> None:
    world = World()
    crowded = world.position("Q", formasi=2)
    world.position("V"), world.position("Home")
    world.employee("A", "Q", {"Q": 1, "V": 5})
    world.employee("A2", "Q", {"Q": 5})
    crowded.revise_formasi(1, "ABK 2026: one seat")
    world.employee("C", "Home", {"Home": 1, "Q": 5})  # would gain 40 in Q, but Q has no seat
    result = world.plan()
    assert world.moves(result) == {"A": "V"}
    q = next(u for u in result.spread if u.unit == "BPKAD")
    assert q.staffed_after == q.staffed_before


def test_staying_counts_so_nobody_moves_for_nothing_unless_keep_in_place_is_off() -> None:
    world = World()
    world.position("Home"), world.position("X")
    world.employee("A", "Home", {"Home": 5, "X": 3})  # 100 at home, 80 in X
    assert world.moves(world.plan()) == {}
    assert world.moves(world.plan(keep_in_place=False)) == {"A": "X"}


def test_equal_gains_prefer_fewer_moves() -> None:
    world = World()
    world.position("Home"), world.position("X")
    world.employee("A", "Home", {"Home": 4, "X": 4})  # 90 either way
    assert world.moves(world.plan()) == {}


def test_shortage_weight_sends_the_candidate_to_the_emptier_unit() -> None:
    world = World()
    world.position("Home")
    world.position("City", unit="Dinas Kota")
    world.position("Full", unit="Dinas Kota", formasi=3)
    for n in range(3):
        world.employee(f"F{n}", "Full", {"Full": 5})
    world.position("Remote", unit="SD Terpencil", formasi=1)
    world.employee("A", "Home", {"Home": 1, "City": 5, "Remote": 4})  # City 100, Remote 90
    assert world.moves(world.plan()) == {"A": "City"}
    # Dinas Kota is 1 seat short of 4 (rate 0.25), the remote school 1 of 1 (rate 1)
    assert world.moves(world.plan(shortage_weight=Decimal(20))) == {"A": "Remote"}
    assert world.moves(world.plan(shortage_weight=Decimal(20), priority_units=("Dinas Kota",))) == {"A": "City"}


def test_without_keep_in_place_the_most_moves_come_before_the_most_jpm() -> None:
    """Three moves at 100 (300) against four at 70 (280): keep-in-place takes the JPM (gains 150 against
    80, each at 50 where they are), without it the plan takes the fourth move first."""
    world = World()
    for name in ("S1", "S2", "S3", "S4", "H1", "H2", "H3", "H4"):
        world.position(name)
    world.employee("p1", "H1", {"S1": 5, "S2": 2})
    world.employee("p2", "H2", {"S2": 5, "S3": 2})
    world.employee("p3", "H3", {"S3": 5, "S4": 2})
    world.employee("p4", "H4", {"S1": 2})  # only S1: the fourth move starts a chain
    assert world.moves(world.plan()) == {"p1": "S1", "p2": "S2", "p3": "S3"}
    rotation = world.plan(keep_in_place=False)
    assert world.moves(rotation) == {"p1": "S2", "p2": "S3", "p3": "S4", "p4": "S1"}
    assert rotation.total_jpm == Decimal(280)
