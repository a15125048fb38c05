"""A round holding proposals recorded before proposals kept the employee's NIP (`MutationRound.Proposed`
version 1) stays usable: the first command on it notes the NIPs they lack (one `EmployeeNipsNoted`,
saved with the command's own events, or not at all when the command is refused), and every act then
judges rule 9 on them, a conflicted actor refused as on any proposal."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from application.audit.verify import verify_aggregate
from application.context import Actor
from domain.errors import ConflictOfInterest, InvalidValue
from domain.objection import NotTheEmployeeConcerned, ObjectionGrounds
from domain.proposal import ProposalStatus, Recommendation
from domain.vocabulary import ConsentParty, Office, TransferKind
from tests import scenario as s

OTHER = "Pemerintah Kabupaten Padang Pariaman"
OTHER_OPERATOR = Actor("operator-bkpsdm-padang-pariaman", agencies=(OTHER,))
GOVERNOR = Actor("gubernur", agencies=(s.AGENCY, OTHER), office=Office.GOVERNOR)
BKN = Actor("kanreg-bkn", agencies=(s.AGENCY, OTHER))
SELF = Actor("pegawai-1", nip=s.nip(1), agencies=(s.AGENCY, OTHER), office=Office.GOVERNOR)
"""Employee 1, who also holds each office of the round: rule 9 refuses them every act on their move."""


def _names(app, round_id: UUID, after: int) -> list[str]:
    return [type(e).__name__ for e in app.events.get(round_id, gt=after)]


def _within_agency(app) -> tuple[UUID, UUID, UUID]:
    """A round with employee 2's move proposed now, then employee 1's as version 1 recorded it (any
    command on the round notes the NIP an old proposal lacks)."""
    origin, target = s.position(app, "Analis Keuangan"), s.position(app, "Analis Anggaran", unit="Bappeda")
    first, second = s.employee(app, 1, origin), s.employee(app, 2, origin)
    round_id = s.mutation_round(app)
    new = app.propose(s.OPERATOR, round_id, second, target, "fills a vacancy").proposal_id
    old = s.proposed_as_version_1(app, round_id, first, target)
    return round_id, old, new


def test_an_old_proposal_reads_back_without_its_nip_and_the_round_names_it(app):
    round_id, old, new = _within_agency(app)

    stored = app.recorder.select_events(round_id)[2]
    state = app.mapper.stored_state(stored)
    assert "class_version" not in state and "employee_nip" not in state["proposal"]
    assert app.mapper.to_domain_event(stored).proposal.employee_nip is None
    mutation_round = app.get_round(round_id)
    assert [p.proposal_id for p in mutation_round.proposals_without_nip()] == [old]
    assert mutation_round.proposal(new).employee_nip == s.nip(2)
    assert app.mapper.stored_state(app.recorder.select_events(round_id)[1])["class_version"] == 2


def test_a_round_with_an_old_proposal_is_recommended_decided_announced_decreed_and_executed(app):
    round_id, old, new = _within_agency(app)

    recorded = app.recommend(s.COMMITTEE, round_id, old, True, "fits the standard", expected_version=3)

    assert recorded.version == 5 and _names(app, round_id, 3) == ["EmployeeNipsNoted", "Recommended"]
    [noted] = list(app.events.get(round_id, gt=3, lte=4))
    assert noted.nips == {old: s.nip(1)}  # only the proposal that lacked it
    assert app.get_round(round_id).proposals_without_nip() == ()
    app.decide(s.PPK, round_id, old, True, "approved on the committee's recommendation")
    app.recommend(s.COMMITTEE, round_id, new, False, "another unit needs them more")
    app.decide(s.PPK, round_id, new, False, "rejected on the committee's advice")
    assert _names(app, round_id, 5) == ["Decided", "Recommended", "Decided"]  # noted once only
    s.announce_and_decree(app, round_id, [old])
    s.advance(app, s.TMT)
    app.execute_transfer(s.OPERATOR, round_id, old)

    assert app.get_round(round_id).proposal(old).status is ProposalStatus.EXECUTED
    assert [e.nips for e in app.events.get(round_id) if type(e).__name__ == "EmployeeNipsNoted"] == [{old: s.nip(1)}]
    assert verify_aggregate(app, round_id).ok  # the old event and the note are links of the round's chain


def test_rule_nine_refuses_the_employee_on_their_old_proposal_and_a_refusal_saves_nothing(app):
    round_id, old, _ = _within_agency(app)
    conflicted = Actor("ketua-tpk", nip=s.nip(1), agencies=s.AGENCIES)

    with pytest.raises(ConflictOfInterest, match="may not recommend their own transfer"):
        app.recommend(conflicted, round_id, old, True, "fits the standard")
    with pytest.raises(InvalidValue):
        app.withdraw(s.OPERATOR, round_id, old, " ")  # a refusal of another kind

    assert app.get_round(round_id).version == 3  # the note was not saved without its command
    assert [p.proposal_id for p in app.get_round(round_id).proposals_without_nip()] == [old]
    app.recommend(s.COMMITTEE, round_id, old, True, "fits the standard")
    with pytest.raises(ConflictOfInterest, match="may not decide their own transfer"):
        app.decide(Actor("walikota", nip=s.nip(1), agencies=s.AGENCIES), round_id, old, True, "approved")
    with pytest.raises(ConflictOfInterest, match="may not decide their own transfer"):
        app.decide(Actor("walikota", nip=s.nip(1), agencies=s.AGENCIES), round_id, old, False, "rejected")
    app.decide(s.PPK, round_id, old, True, "approved")
    with pytest.raises(ConflictOfInterest, match="may not announce their own transfer"):
        app.announce(Actor("walikota", nip=s.nip(1), agencies=s.AGENCIES), round_id, s.DECIDED_ON)


def test_the_employee_objects_to_an_old_decision_as_recorded_then(app):
    """Proposed (version 1), recommended, decided and announced before proposals kept the NIP: the
    employee's objection is the first command, and the employee is known by the NIP it notes."""
    origin, target = s.position(app, "Analis Keuangan"), s.position(app, "Analis Anggaran", unit="Bappeda")
    employee_id = s.employee(app, 1, origin)
    round_id = s.mutation_round(app)
    mutation_round, employee = app.get_round(round_id), app.get_employee(employee_id)
    current, moved_to = app.get_position(origin), app.get_position(target)
    proposal_id = mutation_round.propose(employee, current, moved_to, "rotation", s.OPERATOR.official, app.policy)
    mutation_round.recommend(proposal_id, Recommendation(False, s.COMMITTEE.official, "not now"))
    mutation_round.reject(proposal_id, s.PPK.official, "not now", s.AGENCY, s.DECIDED_ON)
    mutation_round.announce(s.PPK.official, s.DECIDED_ON)
    s.stored_as_before_nips(app, mutation_round)
    s.advance(app, date(2026, 2, 11))

    with pytest.raises(NotTheEmployeeConcerned):
        app.file_objection(Actor("pegawai-2", nip=s.nip(2)), round_id, proposal_id, ObjectionGrounds.OTHER, "unfair")
    assert app.get_round(round_id).version == 5
    app.file_objection(Actor("pegawai-1", nip=s.nip(1)), round_id, proposal_id, ObjectionGrounds.OTHER, "unfair")

    assert _names(app, round_id, 5) == ["EmployeeNipsNoted", "ObjectionFiled"]


