"""The three binding moments (DOMAIN.md): the decision, the decree on its TMT, and the execution.

Every moment judges the rules again on its own date and on the register as it then stands.
"""

from datetime import date

import pytest

from domain.employee import EmployeeRetired
from domain.errors import ConflictOfInterest, InvalidValue
from domain.mutation_round import DECREE_DATES, DecreeNoLongerHolds, OverrideRequired
from domain.objection import ObjectionWindowOpen
from domain.official import Official
from domain.proposal import EvaluationFindings, ProposalStatus
from domain.vocabulary import Expectation, Predikat, SanctionLevel
from tests.unit.builders import (
    AGENCY,
    DECIDED_ON,
    OPERATOR,
    PPK,
    TODAY,
    Scene,
    employee,
    override,
    recorded,
    refused,
)

E = Expectation.AS_EXPECTED


# -- the decree -----------------------------------------------------------------------


def test_a_decree_records_every_rule_judged_on_its_tmt():
    scene = Scene.build()
    proposal_id = scene.approved()
    report = scene.decree(proposal_id)

    decree = scene.round.proposal(proposal_id).decree
    assert report.passed and decree.eligibility == report.outcomes
    assert [o.rule for o in decree.eligibility][-1] == DECREE_DATES
    assert "on 2026-03-01" in next(o for o in decree.eligibility if o.rule == "tenure").explanation
    assert scene.round.proposal(proposal_id).decision.decided_on == DECIDED_ON


def test_errors_for_a_back_dated_decree_before_the_period_without_an_override():
    """TMT 1 December 2025: before the signing and the period, only 1 year 11 months in post, and
    the last final SKP years on that day are 2023 and 2024 (2023 not rated)."""
    scene = Scene.build(placed_on=date(2024, 1, 3))
    proposal_id = scene.announced()
    with refused(OverrideRequired, scene.round) as error:
        scene.decree(proposal_id, effective_on=date(2025, 12, 1))

    assert error.value.rules == (DECREE_DATES, "performance", "tenure")
    assert "2025-12-01 lies before the signing on 2026-02-20 (back-dated)" in str(error.value)
    assert "outside the round's period 2026-01-01 to 2026-06-30" in str(error.value)


def test_a_back_dated_decree_is_recorded_with_its_overrides():
    scene = Scene.build(placed_on=date(2024, 1, 3))
    proposal_id = scene.approved()
    lifted = (
        override(DECREE_DATES, "confirms a move made on 1 December"),
        override("tenure", "restructuring of the unit"),
        override("performance", "the 2023 rating was lost in a flood"),
    )
    scene.decree(proposal_id, effective_on=date(2025, 12, 1), overrides=lifted)

    assert scene.round.proposal(proposal_id).decree.overrides == lifted
    assert scene.round.proposal(proposal_id).overridden == {DECREE_DATES, "tenure", "performance"}


def test_errors_for_a_decree_signed_after_today():
    scene = Scene.build()
    proposal_id = scene.announced()
    with refused(InvalidValue, scene.round, match="signed on 2027-02-20, after today") as error:
        scene.decree(proposal_id, signed_on=date(2027, 2, 20), effective_on=date(2027, 3, 1))

    assert error.value.field == "signed_on"


def test_errors_for_a_decree_signed_before_the_decision():
    scene = Scene.build()
    proposal_id = scene.announced()
    with refused(InvalidValue, scene.round, match="before the decision of 2026-02-10"):
        scene.decree(proposal_id, signed_on=date(2026, 2, 9))


def test_errors_for_a_decree_whose_tmt_newly_fails_tenure():
    """Two years in post on the planned 1 March, not yet on a TMT of 21 February."""
    scene = Scene.build(placed_on=date(2024, 2, 25))
    proposal_id = scene.announced()
    with refused(OverrideRequired, scene.round, match="tenure: in the current position since 2024-02-25") as error:
        scene.decree(proposal_id, effective_on=date(2026, 2, 21))

    assert error.value.rules == ("tenure",)


def test_errors_for_a_decree_whose_seat_was_taken_since_the_decision():
    scene = Scene.build(target_formasi=1)
    proposal_id = scene.announced()
    scene.target.add_holder(employee(7).id, date(2026, 2, 15), "SK-7")  # someone seated meanwhile
    with refused(OverrideRequired, scene.round, match="vacancy: formasi 1 - 1 holders") as error:
        scene.decree(proposal_id)

    assert error.value.rules == ("vacancy",)


def test_a_rule_overridden_at_the_decision_needs_no_second_override_at_the_decree():
    scene = Scene.build(placed_on=date(2025, 1, 3))
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    scene.approve(proposal_id, overrides=(override("tenure", "the unit is being dissolved"),))
    scene.decree(proposal_id)

    assert scene.round.proposal(proposal_id).decree.overrides == ()


def test_errors_for_an_override_at_the_decree_of_a_rule_that_holds():
    scene = Scene.build()
    proposal_id = scene.announced()
    with refused(InvalidValue, scene.round, match="override names rule 'tenure', which did not fail"):
        scene.decree(proposal_id, overrides=(override("tenure"),))


def test_errors_for_the_employee_signing_their_own_decree():
    scene = Scene.build()
    proposal_id = scene.announced()
    own = Official("walikota", scene.employee.nip, (AGENCY,))
    with refused(ConflictOfInterest, scene.round, match="may not sign the decree of their own transfer"):
        scene.decree(proposal_id, by=own)


def test_errors_for_the_proposer_signing_the_decree():
    scene = Scene.build()
    proposal_id = scene.announced()
    with refused(ConflictOfInterest, scene.round, match="proposed this transfer and may not also sign"):
        scene.decree(proposal_id, by=OPERATOR)


