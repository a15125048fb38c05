"""Options honoured (K moves, pins, exclusions, filters, min JPM), empty seats explained, determinism."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidValue
from domain.plan_options import Pair, PlanOptions
from domain.planning.planner import compute_plan
from domain.planning.register import PlanningRegister
from domain.planning.solver import PlanInfeasible
from domain.policy import RulePolicy
from domain.vocabulary import Expectation, PositionType, Rank, SanctionLevel
from tests.planning.world import PLANNER, World
from tests.unit.builders import PPK, Recommendation


def three_vacancies() -> World:
    """Three vacancies X, Y, Z and candidates gaining 40 (A in X; 20 in Y), 30 (B in Y), 20 (C in Z)."""
    world = World()
    for name in ("HA", "HB", "HC", "X", "Y", "Z"):
        world.position(name)
    world.employee("A", "HA", {"HA": 1, "X": 5, "Y": 3})
    world.employee("B", "HB", {"HB": 1, "Y": 4})
    world.employee("C", "HC", {"HC": 1, "Z": 3})
    return world


def test_at_most_k_moves_keeps_the_best_k() -> None:
    world = three_vacancies()
    assert world.moves(world.plan()) == {"A": "X", "B": "Y", "C": "Z"}
    assert world.moves(world.plan(max_moves=2)) == {"A": "X", "B": "Y"}
    assert world.moves(world.plan(max_moves=0)) == {}


def test_a_seat_left_empty_by_the_move_limit_says_so() -> None:
    world = three_vacancies()
    result = world.plan(max_moves=2)
    z = next(s for s in result.empty_seats if s.title == "Z")
    c = next(v for v in z.candidates if v.employee_id == world.employees["C"].id)
    assert c.rules == ("plan:not_chosen",) and "limit of 2 moves" in c.reason


def test_pins_force_pairs_people_and_positions() -> None:
    world = three_vacancies()
    ids = {n: e.id for n, e in world.employees.items()}
    pos = {n: p.id for n, p in world.positions.items()}
    forced = world.plan(pinned_pairs=(Pair(ids["A"], pos["Y"]),))
    assert world.moves(forced) == {"A": "Y", "C": "Z"}
    assert world.moves(world.plan(max_moves=1, pinned_employees=(ids["C"],))) == {"C": "Z"}
    assert world.moves(world.plan(max_moves=1, pinned_positions=(pos["Y"],))) == {"B": "Y"}


def test_exclusions_are_honoured() -> None:
    world = three_vacancies()
    ids = {n: e.id for n, e in world.employees.items()}
    pos = {n: p.id for n, p in world.positions.items()}
    assert "A" not in world.moves(world.plan(excluded_employees=(ids["A"],)))
    assert "Y" not in world.moves(world.plan(excluded_positions=(pos["Y"],))).values()
    result = world.plan(excluded_pairs=(Pair(ids["C"], pos["Z"]),))
    assert "C" not in world.moves(result)
    z = next(s for s in result.empty_seats if s.title == "Z")
    assert next(v for v in z.candidates if v.employee_id == ids["C"]).rules == ("plan:excluded",)


def test_a_pinned_pair_that_breaks_a_rule_is_refused_naming_the_rule() -> None:
    world = three_vacancies()
    world.position("Senior", ranks=(Rank.IV_A, Rank.IV_C))
    world.position("HD")
    world.employee("D", "HD", {"HD": 1, "Senior": 5})
    with pytest.raises(PlanInfeasible, match="rank III/b lies outside IV/a to IV/c") as refused:
        world.plan(pinned_pairs=(Pair(world.employees["D"].id, world.positions["Senior"].id),))
    assert refused.value.rules == ("rank",)


def test_pins_that_cannot_all_hold_are_infeasible() -> None:
    world = three_vacancies()
    ids = {n: e.id for n, e in world.employees.items()}
    with pytest.raises(PlanInfeasible):
        world.plan(max_moves=1, pinned_employees=(ids["A"], ids["B"]))
    with pytest.raises(InvalidValue):
        world.plan(pinned_employees=(ids["A"],), excluded_employees=(ids["A"],))


def test_min_jpm_drops_weaker_pairs_and_says_so() -> None:
    world = three_vacancies()
    result = world.plan(min_jpm=Decimal(85))
    assert world.moves(result) == {"A": "X", "B": "Y"}
    z = next(s for s in result.empty_seats if s.title == "Z")
    c = next(v for v in z.candidates if v.employee_id == world.employees["C"].id)
    assert c.rules == ("plan:min_jpm",) and c.reason.startswith("plan:min_jpm: JPM 80.00 below")


def test_an_empty_seat_names_the_rule_that_blocked_each_candidate() -> None:
    world = World()
    for name in ("H1", "H2", "H3", "H4", "H5", "H6"):
        world.position(name)
    world.position("V", unit="Dinas Kesehatan")
    world.employee("rank", "H1", {"V": 5}, rank=Rank.II_D)
    world.employee(
        "performance",
        "H2",
        {"V": 5},
        ratings={2024: (Expectation.BELOW, Expectation.AS_EXPECTED), 2025: (Expectation.ABOVE,) * 2},
    )
    world.employee("discipline", "H3", {"V": 5}).record_sanction(
        SanctionLevel.MODERATE, date(2025, 5, 1), date(2025, 11, 1), "800/HD/2025"
    )
    world.employee("competency_fit", "H4", {"V": 1})
    world.employee("tenure", "H5", {"V": 5}, placed_on=date(2025, 1, 2))
    world.employee("conflict_of_interest", "H6", {"V": 5}, nip_text=PLANNER.nip)
    result = world.plan()
    assert world.moves(result) == {}
    seat = next(s for s in result.empty_seats if s.title == "V")
    assert seat.reason.startswith("no eligible candidate")
    assert seat.candidates_total == 6
    for verdict in seat.candidates:
        rule = world.name_of(verdict.employee_id)
        assert verdict.rules == (rule,), verdict
        assert verdict.reason.startswith(f"{rule}: ")
    assert seat.blocked_by == {name: 1 for name in world.employees}


def test_an_empty_seat_without_candidates_says_so() -> None:
    world = World()
    world.position("V")
    (seat,) = world.plan().empty_seats
    assert (seat.reason, seat.candidates, seat.free_seats) == ("no candidate in the pool", (), 1)


def test_pool_filters_units_types_rotation_and_volunteers() -> None:
    world = World()
    world.position("Old", unit="Dinas A")
    world.position("New", unit="Dinas B", position_type=PositionType.PELAKSANA)
    world.position("X", unit="Dinas C", formasi=3)
    world.employee("due", "Old", {"X": 5}, placed_on=date(2019, 1, 2))
    world.employee("fresh", "New", {"X": 5}, placed_on=date(2023, 1, 2))
    assert set(world.moves(world.plan())) == {"due", "fresh"}
    assert set(world.moves(world.plan(units=("Dinas A",)))) == {"due"}
    assert set(world.moves(world.plan(position_types=(PositionType.PELAKSANA,)))) == {"fresh"}
    rotation = world.plan(due_for_rotation_only=True)
    assert set(world.moves(rotation)) == {"due"}
    assert rotation.moves[0].flags == ("due_for_rotation",)
    volunteers = world.plan(due_for_rotation_only=True, volunteers=(world.employees["fresh"].id,))
    assert set(world.moves(volunteers)) == {"due", "fresh"}


def test_approved_proposals_of_the_round_hold_their_seats_and_people() -> None:
    world = World()
    world.position("H1"), world.position("H2"), world.position("X")
    world.employee("approved", "H1", {"X": 3})
    world.employee("other", "H2", {"H2": 1, "X": 5})
    r = world.round
    proposal_id = r.propose(
        world.employees["approved"], world.positions["H1"], world.positions["X"], "by hand", PLANNER, RulePolicy()
    )
    r.recommend(proposal_id, Recommendation(True, PLANNER, "ok"))
    r.approve(
        proposal_id, world.employees["approved"], world.positions["H1"], world.positions["X"], PPK, "ok", RulePolicy()
    )
    result = world.plan()
    assert world.moves(result) == {}
    assert "already has proposal" in result.skipped[0].reason
    assert result.seats_open_before == 1  # X is promised; H1 is free: its holder is approved to leave
    (seat,) = result.empty_seats
    assert (seat.title, seat.blocked_by) == ("H1", {"competency_fit": 1})


def test_the_same_register_in_any_order_gives_the_same_plan() -> None:
    world = three_vacancies()
    world.employee("D", "X", {"Y": 5, "Z": 5})
    first = world.plan()
    shuffled = list(world.employees.values())
    random.Random(7).shuffle(shuffled)
    positions = list(world.positions.values())[::-1]
    again = compute_plan(PlanningRegister.of(world.round, positions, shuffled), PlanOptions(), PLANNER, RulePolicy())
    assert again == first
    assert world.plan() == first
