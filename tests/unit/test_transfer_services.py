"""Domain services over several aggregates: placing, retiring, executing and evaluating a transfer."""

from datetime import date

from domain.employee import PlacementError
from domain.errors import IllegalTransition
from domain.mutation_round import CorrectiveActionRequired, DecreeMissing, TransferNotExecuted
from domain.official import Official
from domain.policy import RulePolicy
from domain.position import FormasiExceeded
from domain.proposal import EvaluationFindings, ProposalStatus
from domain.transfer import evaluate_transfer, execute_transfer, place_employee, retire_employee
from domain.vocabulary import Expectation, Predikat
from tests.unit.builders import AGENCY, EFFECTIVE, OPERATOR, Scene, employee, override, position, recorded, refused

E = Expectation.AS_EXPECTED
EVALUATOR = Official("kepala-bpkad", agencies=(AGENCY,))


def test_placing_seats_the_employee_in_the_position():
    seat, who = position(), employee()
    place_employee(who, seat, date(2020, 1, 2), "SK-1")

    assert (recorded(who), recorded(seat)) == (["Placed"], ["HolderAdded"])
    assert who.position_id == seat.id
    assert who.id in seat.holders


def test_errors_for_placing_someone_already_placed():
    first, second = position("First"), position("Second")
    who = employee(at=first)
    with refused(PlacementError, who, second):
        place_employee(who, second, date(2021, 1, 2), "SK-2")


def test_retiring_frees_the_seat():
    seat = position()
    who = employee(at=seat)
    retire_employee(who, seat, date(2043, 2, 1), "batas usia pensiun")

    assert (recorded(who), recorded(seat)) == (["Retired"], ["HolderRemoved"])
    assert seat.holders == {} and who.retired_on == date(2043, 2, 1)


def test_retiring_someone_without_a_position():
    who = employee()
    retire_employee(who, None, date(2043, 2, 1), "batas usia pensiun")

    assert who.retired_on == date(2043, 2, 1)


def test_errors_for_retiring_with_a_position_the_employee_does_not_hold():
    seat, other = position("Held"), position("Other")
    who = employee(at=seat)
    with refused(IllegalTransition, who, seat, other, match="not the one the employee holds"):
        retire_employee(who, other, date(2043, 2, 1), "pensiun")


# -- execute_transfer ---------------------------------------------------------------


def test_executing_moves_the_employee_between_the_two_positions():
    scene = Scene.build()
    proposal_id = scene.decreed()

    execute_transfer(
        scene.round, proposal_id, scene.employee, scene.origin, scene.target, EFFECTIVE, OPERATOR, scene.policy
    )

    assert recorded(scene.employee) == ["Transferred"]
    assert recorded(scene.origin) == ["HolderRemoved"]
    assert recorded(scene.target) == ["HolderAdded"]
    assert scene.employee.id not in scene.origin.holders
    assert scene.target.holders[scene.employee.id].decree_number == "SK 821/12/BKPSDM/2026"
    assert scene.employee.position_id == scene.target.id
    assert scene.employee.placement.round_id == scene.round.id
    assert scene.employee.placements[-2].until == EFFECTIVE
    assert scene.round.proposal(proposal_id).status is ProposalStatus.EXECUTED


def test_errors_for_executing_with_aggregates_other_than_the_proposals():
    scene = Scene.build()
    proposal_id = scene.decreed()
    elsewhere = position("Elsewhere")
    with refused(
        IllegalTransition, scene.round, scene.employee, scene.origin, elsewhere, match="do not match the proposal"
    ):
        execute_transfer(
            scene.round, proposal_id, scene.employee, scene.origin, elsewhere, EFFECTIVE, OPERATOR, scene.policy
        )


def test_errors_for_executing_before_the_decree_leaves_all_four_aggregates_alone():
    scene = Scene.build()
    proposal_id = scene.approved()
    with refused(DecreeMissing, scene.round, scene.employee, scene.origin, scene.target):
        execute_transfer(
            scene.round, proposal_id, scene.employee, scene.origin, scene.target, EFFECTIVE, OPERATOR, scene.policy
        )


def test_errors_for_executing_before_the_effective_date_leaves_all_four_aggregates_alone():
    scene = Scene.build()
    proposal_id = scene.decreed()
    with refused(IllegalTransition, scene.round, scene.employee, scene.origin, scene.target):
        execute_transfer(
            scene.round,
            proposal_id,
            scene.employee,
            scene.origin,
            scene.target,
            date(2026, 2, 28),
            OPERATOR,
            scene.policy,
        )