# -- the announcement ------------------------------------------------------------------


def test_errors_for_the_employee_announcing_the_round_of_their_own_transfer():
    scene = Scene.build()
    scene.approved()
    with refused(ConflictOfInterest, scene.round, match="may not announce their own transfer"):
        scene.announce(by=Official("walikota", scene.employee.nip, (AGENCY,)))


# -- the execution ---------------------------------------------------------------------


def test_errors_for_the_employee_executing_their_own_transfer():
    scene = Scene.build()
    proposal_id = scene.decreed()
    own = Official("operator", scene.employee.nip, (AGENCY,))
    with refused(
        ConflictOfInterest,
        scene.round,
        scene.employee,
        scene.origin,
        scene.target,
        match="may not execute their own transfer",
    ):
        scene.execute(proposal_id, by=own)


def test_errors_for_executing_a_decree_after_the_employee_was_sanctioned():
    scene = Scene.build()
    proposal_id = scene.decreed()
    scene.employee.record_sanction(SanctionLevel.SEVERE, date(2026, 2, 25), date(2027, 2, 25), "HD-9/2026")
    with refused(
        DecreeNoLongerHolds,
        scene.round,
        scene.employee,
        scene.origin,
        scene.target,
        match="SK 821/12/BKPSDM/2026 no longer holds: discipline",
    ) as error:
        scene.execute(proposal_id)

    assert error.value.rules == ("discipline",)


def test_errors_for_executing_into_a_position_abolished_since_the_decree():
    scene = Scene.build()
    proposal_id = scene.decreed()
    scene.target.abolish(date(2026, 2, 28), "merged into BPKAD")
    with refused(
        DecreeNoLongerHolds,
        scene.round,
        scene.employee,
        scene.origin,
        scene.target,
        match="vacancy: the position was abolished on 2026-02-28",
    ):
        scene.execute(proposal_id)


def test_errors_for_executing_the_transfer_of_a_retired_employee():
    scene = Scene.build()
    proposal_id = scene.decreed()
    scene.employee.retire(date(2026, 2, 28), "pension")
    with refused(EmployeeRetired, scene.round, scene.origin, scene.target):
        scene.execute(proposal_id)


def test_errors_for_executing_a_decree_whose_seat_was_taken():
    scene = Scene.build(target_formasi=1)
    proposal_id = scene.decreed()
    scene.target.add_holder(employee(7).id, date(2026, 2, 28), "SK-7")
    with refused(DecreeNoLongerHolds, scene.round, scene.employee, scene.origin, scene.target, match="vacancy"):
        scene.execute(proposal_id)


def test_an_execution_on_or_after_the_tmt_changes_all_four_aggregates():
    scene = Scene.build()
    proposal_id = scene.decreed()
    scene.execute(proposal_id, today=TODAY)

    assert scene.round.proposal(proposal_id).status is ProposalStatus.EXECUTED
    assert recorded(scene.employee)[-1] == "Transferred"


# -- evaluation dates ------------------------------------------------------------------


def _findings(months: int, on: date) -> EvaluationFindings:
    return EvaluationFindings(months, on, Predikat.BAIK, E, E, "settled in")


def _executed() -> tuple[Scene, object]:
    scene = Scene.build()
    proposal_id = scene.decreed()
    scene.execute(proposal_id)
    return scene, proposal_id


def test_errors_for_an_evaluation_of_six_months_dated_five_days_after_the_transfer():
    scene, proposal_id = _executed()
    with refused(InvalidValue, scene.round, scene.employee, match="not before 2026-08-18") as error:
        scene.evaluate(proposal_id, _findings(6, date(2026, 3, 6)))

    assert error.value.field == "evaluated_on"


def test_errors_for_an_evaluation_dated_in_the_future():
    scene, proposal_id = _executed()
    with refused(InvalidValue, scene.round, scene.employee, match="lies in the future") as error:
        scene.evaluate(proposal_id, _findings(6, date(2027, 1, 5)), today=date(2026, 12, 2))

    assert error.value.field == "evaluated_on"


@pytest.mark.parametrize("day", [date(2026, 8, 18), date(2026, 9, 1), date(2026, 12, 2)])
def test_an_evaluation_may_be_dated_up_to_fourteen_days_early_and_up_to_today(day):
    scene, proposal_id = _executed()
    scene.evaluate(proposal_id, _findings(6, day), today=date(2026, 12, 2))

    assert scene.round.proposal(proposal_id).evaluations[-1].evaluated_on == day


def test_the_early_tolerance_is_a_setting():
    from domain.policy import RulePolicy

    scene = Scene.build(policy=RulePolicy(evaluation_early_days=0))
    proposal_id = scene.decreed()
    scene.execute(proposal_id)
    with refused(InvalidValue, scene.round, match="not before 2026-09-01"):
        scene.evaluate(proposal_id, _findings(6, date(2026, 8, 31)))


# -- a moment's clock ------------------------------------------------------------------


def test_a_decree_is_signed_from_the_first_working_day_after_the_objection_window():
    scene = Scene.build()
    proposal_id = scene.announced()  # announced Sunday 15 February: window Mon 16 to Wed 18
    with refused(ObjectionWindowOpen, scene.round, match="no decree signed before 2026-02-19"):
        scene.decree(proposal_id, signed_on=date(2026, 2, 18))
    scene.decree(proposal_id, signed_on=date(2026, 2, 19))

    assert scene.round.proposal(proposal_id).decree.signed_by == PPK
