"""MutationRound decisions: approve (rules checked again; each failure needs an override) or reject."""

from datetime import date

from domain.eligibility import FreezeWindow
from domain.employee import EmployeeRetired
from domain.errors import ConflictOfInterest, IllegalTransition, InvalidValue
from domain.mutation_round import OverrideRequired, ProposalNotOpen, RoundNotOpen
from domain.official import Official
from domain.position import PositionAbolished
from domain.proposal import ProposalStatus
from domain.vocabulary import SanctionLevel
from tests.unit.builders import AGENCY, EFFECTIVE, OPERATOR, PPK, Scene, override, position, recorded, refused


def test_approval_records_the_decision_with_the_eligibility_at_that_moment():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.recommend(proposal_id)

    report = scene.approve(proposal_id)

    assert report.passed
    assert recorded(scene.round)[-1] == "Decided"
    proposal = scene.round.proposal(proposal_id)
    assert proposal.status is ProposalStatus.APPROVED
    assert proposal.decision.approved and proposal.decision.decided_by == PPK
    assert proposal.decision.eligibility == report.outcomes
    assert proposal.decision.jpm == proposal.jpm
    assert proposal.decision.overrides == ()


def test_errors_for_approving_a_withdrawn_proposal():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    scene.round.withdraw(proposal_id, OPERATOR, "wrong target")
    with refused(ProposalNotOpen, scene.round, match="is withdrawn"):
        scene.approve(proposal_id)


def test_errors_for_deciding_twice():
    scene = Scene.build()
    proposal_id = scene.approved()
    with refused(ProposalNotOpen, scene.round, match="is approved"):
        scene.approve(proposal_id)
    with refused(ProposalNotOpen, scene.round, match="is approved"):
        scene.round.reject(proposal_id, PPK, "second thoughts")


def test_errors_for_the_proposer_deciding_the_proposal():
    scene = Scene.build()
    proposal_id = scene.propose(by=OPERATOR)
    scene.recommend(proposal_id)
    with refused(ConflictOfInterest, scene.round, match="proposed this transfer and may not also decide it"):
        scene.approve(proposal_id, by=OPERATOR)
    with refused(ConflictOfInterest, scene.round, match="proposed this transfer"):
        scene.round.reject(proposal_id, OPERATOR, "no")


def test_errors_for_the_employee_deciding_their_own_transfer_even_with_an_override():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    self_ = Official("self", scene.employee.nip, (AGENCY,))
    with refused(ConflictOfInterest, scene.round, match="may not decide their own transfer"):
        scene.approve(proposal_id, by=self_, overrides=(override("conflict_of_interest"),))
    with refused(ConflictOfInterest, scene.round):
        scene.round.reject(proposal_id, self_, "no")


def test_errors_for_approving_a_failed_rule_without_an_override():
    scene = Scene.build(placed_on=date(2024, 3, 2))
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    with refused(OverrideRequired, scene.round, match="rules failed without an override: tenure: ") as error:
        scene.approve(proposal_id)

    assert error.value.rules == ("tenure",)
    assert "(1 full years on 2026-03-01), fewer than the required 2" in str(error.value)


def test_an_override_with_a_justification_lifts_a_failed_rule():
    scene = Scene.build(placed_on=date(2024, 3, 2))
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    lifted = override("tenure", "the school has no treasurer since January")

    report = scene.approve(proposal_id, overrides=(lifted,))

    assert [o.rule for o in report.failed] == ["tenure"]
    assert scene.round.proposal(proposal_id).decision.overrides == (lifted,)


def test_errors_for_overriding_only_some_of_the_failed_rules():
    scene = Scene.build(placed_on=date(2024, 3, 2), scores={"integritas": 1})
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    with refused(OverrideRequired, scene.round) as error:
        scene.approve(proposal_id, overrides=(override("tenure"),))

    assert error.value.rules == ("competency_fit",)


def test_errors_for_an_override_of_a_rule_that_did_not_fail():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    with refused(InvalidValue, scene.round, match="override names rule 'tenure', which did not fail"):
        scene.approve(proposal_id, overrides=(override("tenure"),))


def test_errors_for_an_override_without_a_justification():
    scene = Scene.build(placed_on=date(2024, 3, 2))
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    with refused(InvalidValue, scene.round, match="justification for overriding tenure must not be empty"):
        scene.approve(proposal_id, overrides=(override("tenure", "  "),))


def test_errors_for_the_employee_authorising_an_override_of_their_own_transfer():
    scene = Scene.build(placed_on=date(2024, 3, 2))
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    with refused(ConflictOfInterest, scene.round, match="may not authorise an override"):
        scene.approve(proposal_id, overrides=(override("tenure", by=Official("self", scene.employee.nip, (AGENCY,))),))


def test_rules_are_checked_again_at_approval():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    scene.employee.record_sanction(SanctionLevel.SEVERE, date(2026, 2, 1), date(2027, 2, 1), "HD-9")
    with refused(OverrideRequired, scene.round, match="severe sanction HD-9") as error:
        scene.approve(proposal_id)

    assert error.value.rules == ("discipline",)
    assert scene.round.proposal(proposal_id).eligibility[4].passed  # as it stood when proposed


