"""The auditor's walk on the command line: export a round, verify the bundle elsewhere, replay, read histories."""

from __future__ import annotations

import json

import pytest

from api.cli.main import main
from application.bootstrap import open_application
from application.settings import Settings
from tests.audit.support import back_dated_transfer


@pytest.fixture
def store(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A SQLite development store configured through the environment (restored after the test)."""
    monkeypatch.setenv("MUTASI_STORE", "sqlite")
    monkeypatch.setenv("MUTASI_SQLITE_PATH", str(tmp_path / "mutasi.sqlite3"))
    monkeypatch.delenv("MUTASI_AUDIT_SIGNING_KEY_FILE", raising=False)
    assert main(["db", "init"]) == 0
    app = open_application(Settings(_env_file=None, sqlite_path=tmp_path / "mutasi.sqlite3"))
    try:
        yield back_dated_transfer(app)
    finally:
        app.close()


def test_export_a_round_and_verify_and_replay_it_without_the_database(store, tmp_path, monkeypatch, capsys) -> None:
    bundle, key = tmp_path / "round.ndjson", tmp_path / "public.pem"
    assert main(["audit", "checkpoint"]) == 0
    assert main(["audit", "verify"]) == 0
    assert main(["audit", "export", "--round", str(store.round_id), "-o", str(bundle)]) == 0
    capsys.readouterr()
    assert main(["audit", "public-key"]) == 0
    key.write_text(capsys.readouterr().out)
    # "another machine": no usable store is configured at all
    monkeypatch.setenv("MUTASI_STORE", "postgres")
    monkeypatch.setenv("MUTASI_POSTGRES_HOST", "unreachable.invalid")
    assert main(["audit", "verify", str(bundle), "--public-key", str(key)]) == 0
    assert "OK" in capsys.readouterr().out
    assert main(["audit", "replay", str(bundle), "--effective-on", "2026-04-01"]) == 0
    replayed = capsys.readouterr().out
    assert f"employee {store.employee_id}" in replayed and f"position {store.target_id}" in replayed
    assert (
        main(
            [
                "audit",
                "replay",
                str(bundle),
                "--recorded-at",
                store.before_execution.isoformat(),
                "--effective-on",
                "2026-04-01",
            ]
        )
        == 0
    )
    assert f"position {store.origin_id}  decree SK-1/PLACE" in capsys.readouterr().out

    lines = bundle.read_text().splitlines()
    event = json.loads(lines[-1])
    event["state"]["__meta__"]["actor"] = "nobody"
    bundle.write_text("\n".join(lines[:-1] + [json.dumps(event)]) + "\n")
    assert main(["audit", "verify", str(bundle), "--public-key", str(key)]) == 1
    assert f"line {len(lines)}" in capsys.readouterr().out


def test_history_shows_metadata_and_placements_as_recorded_and_as_effective(store, capsys) -> None:
    assert main(["audit", "history", "--employee", str(store.employee_id), "--effective-on", "2026-04-01"]) == 0
    now = capsys.readouterr().out
    assert "Employee.Transferred" in now and "by operator-bkpsdm" in now
    assert now.split("in force on 2026-04-01:")[1].count(str(store.target_id)) == 1
    assert (
        main(
            [
                "audit",
                "history",
                "--employee",
                str(store.employee_id),
                "--effective-on",
                "2026-04-01",
                "--recorded-at",
                store.before_execution.isoformat(),
            ]
        )
        == 0
    )
    then = capsys.readouterr().out.split("in force on 2026-04-01:")[1]
    assert str(store.origin_id) in then and str(store.target_id) not in then


def test_a_bundle_without_a_public_key_is_a_one_line_error(store, tmp_path, capsys) -> None:
    assert main(["audit", "verify", str(tmp_path / "any.ndjson")]) == 2
    assert "--public-key" in capsys.readouterr().err
