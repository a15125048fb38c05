"""Objections are events like any other: a round's bundle exported after an upheld objection and a
reversed decision verifies with only the public key, and its events replay both decisions in order
(`replay_bundle(...).decisions` and `mutasi audit replay`, as recorded at any moment)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import pytest

from api.cli.main import main
from application.audit.bundle import read_bundle, replay_bundle, verify_bundle
from application.audit.decisions import decisions_taken, in_force
from application.audit.export import Scope, export_bundle
from application.audit.records import AuditEvent
from application.audit.replay import history, version_recorded_at
from application.audit.verify import verify_aggregate
from application.context import Actor
from domain.objection import ObjectionGrounds
from tests import scenario as sc
from tests.audit.support import public_key

MEMBER = Actor("anggota-tpk", nip="197203031998031003", agencies=sc.AGENCIES)


@dataclass
class Reversal:
    round_id: UUID
    proposal_id: UUID
    objection_id: UUID
    employee_id: UUID
    target_id: UUID
    before_second_decision: datetime


def reversed_on_objection(app) -> Reversal:
    """Employee 1's move is rejected, contested, the objection upheld, the move approved on
    17 February, decreed and executed on 1 March."""
    origin = sc.position(app, "Analis Keuangan")
    target = sc.position(app, "Analis Anggaran", unit="Bappeda")
    employee_id = sc.employee(app, 1, origin)
    round_id = sc.mutation_round(app)
    proposal_id = app.propose(sc.OPERATOR, round_id, employee_id, target, "fills a vacancy").proposal_id
    app.recommend(sc.COMMITTEE, round_id, proposal_id, False, "another unit needs them more")
    app.decide(sc.PPK, round_id, proposal_id, False, "rejected on the committee's advice")
    app.announce(sc.PPK, round_id, sc.DECIDED_ON)
    sc.advance(app, date(2026, 2, 11))
    objection_id = app.file_objection(
        Actor("pegawai-1", nip=sc.nip(1)),
        round_id,
        proposal_id,
        ObjectionGrounds.DATA_WRONG,
        "my 2025 SKP was recorded wrongly",
    ).objection_id
    sc.advance(app, date(2026, 2, 16))
    app.answer_objection(MEMBER, round_id, proposal_id, objection_id, True, "the SKP was corrected")
    moment = datetime.now(UTC)
    sc.advance(app, date(2026, 2, 17))
    app.decide(sc.PPK, round_id, proposal_id, True, "approved after the objection: SKP corrected")
    sc.announce_and_decree(app, round_id, [proposal_id])
    sc.advance(app, sc.TMT)
    app.execute_transfer(sc.OPERATOR, round_id, proposal_id)
    return Reversal(round_id, proposal_id, objection_id, employee_id, target, moment)


@pytest.fixture
def bundle(app):
    reversal = reversed_on_objection(app)
    out = io.StringIO()
    export_bundle(app, Scope("round", reversal.round_id), out)
    return reversal, out.getvalue().splitlines()


def _decisions(events: list[AuditEvent], proposal_id: UUID, recorded_by: datetime | None = None) -> list[tuple]:
    """The round's story of one proposal, folded from the bundle's events alone (as recorded by a moment)."""
    story = []
    for event in events:
        if recorded_by is not None and (event.recorded_at is None or event.recorded_at > recorded_by):
            continue
        data = event.data
        if data.get("proposal_id") == str(proposal_id) and event.name == "MutationRound.Decided":
            story.append(("decided", data["decision"]["approved"], data["decision"]["reason"]))
        elif event.name in ("MutationRound.ObjectionAnswered", "MutationRound.DecisionReopened") and data[
            "proposal_id"
        ] == str(proposal_id):
            story.append((event.name.split(".")[1], data.get("answer", {}).get("upheld")))
        elif event.name == "MutationRound.ObjectionFiled" and data["objection"]["proposal_id"] == str(proposal_id):
            story.append(("ObjectionFiled", data["objection"]["grounds"]))
    return story


def test_a_round_bundle_after_an_upheld_objection_verifies(bundle, settings) -> None:
    _, lines = bundle
    result = verify_bundle(read_bundle(lines), public_key(settings))
    assert result.ok, result.failure
    names = [json.loads(line)["topic"].rsplit(":", 1)[-1] for line in lines if '"type":"event"' in line]
    for name in ("MutationRound.ObjectionFiled", "MutationRound.ObjectionAnswered", "MutationRound.DecisionReopened"):
        assert names.count(name) == 1, name
    assert names.count("MutationRound.Decided") == 2


def test_the_bundle_replays_both_decisions_in_order_as_recorded(bundle) -> None:
    reversal, lines = bundle
    events = [event for _, event, _ in read_bundle(lines).events]
    assert _decisions(events, reversal.proposal_id) == [
        ("decided", False, "rejected on the committee's advice"),
        ("ObjectionFiled", "data_wrong"),
        ("ObjectionAnswered", True),
        ("DecisionReopened", None),
        ("decided", True, "approved after the objection: SKP corrected"),
    ]
    assert _decisions(events, reversal.proposal_id, reversal.before_second_decision)[-1] == ("DecisionReopened", None)
    assert [
        d for d in _decisions(events, reversal.proposal_id, reversal.before_second_decision) if d[0] == "decided"
    ] == [("decided", False, "rejected on the committee's advice")]

    replay = replay_bundle(read_bundle(lines))  # and the placement the second decision led to
    assert [s.position_id for s in replay.employees[reversal.employee_id]][-1] == reversal.target_id
    before = replay_bundle(read_bundle(lines), reversal.before_second_decision)
    assert reversal.target_id not in [s.position_id for s in before.employees[reversal.employee_id]]


def test_the_replay_folds_the_decisions_on_the_proposal_in_recorded_order(bundle) -> None:
    reversal, lines = bundle
    steps = replay_bundle(read_bundle(lines)).decisions[reversal.proposal_id]
    assert [(s.step, s.approved, s.upheld, s.objection_id) for s in steps] == [
        ("decided", False, None, None),
        ("objection filed", None, None, reversal.objection_id),
        ("objection answered", None, True, reversal.objection_id),
        ("reopened", None, None, reversal.objection_id),
        ("decided", True, None, None),
    ]
    assert all(s.round_id == reversal.round_id for s in steps)
    assert [s.version for s in steps] == sorted(s.version for s in steps)
    first, second = decisions_taken(steps)
    assert (first.approved, first.by, first.reason, first.on) == (
        False,
        "walikota",
        "rejected on the committee's advice",
        sc.DECIDED_ON,
    )
    assert (second.approved, second.by, second.reason, second.on) == (
        True,
        "walikota",
        "approved after the objection: SKP corrected",
        date(2026, 2, 17),
    )
    filed, answered = steps[1], steps[2]
    assert (filed.by, filed.grounds, filed.on) == ("pegawai-1", "data_wrong", date(2026, 2, 11))
    assert (answered.by, answered.reason, answered.on) == ("anggota-tpk", "the SKP was corrected", date(2026, 2, 16))
    assert in_force(steps) == second
    # the fold agrees with the story read from the bundle's events by hand
    events = [event for _, event, _ in read_bundle(lines).events]
    assert [("decided", s.approved, s.reason) for s in decisions_taken(steps)] == [
        d for d in _decisions(events, reversal.proposal_id) if d[0] == "decided"
    ]


def test_as_recorded_between_the_two_decisions_only_the_first_was_taken(bundle) -> None:
    reversal, lines = bundle
    between = replay_bundle(read_bundle(lines), reversal.before_second_decision).decisions[reversal.proposal_id]
    assert [s.reason for s in decisions_taken(between)] == ["rejected on the committee's advice"]
    assert between[-1].step == "reopened" and in_force(between) is None  # reopened, not decided again yet
    first = decisions_taken(between)[0]
    before_objection = replay_bundle(read_bundle(lines), first.recorded_at).decisions[reversal.proposal_id]
    assert [s.step for s in before_objection] == ["decided"] and in_force(before_objection) == first
    before_any = replay_bundle(read_bundle(lines), datetime.fromisoformat("2000-01-01T00:00:00+00:00"))
    assert before_any.decisions == {}


def test_the_cli_replay_prints_the_decisions_as_recorded(bundle, tmp_path, monkeypatch, capsys) -> None:
    reversal, lines = bundle
    path = tmp_path / "round.ndjson"
    path.write_text("\n".join(lines) + "\n")
    monkeypatch.setenv("MUTASI_STORE", "postgres")  # no usable store: the replay needs none
    monkeypatch.setenv("MUTASI_POSTGRES_HOST", "unreachable.invalid")
    assert main(["audit", "replay", str(path)]) == 0
    now = capsys.readouterr().out
    assert f"decisions on proposal {reversal.proposal_id} of round {reversal.round_id}" in now
    told = now[now.index(f"decisions on proposal {reversal.proposal_id}") :]
    order = [
        "decided: rejected by walikota on 2026-02-10: rejected on the committee's advice",
        f"objection {reversal.objection_id} filed by pegawai-1 on 2026-02-11 (data_wrong)",
        f"objection {reversal.objection_id} upheld by anggota-tpk on 2026-02-16",
        f"decision reopened by objection {reversal.objection_id}",
        "decided: approved by walikota on 2026-02-17: approved after the objection: SKP corrected",
        "in force: approved",
    ]
    assert [told.index(line) for line in order] == sorted(told.index(line) for line in order)
    assert main(["audit", "replay", str(path), "--recorded-at", reversal.before_second_decision.isoformat()]) == 0
    then = capsys.readouterr().out
    assert "decided: rejected by walikota" in then and "decided: approved" not in then
    assert "in force: none (reopened, awaiting a new decision)" in then


def test_a_changed_answer_in_the_bundle_is_located(bundle, settings) -> None:
    _, lines = bundle
    [index] = [i for i, line in enumerate(lines) if "MutationRound.ObjectionAnswered" in line]
    line = json.loads(lines[index])
    line["state"]["answer"]["upheld"] = False
    lines[index] = json.dumps(line)
    failure = verify_bundle(read_bundle(lines), public_key(settings)).failure
    assert failure.line == index + 1 and "content does not match" in failure.reason


def test_the_stores_history_of_the_round_shows_both_decisions_and_its_chain_holds(app) -> None:
    reversal = reversed_on_objection(app)
    assert verify_aggregate(app, reversal.round_id).ok
    events = history(app, reversal.round_id, "MutationRound")  # what `mutasi audit history --round` prints
    assert [d for d in _decisions(events, reversal.proposal_id) if d[0] == "decided"] == [
        ("decided", False, "rejected on the committee's advice"),
        ("decided", True, "approved after the objection: SKP corrected"),
    ]
    version = version_recorded_at(events, reversal.before_second_decision)
    assert events[version - 1].name == "MutationRound.DecisionReopened"
