"""A proposal keeps its employee's NIP (`Proposed` version 2), against which every act on it judges
rule 9; one recorded before (version 1) reads back without it, and the round notes it once
(`EmployeeNipsNoted`) before anything is done to that proposal."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from uuid import uuid4

import pytest
from pydantic import TypeAdapter

from domain.errors import IllegalTransition, InvalidValue
from domain.mutation_round import EmployeeNipUnknown, MutationRound, ProposalNotFound
from domain.plan_options import PlanOptions, PlanReference
from domain.proposal import ProposalStatus
from tests.unit.builders import OPERATOR, Scene, read_back, recorded, refused, without_nip


def test_a_proposal_keeps_the_employees_nip_in_its_event():
    scene = Scene.build()
    scene.round.collect_events()
    proposal_id = scene.propose()

    [proposed] = scene.round.collect_events()
    assert type(proposed) is MutationRound.Proposed and MutationRound.Proposed.class_version == 2
    assert proposed.proposal.employee_nip == scene.employee.nip
    assert scene.round.proposal(proposal_id).employee_nip == scene.employee.nip
    assert scene.round.proposals_without_nip() == ()
    assert read_back(proposed) == proposed


def test_a_version_1_proposal_reads_back_without_a_nip_and_otherwise_whole():
    scene = Scene.build()
    scene.round.collect_events()
    scene.propose()
    [proposed] = scene.round.collect_events()

    old = read_back(proposed, without_nip)

    assert old.proposal.employee_nip is None
    assert old.proposal == replace(proposed.proposal, employee_nip=None)
    assert (old.originator_id, old.originator_version) == (proposed.originator_id, proposed.originator_version)


def test_a_plan_made_proposal_stores_its_plan_reference_as_plain_fields_wherever_the_class_lives():
    """`PlanReference` moved out of `domain.plan_options`: stored events name no module of it."""
    scene = Scene.build()
    scene.round.collect_events()
    plan = PlanReference(uuid4(), 1, PlanOptions(max_moves=1), Decimal("82.50"))
    scene.round.propose(scene.employee, scene.origin, scene.target, "as planned", OPERATOR, scene.policy, plan=plan)
    [proposed] = scene.round.collect_events()

    stored = json.dumps(TypeAdapter(MutationRound.Proposed).dump_python(proposed, mode="json"))
    assert "PlanReference" not in stored and "domain." not in stored
    assert read_back(proposed, without_nip).proposal.plan == plan


def test_the_round_names_its_proposals_without_a_nip_and_notes_them_in_one_event():
    scene = Scene.build()
    other = scene.another(2)
    old, older = scene.propose_as_version_1(), scene.propose_as_version_1(other)
    new = scene.propose(scene.another(3))
    scene.round.collect_events()

    assert {p.proposal_id for p in scene.round.proposals_without_nip()} == {old, older}
    scene.round.note_employee_nips({old: scene.employee.nip, older: other.nip})

    [noted] = scene.round.collect_events()
    assert type(noted).__name__ == "EmployeeNipsNoted" and noted.nips == {old: scene.employee.nip, older: other.nip}
    assert read_back(noted) == noted
    assert scene.round.proposals_without_nip() == ()
    assert scene.round.proposal(older).employee_nip == other.nip
    assert scene.round.proposal(new).employee_nip is not None


def test_nothing_to_note_records_nothing():
    scene = Scene.build()
    scene.propose_as_version_1()
    scene.round.note_employee_nips({})

    assert recorded(scene.round) == []


def test_errors_for_noting_a_known_nip_an_unknown_proposal_or_someone_elses_nip():
    scene = Scene.build()
    known = scene.propose()
    other = scene.another(2)
    old = scene.propose_as_version_1(other)

    with refused(IllegalTransition, scene.round, match="already names its employee's NIP"):
        scene.round.note_employee_nips({old: other.nip, known: scene.employee.nip})
    with refused(ProposalNotFound, scene.round):
        scene.round.note_employee_nips({uuid4(): other.nip})
    with refused(InvalidValue, scene.round, match="is not the NIP of proposal"):
        scene.round.note_employee_nips({old: scene.employee.nip})


def test_a_noted_version_1_proposal_goes_the_whole_way():
    scene = Scene.build()
    proposal_id = scene.propose_as_version_1()
    scene.round.note_employee_nips({proposal_id: scene.employee.nip})
    scene.paperwork(proposal_id)
    scene.approve(proposal_id)
    scene.decree(proposal_id)
    scene.execute(proposal_id)

    assert scene.round.proposal(proposal_id).status is ProposalStatus.EXECUTED


def test_an_act_on_a_version_1_proposal_waits_for_its_nip_instead_of_skipping_rule_9():
    scene = Scene.build()
    proposal_id = scene.propose_as_version_1()

    with refused(EmployeeNipUnknown, scene.round, match="rule 9 cannot be judged"):
        scene.recommend(proposal_id)
    scene.round.note_employee_nips({proposal_id: scene.employee.nip})
    scene.recommend(proposal_id)

    assert recorded(scene.round) == ["EmployeeNipsNoted", "Recommended"]


@pytest.mark.parametrize("status", ["open", "announced", "closed"])
def test_the_nip_is_noted_whatever_the_round_has_come_to(status):
    """Evaluations follow a closed round: its old proposals still need their NIP noted."""
    scene = Scene.build()
    proposal_id = scene.propose()
    if status != "open":
        scene.paperwork(proposal_id)
        scene.approve(proposal_id)
        scene.decree(proposal_id)
        scene.execute(proposal_id)
    if status == "closed":
        scene.round.close(scene.round.opened_by, scene.round.period_ends_on)
    scene.round.proposals[proposal_id].employee_nip = None  # as the round replays a version 1 proposal
    scene.round.note_employee_nips({proposal_id: scene.employee.nip})

    assert scene.round.status.value == status
    assert scene.round.proposal(proposal_id).employee_nip == scene.employee.nip
