"""Objections (sanggah, DOMAIN.md): after the announcement a decided proposal is open to objection
for a window of working days; the committee answers each; an upheld one reopens the decision."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.authority import OutsideAuthority
from domain.calendar import add_working_days
from domain.errors import ConflictOfInterest, IllegalTransition, InvalidValue
from domain.mutation_round import OverrideRequired
from domain.objection import (
    HumanReview,
    HumanReviewRequired,
    NotTheEmployeeConcerned,
    ObjectionAlreadyAnswered,
    ObjectionGrounds,
    ObjectionPending,
    ObjectionWindowClosed,
    ObjectionWindowOpen,
)
from domain.official import Official
from domain.plan_options import PlanOptions, PlanReference
from domain.policy import RulePolicy
from domain.proposal import ProposalStatus
from tests.unit.builders import (
    AGENCY,
    COMMITTEE,
    OPERATOR,
    PPK,
    TODAY,
    Scene,
    override,
    recorded,
    refused,
)

ANNOUNCED = date(2026, 2, 16)  # a Monday: the window is Tue 17, Wed 18, Thu 19
CLOSES = date(2026, 2, 19)
TPK_OTHER = Official("anggota-tpk", agencies=(AGENCY,))


def _announced(scene: Scene | None = None, holidays: tuple[date, ...] = ()) -> tuple[Scene, object]:
    scene = scene or Scene.build()
    scene.round.non_working_days = holidays
    proposal_id = scene.approved()
    scene.announce(on=ANNOUNCED)
    return scene, proposal_id


def _file(
    scene: Scene,
    proposal_id,
    on: date = date(2026, 2, 17),
    by: Official | None = None,
    letter: str | None = None,
    grounds: ObjectionGrounds = ObjectionGrounds.PERSONAL_CIRCUMSTANCES,
    explanation: str | None = None,
):
    by = by or Official("pegawai", scene.employee.nip)
    return scene.round.file_objection(
        proposal_id,
        by,
        grounds,
        "my child's school is in the old district",
        on,
        scene.policy,
        letter,
        explanation,
    )


def _answer(
    scene: Scene,
    proposal_id,
    objection_id,
    upheld: bool,
    by: Official = TPK_OTHER,
    on: date = date(2026, 2, 20),
    review: HumanReview | None = None,
) -> None:
    scene.round.answer_objection(
        proposal_id, objection_id, upheld, "checked the family's circumstances", by, on, review
    )


# -- the window -----------------------------------------------------------------------


def test_the_window_counts_working_days_after_the_announcement():
    scene, _ = _announced()
    assert scene.round.objection_window_closes_on(scene.policy) == CLOSES
    assert add_working_days(date(2026, 2, 20), 3) == date(2026, 2, 25)  # Fri + Mon, Tue, Wed


@pytest.mark.parametrize("day", [ANNOUNCED, date(2026, 2, 17), CLOSES])
def test_an_objection_is_taken_from_the_announcement_to_the_last_working_day(day):
    scene, proposal_id = _announced()
    objection_id = _file(scene, proposal_id, on=day)

    assert recorded(scene.round)[-1] == "ObjectionFiled"
    assert scene.round.objection(proposal_id, objection_id).filed_on == day


def test_errors_for_an_objection_after_the_window_naming_the_day_it_closed():
    scene, proposal_id = _announced()
    with refused(ObjectionWindowClosed, scene.round, match="closed on 2026-02-19"):
        _file(scene, proposal_id, on=date(2026, 2, 20))


def test_a_holiday_inside_the_window_extends_it():
    scene, proposal_id = _announced(holidays=(date(2026, 2, 17),))  # Imlek
    assert scene.round.objection_window_closes_on(scene.policy) == date(2026, 2, 20)
    _file(scene, proposal_id, on=date(2026, 2, 20))


def test_the_window_length_is_a_setting():
    scene = Scene.build(policy=RulePolicy(objection_window_working_days=5))
    scene, _ = _announced(scene)
    assert scene.round.objection_window_closes_on(scene.policy) == date(2026, 2, 23)


def test_errors_for_an_objection_before_the_announcement():
    scene = Scene.build()
    proposal_id = scene.approved()
    with refused(IllegalTransition, scene.round, match="after the announcement"):
        _file(scene, proposal_id)


def test_errors_for_an_objection_to_a_proposal_not_decided():
    scene = Scene.build()
    withdrawn = scene.propose()
    scene.round.withdraw(withdrawn, OPERATOR, "wrong target")
    scene.approved()
    scene.announce(on=ANNOUNCED)
    with refused(IllegalTransition, scene.round, match="is withdrawn"):
        _file(scene, withdrawn)


# -- who files --------------------------------------------------------------------------


def test_errors_for_an_objection_filed_by_someone_else():
    scene, proposal_id = _announced()
    with refused(NotTheEmployeeConcerned, scene.round, match="is not the employee concerned"):
        _file(scene, proposal_id, by=Official("tetangga", "198001012005011002"))
    with refused(NotTheEmployeeConcerned, scene.round):
        _file(scene, proposal_id, by=OPERATOR)  # an operator without the employee's letter


def test_an_operator_files_on_the_employees_written_behalf():
    scene, proposal_id = _announced()
    objection_id = _file(scene, proposal_id, by=OPERATOR, letter="Surat 800/12/2026")

    assert scene.round.objection(proposal_id, objection_id).letter_reference == "Surat 800/12/2026"


def test_errors_for_an_operator_of_another_agency_even_with_a_letter():
    scene, proposal_id = _announced()
    with refused(OutsideAuthority, scene.round):
        _file(scene, proposal_id, by=Official("op-lain", agencies=("Pemerintah Kota Padang",)), letter="S-1")


def test_errors_for_contesting_an_automated_recommendation_of_a_hand_made_proposal():
    scene, proposal_id = _announced()
    with refused(InvalidValue, scene.round, match="made by hand"):
        _file(scene, proposal_id, grounds=ObjectionGrounds.AUTOMATED_RECOMMENDATION)


# -- answers --------------------------------------------------------------------------


def test_a_dismissed_objection_leaves_the_decision_and_the_decree_follows():
    scene, proposal_id = _announced()
    objection_id = _file(scene, proposal_id)
    _answer(scene, proposal_id, objection_id, upheld=False)

    assert recorded(scene.round)[-1] == "ObjectionAnswered"
    assert scene.round.proposal(proposal_id).status is ProposalStatus.APPROVED
    scene.decree(proposal_id)
    assert scene.round.proposal(proposal_id).status is ProposalStatus.DECREED


def test_an_upheld_objection_reopens_the_decision_and_the_ppk_may_reverse_it():
    scene, proposal_id = _announced()
    first = scene.round.proposal(proposal_id).decision
    objection_id = _file(scene, proposal_id)
    _answer(scene, proposal_id, objection_id, upheld=True)

    assert recorded(scene.round)[-2:] == ["ObjectionAnswered", "DecisionReopened"]
    proposal = scene.round.proposal(proposal_id)
    assert proposal.status is ProposalStatus.REOPENED and proposal.decision is None
    assert scene.round.earlier_decisions[proposal_id] == [first]
    assert scene.round.seats_promised(scene.target.id) == 0

    scene.round.reject(proposal_id, PPK, "reversed on objection: family circumstances", today=date(2026, 2, 23))
    assert scene.round.proposal(proposal_id).status is ProposalStatus.REJECTED
    assert [
        d.approved for d in (*scene.round.earlier_decisions[proposal_id], scene.round.proposal(proposal_id).decision)
    ] == [True, False]


def test_a_new_decision_judges_every_rule_again():
    scene, proposal_id = _announced()
    objection_id = _file(scene, proposal_id)
    _answer(scene, proposal_id, objection_id, upheld=True)
    scene.employee.open_disciplinary_case("KD-1/2026", date(2026, 2, 21))
    with refused(OverrideRequired, scene.round, match="discipline"):
        scene.approve(proposal_id)
    scene.approve(proposal_id, overrides=(override("discipline", "the case concerns a late report only"),))
    assert scene.round.proposal(proposal_id).status is ProposalStatus.APPROVED


def test_errors_for_answering_an_objection_to_ones_own_act():
    scene, proposal_id = _announced()
    objection_id = _file(scene, proposal_id)
    for contested in (COMMITTEE, PPK, OPERATOR):  # recommended, decided, proposed
        with refused(ConflictOfInterest, scene.round, match="may not answer an objection to their own act"):
            _answer(scene, proposal_id, objection_id, upheld=False, by=contested)
    with refused(ConflictOfInterest, scene.round, match="may not answer an objection to their own transfer"):
        _answer(scene, proposal_id, objection_id, upheld=False, by=Official("tpk", scene.employee.nip, (AGENCY,)))


def test_errors_for_answering_twice_or_without_reasons():
    scene, proposal_id = _announced()
    objection_id = _file(scene, proposal_id)
    with refused(InvalidValue, scene.round, match="reasons"):
        scene.round.answer_objection(proposal_id, objection_id, False, " ", TPK_OTHER, date(2026, 2, 20))
    _answer(scene, proposal_id, objection_id, upheld=False)
    with refused(ObjectionAlreadyAnswered, scene.round):
        _answer(scene, proposal_id, objection_id, upheld=True)


# -- no decree while the window is open or an objection unanswered -----------------------


def test_errors_for_a_decree_while_the_window_is_open():
    scene, proposal_id = _announced()
    with refused(ObjectionWindowOpen, scene.round, match="open until 2026-02-19"):
        scene.decree(proposal_id, signed_on=date(2026, 2, 18), today=date(2026, 2, 19))


def test_errors_for_a_decree_while_an_objection_is_unanswered():
    scene, proposal_id = _announced()
    _file(scene, proposal_id)
    with refused(ObjectionPending, scene.round, match="is unanswered"):
        scene.decree(proposal_id, today=TODAY)


def test_errors_for_a_decree_of_a_reopened_decision():
    scene, proposal_id = _announced()
    _answer(scene, proposal_id, _file(scene, proposal_id), upheld=True)
    with refused(IllegalTransition, scene.round, match="is reopened"):
        scene.decree(proposal_id)


def test_errors_for_a_decree_before_the_announcement():
    scene = Scene.build()
    proposal_id = scene.approved()
    with refused(IllegalTransition, scene.round, match="follows the announcement"):
        scene.round.issue_decree(
            proposal_id,
            __import__("domain.proposal", fromlist=["Decree"]).Decree("SK-1", date(2026, 2, 20), date(2026, 3, 1), PPK),
            scene.employee,
            scene.origin,
            scene.target,
            scene.policy,
            TODAY,
        )


# -- an automated recommendation -------------------------------------------------------


def _from_plan(scene: Scene, proposal_id) -> None:
    scene.round.proposals[proposal_id].plan = PlanReference(
        __import__("uuid").uuid4(), 1, PlanOptions(), Decimal("91.67")
    )


def test_an_objection_to_a_plan_made_proposal_carries_the_plans_explanation():
    scene = Scene.build()
    proposal_id = scene.propose()
    _from_plan(scene, proposal_id)
    scene.paperwork(proposal_id)
    scene.approve(proposal_id)
    scene.announce(on=ANNOUNCED)
    with refused(InvalidValue, scene.round, match="carries the plan's explanation"):
        _file(scene, proposal_id, grounds=ObjectionGrounds.AUTOMATED_RECOMMENDATION)
    objection_id = _file(
        scene,
        proposal_id,
        grounds=ObjectionGrounds.AUTOMATED_RECOMMENDATION,
        explanation="the plan found JPM 91.67 in the target against 70.00 now",
    )

    assert "91.67" in scene.round.objection(proposal_id, objection_id).plan_explanation
    with refused(HumanReviewRequired, scene.round, match="who reviewed the case in person"):
        _answer(scene, proposal_id, objection_id, upheld=False)
    _answer(
        scene,
        proposal_id,
        objection_id,
        upheld=False,
        review=HumanReview("Drs. Rahmat (ketua TPK)", "read the file and met the employee on 20 February"),
    )
    answer = scene.round.objection(proposal_id, objection_id).answer
    assert answer.human_review.reviewer == "Drs. Rahmat (ketua TPK)"
