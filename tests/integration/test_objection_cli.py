"""`mutasi objection file | answer` on the configured store, SQLite and PostgreSQL (the application's real today)."""

from __future__ import annotations

from uuid import UUID

import pytest

from api.cli.main import main
from application.bootstrap import open_application
from application.settings import Settings
from tests import scenario as s


@pytest.fixture
def announced(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    """The store of each kind, configured for the command line through the environment, with one
    approved proposal announced today (the application's real clock)."""
    for name, value in s.cli_env(settings).items():
        monkeypatch.setenv(name, value)
    with open_application(settings) as app:
        origin, target = s.position(app, "Analis Keuangan"), s.position(app, "Analis Anggaran", unit="Bappeda")
        employee_id = s.employee(app, 1, origin)
        round_id = s.mutation_round(app)
        proposal_id = s.approved(app, round_id, employee_id, target)
        app.announce(s.PPK, round_id, app.today())
    return round_id, proposal_id


def test_the_employee_objects_and_the_committee_answers_from_the_command_line(announced, capsys) -> None:
    round_id, proposal_id = announced
    assert (
        main(
            [
                "objection",
                "file",
                str(round_id),
                str(proposal_id),
                "--grounds",
                "personal_circumstances",
                "--text",
                "my child's school",
                "--user",
                "pegawai-1",
                "--nip",
                s.nip(1),
            ]
        )
        == 0
    )
    objection_id = UUID(capsys.readouterr().out.strip())

    assert (
        main(
            [
                "objection",
                "answer",
                str(round_id),
                str(proposal_id),
                str(objection_id),
                "--uphold",
                "--reasons",
                "verified",
                "--user",
                "anggota-tpk",
                "--agency",
                s.AGENCY,
            ]
        )
        == 0
    )
    assert "upheld: the decision is reopened" in capsys.readouterr().out


def test_someone_else_objecting_is_a_one_line_error_and_exit_2(announced, capsys) -> None:
    round_id, proposal_id = announced
    assert (
        main(
            [
                "objection",
                "file",
                str(round_id),
                str(proposal_id),
                "--grounds",
                "other",
                "--text",
                "not mine",
                "--user",
                "tetangga",
                "--nip",
                s.nip(9),
            ]
        )
        == 2
    )
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "is not the employee concerned" in error