def test_the_last_free_seat_taken_by_an_earlier_approval_needs_an_override():
    scene = Scene.build(target_formasi=1)
    second_employee = scene.another(2)
    first, second = scene.propose(), scene.propose(second_employee)
    scene.recommend(first)
    scene.recommend(second)
    scene.approve(first)

    with refused(OverrideRequired, scene.round) as error:
        scene.approve(second, second_employee)

    assert error.value.rules == ("vacancy",)
    assert "formasi 1 - 0 holders - 1 approved in this round = 0 free" in str(error.value)
    assert scene.round.proposal(second).eligibility[7].passed  # the seat was free when proposed


def test_a_proposal_made_after_the_seat_was_promised_records_the_vacancy_failure():
    scene = Scene.build(target_formasi=1)
    scene.approved()

    later = scene.round.proposal(scene.propose(scene.another(2)))

    assert [o.rule for o in later.eligibility if not o.passed] == ["vacancy"]


def test_a_rejected_proposal_does_not_hold_a_seat():
    scene = Scene.build(target_formasi=1)
    second_employee = scene.another(2)
    first, second = scene.propose(), scene.propose(second_employee)
    scene.round.reject(first, PPK, "another candidate fits better")
    scene.recommend(second)

    assert scene.approve(second, second_employee).passed


def test_an_approval_into_another_position_does_not_take_the_seat():
    scene = Scene.build(target_formasi=1)
    scene.approved()

    assert scene.round.seats_promised(scene.target.id) == 1
    assert scene.round.seats_promised(scene.origin.id) == 0


def test_a_move_effective_on_the_first_or_last_day_of_a_freeze_needs_an_override():
    for effective_on, window in [
        (EFFECTIVE, FreezeWindow(EFFECTIVE, date(2026, 9, 30), "Pilkada")),
        (EFFECTIVE, FreezeWindow(date(2025, 9, 1), EFFECTIVE, "Pilkada")),
    ]:
        scene = Scene.build(freeze_windows=(window,), effective_on=effective_on)
        proposal_id = scene.propose()
        scene.recommend(proposal_id)
        with refused(OverrideRequired, scene.round, match="lies in the freeze window") as error:
            scene.approve(proposal_id)
        assert error.value.rules == ("election_freeze",)
        assert scene.approve(proposal_id, overrides=(override("election_freeze", "Mendagri letter 100/1"),))


def test_a_move_effective_the_day_before_or_after_a_freeze_is_approved():
    for window in (
        FreezeWindow(date(2026, 3, 2), date(2026, 9, 30), "Pilkada"),
        FreezeWindow(date(2025, 9, 1), date(2026, 2, 28), "Pilkada"),
    ):
        scene = Scene.build(freeze_windows=(window,))
        assert scene.approve(_recommended(scene)).passed


def _recommended(scene):
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    return proposal_id


def test_rejection_records_the_reason():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.round.reject(proposal_id, PPK, "no budget this year")

    proposal = scene.round.proposal(proposal_id)
    assert proposal.status is ProposalStatus.REJECTED
    assert (proposal.decision.approved, proposal.decision.reason) == (False, "no budget this year")


def test_errors_for_a_decision_without_a_reason():
    scene = Scene.build()
    proposal_id = _recommended(scene)
    with refused(InvalidValue, scene.round, match="reason must not be empty"):
        scene.round.reject(proposal_id, PPK, "")
    with refused(InvalidValue, scene.round, match="reason must not be empty"):
        scene.round.approve(proposal_id, scene.employee, scene.origin, scene.target, PPK, " ", scene.policy)


def test_errors_for_deciding_in_an_announced_round():
    scene = Scene.build()
    scene.approved()
    pending = _recommended_other(scene)
    scene.announce()
    with refused(RoundNotOpen, scene.round):
        scene.round.reject(pending, PPK, "too late")


def _recommended_other(scene):
    other = scene.another(2)
    proposal_id = scene.propose(other)
    scene.recommend(proposal_id)
    return proposal_id


def test_errors_for_approving_the_move_of_an_employee_who_retired_since_the_proposal():
    scene = Scene.build()
    proposal_id = _recommended(scene)
    scene.employee.retire(date(2026, 2, 1), "meninggal dunia")
    with refused(EmployeeRetired, scene.round):
        scene.approve(proposal_id, overrides=(override("tenure"),))


def test_errors_for_approving_into_a_position_abolished_since_the_proposal():
    scene = Scene.build()
    proposal_id = _recommended(scene)
    scene.target.abolish(date(2026, 2, 1), "merged")
    with refused(PositionAbolished, scene.round):
        scene.approve(proposal_id, overrides=(override("vacancy"),))


def test_errors_for_approving_with_an_employee_or_positions_other_than_the_proposals():
    scene = Scene.build()
    proposal_id = _recommended(scene)
    someone_else = scene.another(2)
    with refused(IllegalTransition, scene.round, match="do not match the proposal"):
        scene.approve(proposal_id, who=someone_else)
    with refused(IllegalTransition, scene.round, match="do not match the proposal"):
        scene.approve(proposal_id, target=position("Analis Anggaran"))
