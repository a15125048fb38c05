"""The plan and rule 10 (never a demotion or a promotion, whatever it would gain), and the seats that
moves already approved in the round will free (counted as the round's own rule 8 counts them)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.plan_options import Pair, PlanOptions
from domain.planning.plan import MutationPlan
from domain.planning.solver import PlanInfeasible
from domain.policy import RulePolicy
from domain.vocabulary import PositionType, Rank
from tests.planning.world import PLANNER, World
from tests.unit.builders import PPK, Recommendation

WIDE = (Rank.II_A, Rank.IV_E)
DEMOTION = (
    "level: from JPT Pratama to Fungsional Ahli Pertama: a lower level: a demotion (penurunan jabatan), not a mutasi"
)


def inspectorate() -> World:
    """The head of the inspectorate (JPT Pratama, JPM 50 at home) would match an analyst post at 100."""
    world = World()
    world.position("Inspektur", unit="Inspektorat", position_type=PositionType.JPT_PRATAMA, ranks=WIDE)
    world.position("Analis", position_type=PositionType.FUNGSIONAL_AHLI_PERTAMA, ranks=WIDE)
    world.employee("head", "Inspektur", {"Analis": 5}, rank=Rank.IV_B)
    return world


@pytest.mark.parametrize("keep_in_place", [True, False])
def test_a_head_of_inspectorate_is_never_recommended_into_an_analyst_post(keep_in_place: bool) -> None:
    world = inspectorate()

    result = world.plan(keep_in_place=keep_in_place)

    assert world.moves(result) == {}
    (seat,) = result.empty_seats
    assert (seat.title, seat.blocked_by) == ("Analis", {"level": 1})
    (verdict,) = seat.candidates
    assert (verdict.rules, verdict.reason) == (("level",), DEMOTION)
    assert result.eligible_pairs == 0


def test_a_pin_cannot_force_a_demotion() -> None:
    world = inspectorate()
    head, analyst = world.employees["head"].id, world.positions["Analis"].id

    with pytest.raises(PlanInfeasible, match="demotion") as refused:
        world.plan(pinned_pairs=(Pair(head, analyst),))
    assert refused.value.rules == ("level",)
    with pytest.raises(PlanInfeasible):
        world.plan(pinned_positions=(analyst,))


def test_an_equivalent_level_moves_and_the_move_says_so() -> None:
    world = inspectorate()
    world.position("Pengadministrasi", position_type=PositionType.PELAKSANA, ranks=WIDE)
    world.employee("clerk", "Pengadministrasi", {"Analis": 4}, rank=Rank.III_B)  # 50 at home, 90 here

    result = world.plan()

    assert world.moves(result) == {"clerk": "Analis"}
    level = next(o for o in result.moves[0].eligibility if o.rule == "level")
    assert level.passed
    assert level.explanation == ("from Pelaksana to Fungsional Ahli Pertama: equivalent levels (penyetaraan jabatan)")


def test_the_plan_follows_the_policy_s_equivalence_table() -> None:
    world = inspectorate()
    world.position("Pengadministrasi", position_type=PositionType.PELAKSANA, ranks=WIDE)
    world.employee("clerk", "Pengadministrasi", {"Analis": 4}, rank=Rank.III_B)

    result = world.plan(policy=RulePolicy(level_equivalences=()))

    assert world.moves(result) == {}
    (seat,) = result.empty_seats
    assert seat.blocked_by == {"level": 2}


# -- seats freed by moves the round already approved ---------------------------------


def leaver_approved(approve: bool = True) -> World:
    """`leaver` holds H1 (formasi 1) and is proposed (and approved) to X; `other` fits H1 at 100."""
    world = World()
    world.position("H1"), world.position("H2"), world.position("X")
    world.employee("leaver", "H1", {"X": 5})
    world.employee("other", "H2", {"H2": 1, "H1": 5})  # 60 at home, 100 in H1
    r, leaver = world.round, world.employees["leaver"]
    proposal_id = r.propose(leaver, world.positions["H1"], world.positions["X"], "by hand", PLANNER, RulePolicy())
    if approve:
        r.recommend(proposal_id, Recommendation(True, PLANNER, "ok"))
        r.approve(proposal_id, leaver, world.positions["H1"], world.positions["X"], PPK, "ok", RulePolicy())
    return world


def test_a_seat_an_approved_move_will_free_is_a_seat_for_the_plan() -> None:
    world = leaver_approved()

    result = world.plan()

    assert world.moves(result) == {"other": "H1"}
    assert result.seats_open_before == 1
    vacancy = next(o for o in result.moves[0].eligibility if o.rule == "vacancy")
    assert vacancy.passed
    assert vacancy.explanation == (
        "formasi 1 - 0 staying holders (1 approved to leave in this round) - 0 approved in this round = 1 free"
    )
    other, h1, h2 = world.employees["other"], world.positions["H1"], world.positions["H2"]
    assert world.round.eligibility(other, h2, h1, PLANNER, RulePolicy()).outcome("vacancy").passed


def test_adopting_the_move_into_a_freed_seat_passes_the_round_s_vacancy_rule() -> None:
    world = leaver_approved()
    options = PlanOptions()
    result = world.plan()
    plan = MutationPlan.compute(world.round.id, world.round.version, options, result, PLANNER, date(2026, 2, 2))

    (adoption,) = plan.adopt(
        world.round,
        {e.id: e for e in world.employees.values()},
        {p.id: p for p in world.positions.values()},
        None,
        "TPK meeting",
        PLANNER,
        RulePolicy(),
    )

    proposal = world.round.proposal(adoption.proposal_id)
    assert next(o for o in proposal.eligibility if o.rule == "vacancy").passed


def test_a_move_only_proposed_frees_no_seat() -> None:
    world = leaver_approved(approve=False)

    result = world.plan()

    assert world.moves(result) == {}
    assert [seat.title for seat in result.empty_seats] == ["X"]  # H1 stays full, X is not promised
    assert "already has proposal" in result.skipped[0].reason