def test_an_old_cross_agency_proposal_is_consented_reviewed_and_decided(app):
    origin = s.position(app, "Pengelola Keuangan", unit="Dinas Pendidikan", agency=OTHER, by=OTHER_OPERATOR)
    target = s.position(app, "Analis Keuangan")
    employee_id = s.employee(app, 1, origin, by=OTHER_OPERATOR)
    round_id = s.mutation_round(app, kind=TransferKind.BETWEEN_AGENCIES_IN_PROVINCE)
    proposal_id = s.proposed_as_version_1(app, round_id, employee_id, target)

    def consent(party: ConsentParty, given_by: Actor) -> None:
        app.record_consent(
            s.OPERATOR, round_id, proposal_id, party, given_by.official, target, f"800/{party.value}", s.DECIDED_ON
        )

    with pytest.raises(ConflictOfInterest, match="may not consent to their own transfer"):
        consent(ConsentParty.RELEASING, SELF)
    assert app.get_round(round_id).version == 2
    consent(ConsentParty.RELEASING, Actor("ppk-releasing"))
    consent(ConsentParty.RECEIVING, Actor("ppk-receiving"))
    with pytest.raises(ConflictOfInterest):
        app.record_technical_review(SELF, round_id, proposal_id, True, "PERTEK-1", s.DECIDED_ON)
    app.record_technical_review(BKN, round_id, proposal_id, True, "PERTEK-1", s.DECIDED_ON)
    with pytest.raises(ConflictOfInterest, match="may not decide their own transfer"):
        app.decide(SELF, round_id, proposal_id, True, "approved")
    app.decide(GOVERNOR, round_id, proposal_id, True, "approved with both consents and the pertek")

    assert _names(app, round_id, 2) == [
        "EmployeeNipsNoted",
        "ConsentRecorded",
        "ConsentRecorded",
        "TechnicalReviewRecorded",
        "Decided",
    ]
    assert app.get_round(round_id).proposal(proposal_id).status is ProposalStatus.APPROVED
