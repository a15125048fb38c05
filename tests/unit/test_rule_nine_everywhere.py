"""Rule 9 is one rule: for any actor and any act, the eligibility check's verdict on the conflict of
interest is exactly whether the act refuses the actor for a conflict of interest; and so it is on a
proposal recorded before proposals kept the employee's NIP (`Proposed` version 1), once the round
noted it. Until then, every act on it is refused rather than judged without rule 9.

The act is tried on a scene brought to the point where that act is next, so that only rule 9 (and
the authority over the agency, which every actor here has) can refuse it.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.eligibility.conflict import Act
from domain.errors import ConflictOfInterest
from domain.mutation_round import EmployeeNipUnknown
from domain.objection import ObjectionGrounds
from domain.official import Official
from domain.proposal import Consent, EvaluationFindings, Recommendation, TechnicalReview
from domain.vocabulary import ConsentParty, Expectation, Predikat, TransferKind
from tests.unit.builders import AGENCY, OPERATOR, OTHER_AGENCY, Scene, override, refused

ACTS = [
    Act.PROPOSE,
    Act.RECOMMEND,
    Act.CONSENT,
    Act.TECHNICAL_REVIEW,
    Act.DECIDE,
    Act.AUTHORISE_OVERRIDE,
    Act.ANNOUNCE,
    Act.SIGN_DECREE,
    Act.EXECUTE,
    Act.EVALUATE,
    Act.ANSWER_OBJECTION,
]


def _scene(act: Act, actor: Official, version_1: bool = False) -> tuple[Scene, object]:
    """A scene where `act` is next; the proposal (if any) was proposed by OPERATOR (`version_1`: as
    `Proposed` version 1 recorded it, without the NIP, which the round then notes)."""
    cross = act in (Act.CONSENT, Act.TECHNICAL_REVIEW)
    scene = Scene.build(
        kind=TransferKind.BETWEEN_AGENCIES_IN_PROVINCE if cross else TransferKind.WITHIN_AGENCY,
        placed_on=date(2025, 1, 3) if act is Act.AUTHORISE_OVERRIDE else date(2022, 1, 3),
    )
    if act is Act.PROPOSE:
        return scene, None
    proposal_id = scene.propose_as_version_1() if version_1 else scene.propose()
    if version_1:
        scene.round.note_employee_nips({proposal_id: scene.employee.nip})
    if act in (Act.RECOMMEND, Act.CONSENT, Act.TECHNICAL_REVIEW):
        return scene, proposal_id
    scene.paperwork(proposal_id)
    if act in (Act.DECIDE, Act.AUTHORISE_OVERRIDE):
        return scene, proposal_id
    scene.approve(proposal_id)
    if act is Act.ANSWER_OBJECTION:
        scene.announce()
        scene.round.file_objection(
            proposal_id,
            Official("pegawai", scene.employee.nip),
            ObjectionGrounds.OTHER,
            "I object",
            date(2026, 2, 16),
            scene.policy,
        )
        return scene, proposal_id
    if act in (Act.ANNOUNCE, Act.SIGN_DECREE):
        return scene, proposal_id
    scene.decree(proposal_id)
    if act is Act.EXECUTE:
        return scene, proposal_id
    scene.execute(proposal_id)
    return scene, proposal_id


def _do(act: Act, scene: Scene, proposal_id, actor: Official) -> None:
    if act is Act.PROPOSE:
        scene.propose(by=actor)
    elif act is Act.RECOMMEND:
        scene.round.recommend(proposal_id, Recommendation(True, actor, "fits"))
    elif act is Act.CONSENT:
        scene.round.record_consent(
            proposal_id,
            Consent(ConsentParty.RELEASING, actor, scene.target.id, "800/1", date(2026, 2, 1)),
            OPERATOR,
        )
    elif act is Act.TECHNICAL_REVIEW:
        scene.round.record_technical_review(proposal_id, TechnicalReview(True, actor, "PERTEK-1", date(2026, 2, 5), ""))
    elif act is Act.DECIDE:
        scene.approve(proposal_id, by=actor)
    elif act is Act.AUTHORISE_OVERRIDE:
        scene.approve(proposal_id, overrides=(override("tenure", "restructuring", by=actor),))
    elif act is Act.ANNOUNCE:
        scene.announce(by=actor)
    elif act is Act.SIGN_DECREE:
        scene.decree(proposal_id, by=actor)
    elif act is Act.EXECUTE:
        scene.execute(proposal_id, by=actor)
    elif act is Act.ANSWER_OBJECTION:
        [objection] = scene.round.objections.values()
        scene.round.answer_objection(proposal_id, objection.objection_id, False, "checked", actor, date(2026, 2, 17))
    else:
        scene.evaluate(
            proposal_id,
            EvaluationFindings(
                3, date(2026, 6, 1), Predikat.BAIK, Expectation.AS_EXPECTED, Expectation.AS_EXPECTED, "ok"
            ),
            by=actor,
        )


def _verdict(act: Act, scene: Scene, proposal_id, actor: Official) -> bool:
    """What the eligibility check answers for rule 9 (the report the HTTP check gives)."""
    report = scene.round.eligibility(scene.employee, scene.origin, scene.target, actor, scene.policy, proposal_id, act)
    return report.outcome("conflict_of_interest").passed


@settings(max_examples=150, deadline=None)
@given(act=st.sampled_from(ACTS), is_employee=st.booleans(), is_proposer=st.booleans(), version_1=st.booleans())
def test_the_check_and_the_act_agree_on_rule_nine(
    act: Act, is_employee: bool, is_proposer: bool, version_1: bool
) -> None:
    scene_probe = Scene.build()
    nip = scene_probe.employee.nip  # every scene's employee has the same NIP
    user = OPERATOR.user if is_proposer else "someone-else"
    actor = Official(user, nip if is_employee else None, (AGENCY, OTHER_AGENCY), office=None)
    if act in (Act.DECIDE, Act.SIGN_DECREE) and not is_employee and not is_proposer:
        actor = Official("walikota", None, (AGENCY,))
    if act in (Act.DECIDE, Act.SIGN_DECREE) and (is_employee or is_proposer):
        actor = Official(user, actor.nip, (AGENCY,))
    scene, proposal_id = _scene(act, actor, version_1)
    verdict = _verdict(act, scene, proposal_id, actor)
    try:
        _do(act, scene, proposal_id, actor)
    except ConflictOfInterest:
        accepted = False
    else:
        accepted = True
    assert verdict == accepted, (act, actor)
    separated = (Act.DECIDE, Act.SIGN_DECREE, Act.ANSWER_OBJECTION)
    assert verdict == (not is_employee and not (is_proposer and act in separated))


@pytest.mark.parametrize("act", [a for a in ACTS if a is not Act.PROPOSE])
def test_every_act_on_a_version_1_proposal_whose_nip_is_not_noted_is_refused(act: Act) -> None:
    actor = Official("walikota" if act in (Act.DECIDE, Act.SIGN_DECREE) else "someone-else", None, (AGENCY,))
    scene, proposal_id = _scene(act, actor, version_1=True)
    scene.round.proposals[proposal_id].employee_nip = None  # as a round replaying it holds it, not yet noted
    with refused(EmployeeNipUnknown, scene.round, scene.employee, scene.origin, scene.target):
        _do(act, scene, proposal_id, actor)
