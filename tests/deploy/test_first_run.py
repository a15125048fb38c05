"""What a new user meets first: `--version`, a quick start, `token` and `import` on a fresh directory,
a generated register beside the demo's, secrets that cannot be guessed, pinned dependencies."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from api.cli.main import COMMANDS, build_parser, main
from api.http.security import EXAMPLE_SECRETS, WeakSecret, strong_secret
from application.bootstrap import initialise_store, open_application
from application.context import Actor
from application.roster.generate import SIZES, RegisterGenerator, agencies
from application.roster.importer import position_from_row
from application.roster.rows import RosterRow, parse_row
from application.sample import AGENCY as DEMO_AGENCY
from application.settings import Settings
from domain.employee import Employee
from domain.official import NATIONAL
from domain.transfer import place_employee
from domain.vocabulary import Rank
from tests.deploy.support import BIN, ROOT, Running, clean_environment, run
from tests.roster.support import error_lines, holders, write

SYSTEM = Actor("deploy-test", agencies=(NATIONAL,))


@pytest.fixture
def fresh(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory: no store, no secret, no MUTASI_ setting."""
    for name in [name for name in os.environ if name.startswith("MUTASI_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MUTASI_SQLITE_PATH", str(tmp_path / "mutasi.sqlite3"))
    return tmp_path


def test_version_prints_the_installed_version(capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"mutasi {_project()['version']}"


def test_help_and_token_load_neither_the_solver_nor_the_store(tmp_path) -> None:
    """`mutasi --help` and `mutasi token` import only what they need (the CLI's start-up time)."""
    probe = (
        "import sys\nfrom api.cli.main import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('scipy', 'numpy', 'application.service', 'fastapi', 'eventsourcing',"
        " 'psycopg') if m in sys.modules)\nprint('loaded:', heavy, file=sys.stderr)"
    )
    env = clean_environment({"MUTASI_JWT_SECRET": "a-secret-of-sufficient-length-for-this-test-0123"})
    for argv in (["--help"], ["token", "operator", "--user", "siti", "--agency", DEMO_AGENCY]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *argv], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
        )
        assert done.stderr.strip().splitlines()[-1] == "loaded: []", (argv, done.stderr)


def test_the_command_listing_is_each_modules_own_help() -> None:
    full = build_parser()
    listed = {action.dest: action.help for action in full._subparsers._group_actions[0]._choices_actions}
    assert listed == {name: summary for name, (_, summary) in COMMANDS.items()}


def test_token_refuses_where_no_service_made_a_secret_naming_where_it_looked(fresh, capsys) -> None:
    assert main(["token", "operator", "--user", "siti", "--agency", DEMO_AGENCY]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and str(fresh / "mutasi.sqlite3-jwt-secret") in error
    assert "MUTASI_JWT_SECRET" in error and not any(fresh.iterdir())  # nothing made


def test_secrets_shorter_than_32_bytes_or_published_are_refused() -> None:
    assert strong_secret("k" * 32) == "k" * 32
    for weak in ("k" * 31, "é" * 15, *EXAMPLE_SECRETS):
        with pytest.raises(WeakSecret):
            strong_secret(weak)


def test_every_secret_the_repository_shows_as_an_example_is_refused() -> None:
    """A value given to MUTASI_JWT_SECRET in the docs, compose or CI files (not `$VAR` or a command)."""
    shown = re.compile(r"MUTASI_JWT_SECRET\s*[:=]\s*[\"']?([^\s\"'$`(]{8,})")
    files = [path for path in ROOT.rglob("*") if path.is_file() and _shipped(path)]
    examples = {match for path in files for match in shown.findall(path.read_text(errors="ignore"))}
    for example in examples:
        with pytest.raises(WeakSecret):
            strong_secret(example)


def _shipped(path: Path) -> bool:
    parts = path.relative_to(ROOT).parts
    skipped = {".git", ".venv", "tests", "__pycache__", ".pytest_cache", ".hypothesis", "bench", "build"}
    return (
        not skipped.intersection(parts)
        and not parts[0].endswith(".egg-info")
        and (
            path.suffix in (".md", ".yml", ".yaml", ".toml", ".env", ".example", ".sh", ".txt", "")
            or path.name.startswith(".env")
            or path.name == "Dockerfile"
        )
    )


def test_the_lock_pins_every_runtime_dependency_within_its_range() -> None:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pins[canonicalize_name(name)] = version
    for dependency in _project()["dependencies"]:
        requirement = Requirement(dependency)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock: run scripts/lock-requirements"
        assert requirement.specifier.contains(pins[name], prereleases=True), (requirement, pins[name])


def test_the_generator_never_makes_the_demos_agency() -> None:
    for size in SIZES:
        assert DEMO_AGENCY not in agencies(size)
    assert DEMO_AGENCY not in {row["INSTANSI"] for row in RegisterGenerator("province", employees=200).rows()}


def test_import_initialises_a_new_embedded_store_and_says_so(fresh, capsys) -> None:
    roster = write(list(RegisterGenerator("city", employees=5).rows()), fresh / "roster.csv")
    assert main(["import", str(roster), "--no-progress"]) == 0
    out, err = capsys.readouterr()
    assert "initialised a new event store" in err and str(fresh / "mutasi.sqlite3") in err
    assert "imported 5 employees" in out
    assert main(["import", str(roster), "--no-progress"]) == 0  # the second time: nothing to initialise
    assert "initialised" not in capsys.readouterr().err


def test_a_row_that_collides_with_the_store_is_named_with_its_column_and_what_it_collides_with(fresh, capsys) -> None:
    rows = list(RegisterGenerator("city", employees=30).rows())
    line_of = {id(row): line for line, row in enumerate(rows, 2)}  # line 1 is the header
    first, second = holders(rows)[:2]
    settings = Settings(_env_file=None, sqlite_path=fresh / "mutasi.sqlite3")
    initialise_store(settings)
    app = open_application(settings)
    try:  # recorded before the import: the first holder's position as in the file but with every seat
        full = position_from_row(_position(first))  # taken; the second's with another lowest rank
        rank = Rank(first["GOL_RUANG"])
        seated = [
            Employee.register(f"1970010119950310{n + 1:02d}", f"Pemegang {n}", rank, full.agency)
            for n in range(full.formasi)
        ]
        for employee in seated:
            place_employee(employee, full, date(2020, 1, 2), "SK lama")
        other = position_from_row(replace(_position(second), rank_min=Rank.I_A))
        app.save_batch(SYSTEM, [full, *seated, other])
    finally:
        app.close()
    path = write(rows, fresh / "roster.csv")
    assert main(["import", str(path), "--no-progress"]) == 1
    out = capsys.readouterr().out
    conflicts = {int(line["line"]): line for line in error_lines(fresh / "roster.csv.errors.csv")}
    seat, rank = conflicts[line_of[id(first)]], conflicts[line_of[id(second)]]
    assert seat["column"] == "FORMASI" and seat["value"] == str(first["FORMASI"])
    assert f"position already in the store ({first['JABATAN']}, {first['UNIT_KERJA']}" in seat["reason"]
    assert str(full.id) in seat["reason"] and f"held by {full.formasi} employee" in seat["reason"]
    assert rank["column"] == "GOL_MIN" and rank["value"] == second["GOL_MIN"]
    assert "recorded with GOL_MIN I/a" in rank["reason"]
    assert f"{len(conflicts)} rows collide with the store" in out and f"line {min(conflicts)}, column" in out


def _position(row: dict):
    parsed = parse_row(row)
    assert isinstance(parsed, RosterRow)
    return parsed.position


def test_the_checkpointer_signs_then_stops_cleanly_on_sigterm(fresh) -> None:
    env = clean_environment({"MUTASI_SQLITE_PATH": str(fresh / "mutasi.sqlite3")})
    assert run([str(BIN / "mutasi"), "db", "init"], env, fresh).returncode == 0
    refused = run([str(BIN / "mutasi"), "audit", "checkpoint", "--every", "0"], env, fresh)
    assert refused.returncode == 2 and "positive" in refused.stderr
    checkpointer = Running([str(BIN / "mutasi"), "audit", "checkpoint", "--every", "30"], env, fresh)
    try:
        checkpointer.wait_for_line("nothing new to checkpoint")
        assert checkpointer.stop(timeout=20) == 0  # long before the next 30 s are up
        assert checkpointer.output.splitlines()[-1] == "checkpointer stopped"
    finally:
        checkpointer.kill()


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