def test_an_overridden_vacancy_still_cannot_seat_beyond_the_formasi():
    scene = Scene.build(target_formasi=1)
    second_employee = scene.another(2)
    first, second = scene.propose(), scene.propose(second_employee)
    for proposal_id in (first, second):
        scene.recommend(proposal_id)
    scene.approve(first)
    scene.approve(second, second_employee, overrides=(override("vacancy", "teacher shortage"),))
    scene.decree(first, number="SK-1", overrides=(override("vacancy", "the second seat is promised too"),))
    scene.decree(second, number="SK-2", who=second_employee)
    execute_transfer(scene.round, first, scene.employee, scene.origin, scene.target, EFFECTIVE, OPERATOR, scene.policy)

    try:
        execute_transfer(
            scene.round, second, second_employee, scene.origin, scene.target, EFFECTIVE, OPERATOR, scene.policy
        )
    except FormasiExceeded as error:
        assert error.rules == ("vacancy",)
    else:
        raise AssertionError("a second holder was seated in a formasi of 1")
    assert list(scene.target.holders) == [scene.employee.id]


# -- evaluate_transfer --------------------------------------------------------------


def findings(after: Predikat, corrective_action: str | None = None) -> EvaluationFindings:
    return EvaluationFindings(3, date(2026, 6, 1), after, E, E, "three months in", corrective_action)


def moved(scene: Scene):
    proposal_id = scene.decreed()
    execute_transfer(
        scene.round, proposal_id, scene.employee, scene.origin, scene.target, EFFECTIVE, OPERATOR, scene.policy
    )
    for aggregate in (scene.round, scene.employee):
        aggregate.collect_events()
    return proposal_id


def test_evaluation_compares_with_the_last_rating_before_the_transfer():
    scene = Scene.build(ratings={2024: (E, E), 2025: (Expectation.ABOVE, Expectation.ABOVE)})
    proposal_id = moved(scene)

    evaluation = evaluate_transfer(
        scene.round,
        proposal_id,
        scene.employee,
        findings(Predikat.SANGAT_BAIK),
        EVALUATOR,
        date(2027, 1, 1),
        scene.policy,
    )

    assert (evaluation.performance_before, evaluation.performance_after) == (Predikat.SANGAT_BAIK, Predikat.SANGAT_BAIK)
    assert (recorded(scene.round), recorded(scene.employee)) == (["TransferEvaluated"], ["TransferEvaluated"])
    assert scene.employee.evaluations == [evaluation]


def test_errors_for_an_evaluation_showing_a_drop_without_a_corrective_action():
    scene = Scene.build()  # 2025 rated Baik
    proposal_id = moved(scene)
    with refused(CorrectiveActionRequired, scene.round, scene.employee, match="from Baik to Kurang"):
        evaluate_transfer(
            scene.round,
            proposal_id,
            scene.employee,
            findings(Predikat.KURANG),
            EVALUATOR,
            date(2027, 1, 1),
            scene.policy,
        )


def test_an_evaluation_without_an_earlier_rating_has_nothing_to_drop_from():
    scene = Scene.build(ratings={})
    scene.policy = RulePolicy(rating_years=0)
    proposal_id = moved(scene)

    evaluation = evaluate_transfer(
        scene.round, proposal_id, scene.employee, findings(Predikat.KURANG), EVALUATOR, date(2027, 1, 1), scene.policy
    )

    assert evaluation.performance_before is None


def test_errors_for_evaluating_before_the_transfer_leaves_both_aggregates_alone():
    scene = Scene.build()
    proposal_id = scene.decreed()
    with refused(TransferNotExecuted, scene.round, scene.employee):
        evaluate_transfer(
            scene.round, proposal_id, scene.employee, findings(Predikat.BAIK), EVALUATOR, date(2027, 1, 1), scene.policy
        )


def test_errors_for_evaluating_another_employee():
    scene = Scene.build()
    proposal_id = moved(scene)
    other = employee(8)
    with refused(IllegalTransition, scene.round, other, match="not the one this proposal moved"):
        evaluate_transfer(
            scene.round, proposal_id, other, findings(Predikat.BAIK), EVALUATOR, date(2027, 1, 1), scene.policy
        )


# -- a whole round ------------------------------------------------------------------


def test_a_round_from_opening_to_evaluation():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    scene.approve(proposal_id)
    scene.announce()
    scene.decree(proposal_id)
    execute_transfer(
        scene.round, proposal_id, scene.employee, scene.origin, scene.target, EFFECTIVE, OPERATOR, scene.policy
    )
    evaluate_transfer(
        scene.round, proposal_id, scene.employee, findings(Predikat.BAIK), EVALUATOR, date(2027, 1, 1), scene.policy
    )
    scene.round.close(OPERATOR, date(2026, 6, 30))

    assert recorded(scene.round) == [
        "Proposed",
        "Recommended",
        "Decided",
        "Announced",
        "DecreeIssued",
        "TransferExecuted",
        "TransferEvaluated",
        "Closed",
    ]
    assert scene.employee.position_id == scene.target.id
    assert (len(scene.origin.holders), len(scene.target.holders)) == (0, 1)
