"""MutationRound: opening, proposing a candidate (with JPM and eligibility recorded), withdrawing."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.competency import JpmCategory
from domain.eligibility import RULE_CODES
from domain.employee import EmployeeRetired
from domain.errors import ConflictOfInterest, IllegalTransition, InvalidValue, RuleViolation
from domain.mutation_round import MutationRound, ProposalNotFound, ProposalNotOpen, RoundNotOpen, RoundStatus
from domain.official import Official
from domain.position import PositionAbolished
from domain.proposal import ProposalStatus
from domain.vocabulary import TransferKind
from tests.unit.builders import (
    AGENCY,
    OPERATOR,
    OTHER_AGENCY,
    Scene,
    employee,
    position,
    recorded,
    refused,
)


def test_opens_a_round():
    opened = MutationRound.open(
        AGENCY,
        TransferKind.WITHIN_AGENCY,
        " Mutasi  2026 ",
        date(2026, 1, 1),
        date(2026, 6, 30),
        date(2026, 3, 1),
        (),
        OPERATOR,
    )

    assert recorded(opened) == ["Opened"]
    assert (opened.status, opened.title, opened.proposals) == (RoundStatus.OPEN, "Mutasi 2026", {})


@pytest.mark.parametrize(
    "ends_on, effective_on, message",
    [
        (date(2025, 12, 31), date(2026, 3, 1), "period ends before it starts"),
        (date(2026, 6, 30), date(2025, 12, 31), "planned effective date lies before the round's period"),
    ],
)
def test_errors_for_an_impossible_period(ends_on, effective_on, message):
    with pytest.raises(InvalidValue, match=message):
        MutationRound.open(
            AGENCY, TransferKind.WITHIN_AGENCY, "Mutasi", date(2026, 1, 1), ends_on, effective_on, (), OPERATOR
        )


def test_proposal_records_jpm_and_every_rules_result():
    scene = Scene.build(scores={"integritas": 3, "kerjasama": 3, "keuangan_daerah": 2})

    proposal_id = scene.propose()

    assert recorded(scene.round) == ["Proposed"]
    proposal = scene.round.proposal(proposal_id)
    assert proposal.status is ProposalStatus.PROPOSED
    assert (proposal.jpm, proposal.jpm_category) == (Decimal("80.00"), JpmCategory.MS)
    assert [o.rule for o in proposal.eligibility] == list(RULE_CODES)
    assert (proposal.from_position_id, proposal.target_position_id) == (scene.origin.id, scene.target.id)
    assert proposal.proposed_by == OPERATOR


def test_a_proposal_may_be_made_although_rules_fail_and_records_which():
    scene = Scene.build(placed_on=date(2025, 6, 1))

    proposal = scene.round.proposal(scene.propose())

    assert [o.rule for o in proposal.eligibility if not o.passed] == ["tenure"]


def test_uses_the_given_proposal_id():
    scene, chosen = Scene.build(), uuid4()

    assert (
        scene.round.propose(scene.employee, scene.origin, scene.target, "why", OPERATOR, scene.policy, chosen) == chosen
    )


def test_errors_for_a_proposal_id_already_used():
    scene, chosen = Scene.build(), uuid4()
    scene.round.propose(scene.employee, scene.origin, scene.target, "why", OPERATOR, scene.policy, chosen)
    other = scene.another(2)
    with refused(IllegalTransition, scene.round, match="already exists"):
        scene.round.propose(other, scene.origin, scene.target, "why", OPERATOR, scene.policy, chosen)


def test_errors_for_proposing_into_an_announced_round():
    scene = Scene.build()
    scene.approved()
    scene.announce()
    other = scene.another(2)
    with refused(RoundNotOpen, scene.round, match="is announced"):
        scene.propose(other)


def test_errors_for_proposing_into_a_closed_round():
    scene = Scene.build()
    scene.round.close(OPERATOR, date(2026, 6, 30))
    with refused(RoundNotOpen, scene.round, match="is closed"):
        scene.propose()


def test_errors_for_proposing_a_retired_employee():
    scene = Scene.build()
    scene.employee.retire(date(2026, 1, 31), "pensiun")
    with refused(EmployeeRetired, scene.round):
        scene.propose()


def test_errors_for_proposing_into_an_abolished_position():
    scene = Scene.build()
    scene.target.abolish(date(2026, 1, 31), "merged")
    with refused(PositionAbolished, scene.round):
        scene.propose()


def test_errors_when_the_employee_does_not_hold_the_origin():
    scene = Scene.build()
    elsewhere = position("Elsewhere")
    with refused(IllegalTransition, scene.round, match="does not hold Elsewhere"):
        scene.round.propose(scene.employee, elsewhere, scene.target, "why", OPERATOR, scene.policy)


def test_errors_for_proposing_the_position_already_held():
    scene = Scene.build()
    with refused(IllegalTransition, scene.round, match="already holds"):
        scene.propose(target=scene.origin)


def test_errors_for_proposing_ones_own_transfer():
    scene = Scene.build()
    with refused(ConflictOfInterest, scene.round, match="may not propose their own transfer") as error:
        scene.propose(by=Official("self", scene.employee.nip, (AGENCY,)))

    assert error.value.rules == ("conflict_of_interest",)


def test_errors_for_a_target_of_another_agency():
    scene = Scene.build()
    foreign = position("Analis", agency=OTHER_AGENCY)
    with refused(RuleViolation, scene.round, match=f"belongs to {OTHER_AGENCY}") as error:
        scene.propose(target=foreign)

    assert error.value.rules == ("transfer_kind",)


def test_errors_for_an_employee_from_another_agency_in_a_within_agency_round():
    scene = Scene.build()
    origin = position("Guru", agency=OTHER_AGENCY)
    outsider = employee(5, at=origin)
    with refused(RuleViolation, scene.round, match="serves outside"):
        scene.round.propose(outsider, origin, scene.target, "why", OPERATOR, scene.policy)


def test_errors_for_an_employee_of_the_agency_in_a_cross_agency_round():
    scene = Scene.build(kind=TransferKind.BETWEEN_AGENCIES_IN_PROVINCE)
    origin = position("Guru")
    insider = employee(5, at=origin)
    with refused(RuleViolation, scene.round, match="serves inside"):
        scene.round.propose(insider, origin, scene.target, "why", OPERATOR, scene.policy)


def test_errors_for_a_second_live_proposal_of_the_same_employee():
    scene = Scene.build()
    scene.propose()
    other_target = position("Analis Anggaran")
    with refused(IllegalTransition, scene.round, match="already has proposal"):
        scene.propose(target=other_target)


def test_a_withdrawn_proposal_makes_room_for_a_new_one():
    scene = Scene.build()
    first = scene.propose()
    scene.round.withdraw(first, OPERATOR, "wrong target")

    second = scene.propose()

    assert scene.round.proposal(first).status is ProposalStatus.WITHDRAWN
    assert scene.round.proposal(first).withdrawal_reason == "wrong target"
    assert scene.round.proposal(second).status is ProposalStatus.PROPOSED


def test_errors_for_a_proposal_without_a_reason():
    scene = Scene.build()
    with refused(InvalidValue, scene.round, match="reason must not be empty"):
        scene.round.propose(scene.employee, scene.origin, scene.target, " ", OPERATOR, scene.policy)


def test_errors_for_an_unknown_proposal():
    scene = Scene.build()
    with refused(ProposalNotFound, scene.round, match="has no proposal"):
        scene.round.withdraw(uuid4(), OPERATOR, "why")


def test_errors_for_withdrawing_a_decided_proposal():
    scene = Scene.build()
    proposal_id = scene.approved()
    with refused(ProposalNotOpen, scene.round, match="is approved"):
        scene.round.withdraw(proposal_id, OPERATOR, "changed our mind")


def test_errors_for_withdrawing_twice():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.round.withdraw(proposal_id, OPERATOR, "wrong target")
    with refused(ProposalNotOpen, scene.round, match="is withdrawn"):
        scene.round.withdraw(proposal_id, OPERATOR, "again")


def test_errors_for_withdrawing_without_a_reason():
    scene = Scene.build()
    proposal_id = scene.propose()
    with refused(InvalidValue, scene.round):
        scene.round.withdraw(proposal_id, OPERATOR, "")


def test_later_commands_do_not_rewrite_the_pending_proposed_event():
    scene = Scene.build()
    proposal_id = scene.propose()
    scene.recommend(proposal_id)
    scene.approve(proposal_id)

    proposed = scene.round.collect_events()[0]

    assert type(proposed).__name__ == "Proposed"
    assert proposed.proposal.status is ProposalStatus.PROPOSED
    assert proposed.proposal.recommendation is None and proposed.proposal.decision is None
