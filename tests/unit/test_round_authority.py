"""Who may act for an agency (DOMAIN.md): every act of a round is done by someone serving its agency;
cross-agency transfers are decided and signed by the office of DOMAIN.md's table, serving both."""

from __future__ import annotations

from datetime import date

import pytest

from domain.authority import OutsideAuthority
from domain.mutation_round import MutationRound
from domain.official import NATIONAL, Official
from domain.proposal import Recommendation
from domain.vocabulary import Office, TransferKind
from tests.unit.builders import (
    AGENCY,
    GOVERNOR,
    HEAD_OF_BKN,
    MINISTER,
    OTHER_AGENCY,
    Scene,
    recorded,
    refused,
)

STRANGER_OPERATOR = Official("operator-padang-pariaman", agencies=(OTHER_AGENCY,))
STRANGER_PPK = Official("bupati-padang-pariaman", agencies=(OTHER_AGENCY,))
NOBODY = Official("no-agency")


def test_errors_for_opening_a_round_of_another_agency():
    with pytest.raises(OutsideAuthority, match="acts for Pemerintah Kabupaten Padang Pariaman, not for"):
        MutationRound.open(
            AGENCY,
            TransferKind.WITHIN_AGENCY,
            "Mutasi",
            date(2026, 1, 1),
            date(2026, 6, 30),
            date(2026, 3, 1),
            (),
            STRANGER_OPERATOR,
        )


@pytest.mark.parametrize("who", [STRANGER_OPERATOR, NOBODY])
def test_errors_for_proposing_in_another_agencys_round(who):
    scene = Scene.build()
    with refused(OutsideAuthority, scene.round):
        scene.propose(by=who)


def test_errors_for_another_agencys_committee_recommending():
    scene = Scene.build()
    proposal_id = scene.propose()
    with refused(OutsideAuthority, scene.round):
        scene.round.recommend(proposal_id, Recommendation(True, Official("tpk-lain", agencies=(OTHER_AGENCY,)), "ok"))


def test_errors_for_another_agencys_ppk_deciding_announcing_or_signing():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.paperwork(proposal_id)
    with refused(OutsideAuthority, scene.round):
        scene.approve(proposal_id, by=STRANGER_PPK)
    with refused(OutsideAuthority, scene.round):
        scene.round.reject(proposal_id, STRANGER_PPK, "no")
    scene.approve(proposal_id)
    with refused(OutsideAuthority, scene.round):
        scene.announce(by=STRANGER_PPK)
    scene.announce()
    with refused(OutsideAuthority, scene.round):
        scene.decree(proposal_id, by=STRANGER_PPK)


def test_errors_for_another_agencys_operator_executing_evaluating_or_closing():
    scene = Scene.build()
    proposal_id = scene.decreed()
    with refused(OutsideAuthority, scene.round, scene.employee, scene.origin, scene.target):
        scene.execute(proposal_id, by=STRANGER_OPERATOR)
    with refused(OutsideAuthority, scene.round):
        scene.round.close(STRANGER_OPERATOR, date(2026, 6, 30))


def test_a_national_official_serves_every_agency():
    scene = Scene.build()
    scene.propose(by=Official("bkn-operator", agencies=(NATIONAL,)))

    assert recorded(scene.round) == ["Proposed"]


@pytest.mark.parametrize(
    "kind, right, wrong",
    [
        (TransferKind.BETWEEN_AGENCIES_IN_PROVINCE, GOVERNOR, MINISTER),
        (TransferKind.BETWEEN_PROVINCES, MINISTER, GOVERNOR),
        (TransferKind.CENTRAL_REGIONAL, HEAD_OF_BKN, MINISTER),
    ],
)
def test_a_cross_agency_transfer_is_decided_only_by_the_office_of_its_kind(kind, right, wrong):
    scene = Scene.build(kind=kind)
    proposal_id = scene.propose()
    scene.paperwork(proposal_id)
    with refused(OutsideAuthority, scene.round, match=f"is decided by the {kind.decided_by}"):
        scene.approve(proposal_id, by=wrong)
    with refused(OutsideAuthority, scene.round, match="holds no deciding office"):
        scene.approve(proposal_id, by=Official("walikota", agencies=(AGENCY, OTHER_AGENCY)))
    scene.approve(proposal_id, by=right)

    assert scene.round.proposal(proposal_id).decision.decided_by == right


def test_errors_for_a_governor_who_does_not_serve_the_releasing_agency():
    scene = Scene.build(kind=TransferKind.BETWEEN_AGENCIES_IN_PROVINCE)
    proposal_id = scene.propose()
    scene.paperwork(proposal_id)
    other_province = Official("gubernur-lain", agencies=(AGENCY,), office=Office.GOVERNOR)
    with refused(OutsideAuthority, scene.round, match=f"not for {OTHER_AGENCY}"):
        scene.approve(proposal_id, by=other_province)
