"""The `mutasi` command line: store initialisation, the demo walk, one-line errors."""

from __future__ import annotations

import pytest

from api.cli.main import main


@pytest.fixture
def sqlite_env(monkeypatch, tmp_path):
    monkeypatch.setenv("MUTASI_STORE", "sqlite")
    monkeypatch.setenv("MUTASI_SQLITE_PATH", str(tmp_path / "cli.sqlite3"))
    return tmp_path / "cli.sqlite3"


def test_db_init_creates_the_store_and_can_run_again(sqlite_env, capsys):
    assert main(["db", "init"]) == 0
    assert main(["db", "init"]) == 0
    assert sqlite_env.exists()
    assert "event store ready (sqlite" in capsys.readouterr().out


def test_a_bad_setting_is_one_line_on_stderr(monkeypatch, capsys):
    monkeypatch.setenv("MUTASI_STORE", "oracle")
    assert main(["db", "init"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mutasi: invalid setting store") and err.count("\n") == 1
