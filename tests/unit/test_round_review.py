"""MutationRound review: the committee's recommendation, consents and BKN's technical review."""

from datetime import date

import pytest

from domain.errors import ConflictOfInterest, IllegalTransition, InvalidValue, RuleViolation
from domain.mutation_round import PaperworkMissing, ProposalNotOpen, RoundNotOpen
from domain.official import Official
from domain.proposal import Consent, Recommendation, TechnicalReview
from domain.vocabulary import ConsentParty, TransferKind
from tests.unit.builders import (
    AGENCY,
    BKN,
    COMMITTEE,
    GOVERNOR,
    OPERATOR,
    OTHER_AGENCY,
    PPK,
    Scene,
    position,
    recorded,
    refused,
)

CROSS = TransferKind.BETWEEN_AGENCIES_IN_PROVINCE


def test_records_the_committees_recommendation():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.recommend(proposal_id)

    assert recorded(scene.round) == ["Proposed", "Recommended"]
    assert scene.round.proposal(proposal_id).recommendation.by == COMMITTEE


def test_errors_for_the_employee_recommending_their_own_transfer():
    scene = Scene.build()
    proposal_id = scene.propose()
    with refused(ConflictOfInterest, scene.round, match="may not recommend their own transfer"):
        scene.recommend(proposal_id, by=Official("self", scene.employee.nip, (AGENCY,)))


def test_errors_for_recommending_a_decided_proposal():
    scene = Scene.build()
    proposal_id = scene.approved()
    with refused(ProposalNotOpen, scene.round):
        scene.recommend(proposal_id)


def test_errors_for_recommending_in_an_announced_round():
    scene = Scene.build()
    proposal_id = scene.approved()
    scene.announce()
    with refused(RoundNotOpen, scene.round):
        scene.round.recommend(proposal_id, Recommendation(True, COMMITTEE, "late"))


# -- cross-agency paperwork ---------------------------------------------------------


def test_records_both_consents_and_the_technical_review():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    scene.paperwork(proposal_id)

    assert recorded(scene.round) == ["Proposed", "ConsentRecorded", "ConsentRecorded", "TechnicalReviewRecorded"]
    proposal = scene.round.proposal(proposal_id)
    assert set(proposal.consents) == set(ConsentParty)
    assert all(c.position_id == scene.target.id for c in proposal.consents.values())
    assert proposal.technical_review.approved


def test_errors_for_consents_in_a_within_agency_round():
    scene = Scene.build()
    proposal_id = scene.propose()
    with refused(IllegalTransition, scene.round, match="belong to cross-agency rounds"):
        scene.consent(proposal_id, ConsentParty.RELEASING)
    with refused(IllegalTransition, scene.round, match="belong to cross-agency rounds"):
        scene.review(proposal_id, True)


def test_errors_for_a_consent_naming_another_position():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    with refused(RuleViolation, scene.round, match="releasing consent names position") as error:
        scene.consent(proposal_id, ConsentParty.RELEASING, position_id=position("Lain").id)

    assert error.value.rules == ("consent",)


def test_errors_for_the_employee_consenting_to_their_own_transfer():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    own = Consent(
        ConsentParty.RELEASING,
        Official("self", scene.employee.nip, (AGENCY,)),
        scene.target.id,
        "800/1",
        date(2026, 2, 1),
    )
    with refused(ConflictOfInterest, scene.round):
        scene.round.record_consent(proposal_id, own, OPERATOR)


def test_errors_for_a_consent_without_a_letter_number():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    blank = Consent(ConsentParty.RECEIVING, PPK, scene.target.id, " ", date(2026, 2, 1))
    with refused(InvalidValue, scene.round, match="consent letter number"):
        scene.round.record_consent(proposal_id, blank, OPERATOR)


def test_errors_for_the_employee_reviewing_their_own_transfer():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    own = TechnicalReview(True, Official("self", scene.employee.nip, (AGENCY,)), "PERTEK-1", date(2026, 2, 5), "")
    with refused(ConflictOfInterest, scene.round):
        scene.round.record_technical_review(proposal_id, own)


def test_errors_for_a_technical_review_without_a_reference():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    blank = TechnicalReview(True, BKN, "", date(2026, 2, 5), "")
    with refused(InvalidValue, scene.round, match="technical review reference"):
        scene.round.record_technical_review(proposal_id, blank)


def test_errors_for_paperwork_on_a_withdrawn_proposal():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    scene.round.withdraw(proposal_id, PPK, "no longer needed")
    with refused(ProposalNotOpen, scene.round):
        scene.consent(proposal_id, ConsentParty.RECEIVING)
    with refused(ProposalNotOpen, scene.round):
        scene.review(proposal_id, True)


# -- paperwork at decision time -----------------------------------------------------


def test_errors_for_approving_without_the_committees_recommendation():
    scene = Scene.build()
    proposal_id = scene.propose()
    with refused(PaperworkMissing, scene.round, match="the committee's \\(TPK\\) recommendation") as error:
        scene.approve(proposal_id)

    assert error.value.rules == ("paperwork",)


@pytest.mark.parametrize(
    "kind, reviewer",
    [
        (TransferKind.BETWEEN_AGENCIES_IN_PROVINCE, "BKN regional office"),
        (TransferKind.BETWEEN_PROVINCES, "Head of BKN"),
        (TransferKind.CENTRAL_REGIONAL, "BKN"),
    ],
)
def test_errors_for_approving_a_cross_agency_move_without_consents_and_review(kind, reviewer):
    scene = Scene.build(kind=kind)
    proposal_id = scene.propose()
    with refused(PaperworkMissing, scene.round) as error:
        scene.approve(proposal_id)

    message = str(error.value)
    assert "the releasing PPK's consent" in message and "the receiving PPK's consent" in message
    assert f"the technical review by {reviewer}" in message


def test_errors_for_approving_with_only_one_consent():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    scene.consent(proposal_id, ConsentParty.RECEIVING)
    scene.review(proposal_id, True)
    with refused(PaperworkMissing, scene.round, match="approval needs the releasing PPK's consent$"):
        scene.approve(proposal_id)


def test_errors_for_approving_after_an_unfavourable_technical_review():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    for party in ConsentParty:
        scene.consent(proposal_id, party)
    scene.review(proposal_id, False)
    with refused(
        PaperworkMissing, scene.round, match="favourable technical review \\(PERTEK-123/2026 was unfavourable\\)"
    ):
        scene.approve(proposal_id)


def test_approves_a_cross_agency_move_with_both_consents_and_a_favourable_review():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    scene.paperwork(proposal_id)

    assert scene.approve(proposal_id).passed
    assert scene.round.proposal(proposal_id).recommendation is None


def test_a_rejection_needs_no_paperwork():
    scene = Scene.build(kind=CROSS)
    proposal_id = scene.propose()
    scene.round.reject(proposal_id, GOVERNOR, "no budget", OTHER_AGENCY)

    assert scene.round.proposal(proposal_id).decision.approved is False
