"""`mutasi token` and `mutasi serve`: development-mode tokens and the service's start on the store."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys

import pytest

from api.cli.main import main
from api.http.logs import JsonLines
from api.http.security import ApiSettings, development_secret_path, jwt_secret, verify_token
from application.settings import Settings
from tests.scenario import AGENCY, nip


@pytest.fixture
def workdir(tmp_path, monkeypatch: pytest.MonkeyPatch):
    """A SQLite development store in a temporary folder, configured through the environment, with the
    development secret that `mutasi serve` makes on its first start (`mutasi token` never makes one)."""
    monkeypatch.setenv("MUTASI_SQLITE_PATH", str(tmp_path / "mutasi.sqlite3"))
    monkeypatch.delenv("MUTASI_JWT_SECRET", raising=False)
    monkeypatch.delenv("MUTASI_STORE", raising=False)
    jwt_secret(Settings(_env_file=None, sqlite_path=tmp_path / "mutasi.sqlite3"), ApiSettings(_env_file=None))
    return tmp_path


def test_token_mints_a_development_token_for_a_role(workdir, capsys) -> None:
    assert main(["token", "committee", "--user", "ketua-tpk", "--nip", nip(3), "--agency", AGENCY]) == 0
    token = capsys.readouterr().out.strip()
    secret_file = development_secret_path(Settings(_env_file=None, sqlite_path=workdir / "mutasi.sqlite3"))
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    principal = verify_token(secret_file.read_text().strip(), token)
    assert (principal.user, principal.role.value, principal.nip) == ("ketua-tpk", "committee", nip(3))
    assert principal.agencies == (AGENCY,)


def test_token_names_the_agencies_the_user_acts_for(workdir, capsys) -> None:
    assert main(["token", "operator", "--user", "siti"]) == 2
    assert "--agency" in capsys.readouterr().err
    assert main(["token", "auditor", "--user", "bkn", "--agency", "*"]) == 0
    secret = development_secret_path(Settings(_env_file=None, sqlite_path=workdir / "mutasi.sqlite3")).read_text()
    assert verify_token(secret.strip(), capsys.readouterr().out.strip()).agencies == ("*",)


def test_token_uses_the_configured_secret(workdir, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("MUTASI_JWT_SECRET", "configured-secret-0123456789abcdef0123456789")
    assert main(["token", "auditor", "--user", "bpk", "--agency", "*"]) == 0
    principal = verify_token("configured-secret-0123456789abcdef0123456789", capsys.readouterr().out.strip())
    assert principal.role.value == "auditor"


def test_token_refuses_a_bad_nip_and_postgres_without_a_secret(workdir, monkeypatch, capsys) -> None:
    assert main(["token", "ppk", "--user", "walikota", "--nip", "123", "--agency", AGENCY]) == 2
    monkeypatch.setenv("MUTASI_STORE", "postgres")
    assert main(["token", "ppk", "--user", "walikota", "--agency", AGENCY]) == 2
    assert "MUTASI_JWT_SECRET" in capsys.readouterr().err


def test_serve_initialises_the_sqlite_store_and_runs_uvicorn(workdir, monkeypatch) -> None:
    logger = logging.getLogger("mutasi.http")
    for attribute in ("handlers", "propagate", "level"):  # restored after the test
        value = getattr(logger, attribute)
        monkeypatch.setattr(logger, attribute, list(value) if attribute == "handlers" else value)
    started = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: started.update(app=app, **options))
    assert main(["serve", "--port", "8123"]) == 0
    assert started["port"] == 8123 and started["host"] == "127.0.0.1" and started["access_log"] is False
    with sqlite3.connect(workdir / "mutasi.sqlite3") as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"stored_events", "mutasi_command_keys"} <= tables
    assert isinstance(logger.handlers[0].formatter, JsonLines) and not logger.propagate


def test_a_reader_that_goes_away_ends_the_command_quietly(workdir) -> None:
    env = {**os.environ, "MUTASI_SQLITE_PATH": str(workdir / "mutasi.sqlite3")}
    child = subprocess.Popen(
        [sys.executable, "-m", "api.cli.main", "token", "operator", "--user", "siti", "--agency", AGENCY],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    child.stdout.close()  # as `| head` does once it has read enough: the command's print fails
    _, errors = child.communicate(timeout=60)
    assert child.returncode == 141 and b"Traceback" not in errors, errors.decode()
