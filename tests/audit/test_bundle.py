"""Bundles: export a round, verify it offline with only the public key, replay it; tampering is located."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date
from uuid import UUID

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.audit.bundle import BadBundle, read_bundle, replay_bundle, verify_bundle
from application.audit.export import Scope, export_bundle
from tests.audit.support import back_dated_transfer, public_key


@pytest.fixture
def exported(app, settings):
    """A round's bundle as lines of text, with the transfer it carries."""
    transfer = back_dated_transfer(app)
    out = io.StringIO()
    count = export_bundle(app, Scope("round", transfer.round_id), out)
    lines = out.getvalue().splitlines()
    assert count == sum(1 for line in lines if '"type":"event"' in line) > 0
    return transfer, lines


def _verify(lines, settings, key=None):
    return verify_bundle(read_bundle(lines), key or public_key(settings))


def _event_lines(lines):
    return [i for i, line in enumerate(lines) if json.loads(line)["type"] == "event"]


def test_an_untouched_bundle_verifies_with_only_the_public_key(exported, settings) -> None:
    transfer, lines = exported
    result = _verify(lines, settings)
    assert result.ok and result.events == len(_event_lines(lines)) and result.tree_size >= result.events
    assert json.loads(lines[1])["type"] == "tree_head" and not any('"type":"checkpoint"' in line for line in lines)
    ids = {json.loads(lines[i])["originator_id"] for i in _event_lines(lines)}
    assert {str(transfer.round_id), str(transfer.employee_id), str(transfer.origin_id), str(transfer.target_id)} <= ids


def test_another_key_does_not_verify(exported, settings) -> None:
    _, lines = exported
    result = _verify(lines, settings, Ed25519PrivateKey.generate().public_key())
    assert not result.ok and result.failure.line == 1


def test_a_changed_field_in_the_bundle_is_located(exported, settings) -> None:
    _, lines = exported
    index = _event_lines(lines)[3]
    line = json.loads(lines[index])
    line["state"]["__meta__"]["actor"] = "somebody-else"
    lines[index] = json.dumps(line)
    failure = _verify(lines, settings).failure
    assert failure.line == index + 1 and "content does not match" in failure.reason


def test_a_deleted_line_is_located(exported, settings) -> None:
    transfer, lines = exported
    employee_lines = [
        i for i in _event_lines(lines) if json.loads(lines[i])["originator_id"] == str(transfer.employee_id)
    ]
    del lines[employee_lines[2]]
    failure = _verify(lines, settings).failure
    assert (failure.originator_id, failure.version) == (transfer.employee_id, 4)
    assert "missing" in failure.reason


def test_a_truncated_bundle_is_detected(exported, settings) -> None:
    _, lines = exported
    failure = _verify(lines[:-2], settings).failure
    assert failure is not None and "removed" in failure.reason


def test_an_inserted_line_is_located(exported, settings) -> None:
    _, lines = exported
    index = _event_lines(lines)[-1]
    forged = json.loads(lines[index])
    forged["position"] += 1
    forged["originator_version"] += 1
    lines.append(json.dumps(forged))
    failure = _verify(lines, settings).failure
    assert failure.line == len(lines)


def test_two_swapped_lines_are_located(exported, settings) -> None:
    _, lines = exported
    first, second = _event_lines(lines)[4:6]
    lines[first], lines[second] = lines[second], lines[first]
    failure = _verify(lines, settings).failure
    assert failure.line == second + 1 and "out of order" in failure.reason


def test_garbage_is_a_bad_bundle(settings) -> None:
    with pytest.raises(BadBundle):
        read_bundle(["not json"])


def test_replay_rebuilds_placements_from_the_bundle_alone(exported) -> None:
    transfer, lines = exported
    replay = replay_bundle(read_bundle(lines))
    stretches = replay.employees[transfer.employee_id]
    assert [(s.position_id, s.since, s.until) for s in stretches] == [
        (transfer.origin_id, date(2020, 1, 2), date(2026, 3, 1)),
        (transfer.target_id, date(2026, 3, 1), None),
    ]
    before = replay_bundle(read_bundle(lines), transfer.before_execution)
    assert [s.position_id for s in before.employees[transfer.employee_id]] == [transfer.origin_id]
    assert [s.employee_id for s in replay.positions[transfer.target_id]] == [transfer.employee_id]


def test_the_offline_verifier_imports_no_database_or_api_code() -> None:
    probe = (
        "import sys, application.audit.bundle; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('psycopg', 'sqlite3', 'api', "
        "'eventsourcing') or m in ('application.base', 'application.bootstrap', 'application.audit.storage')))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_period_bundle_verifies_and_an_employee_bundle_holds_its_whole_history(app, settings) -> None:
    transfer = back_dated_transfer(app)
    period, employee = io.StringIO(), io.StringIO()
    export_bundle(app, Scope("period", recorded_from=transfer.before_execution), period)
    export_bundle(app, Scope("employee", transfer.employee_id), employee)
    assert _verify(period.getvalue().splitlines(), settings).ok
    lines = employee.getvalue().splitlines()
    assert _verify(lines, settings).ok
    versions = [json.loads(lines[i])["originator_version"] for i in _event_lines(lines)]
    assert versions == list(range(1, len(versions) + 1))
    assert {UUID(json.loads(lines[i])["originator_id"]) for i in _event_lines(lines)} == {transfer.employee_id}


def test_a_mangled_proof_is_located_not_a_crash(exported, settings) -> None:
    _, lines = exported
    index = _event_lines(lines)[1]
    line = json.loads(lines[index])
    line["tree_proof"], line["leaf_index"] = ["not base64!"], [1]
    lines[index] = json.dumps(line)
    failure = _verify(lines, settings).failure
    assert failure.line == index + 1 and "no readable leaf index and tree proof" in failure.reason


def test_everything_exported_verifies_under_one_tree_head(app, settings) -> None:
    back_dated_transfer(app)
    out = io.StringIO()
    count = export_bundle(app, Scope("all"), out)
    lines = out.getvalue().splitlines()
    assert count == app.recorder.max_notification_id()
    indexes = [json.loads(lines[i])["leaf_index"] for i in _event_lines(lines)]
    assert indexes == list(range(count))
    result = _verify(lines, settings)
    assert result.ok and result.events == count and result.tree_size == count and result.checkpoints == 0
