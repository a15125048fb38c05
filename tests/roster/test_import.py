"""`RosterImport` on SQLite and PostgreSQL: validation, idempotency, all-or-nothing batches."""

from __future__ import annotations

import argparse
import gc
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from api.cli import roster_import
from application.audit.verify import verify_store
from application.errors import ConcurrentChange, EmployeeNotFound
from application.roster.importer import RosterImport
from application.roster.rows import RosterRow, parse_row
from domain.employee import Employee
from domain.position import Position
from tests.roster.support import error_lines, holders, roster_rows, write


def expected_events(rows) -> int:
    """Events a clean import of `rows` records: per employee its history, per position its life."""
    count = 0
    for row in rows:
        parsed = parse_row(row)
        assert isinstance(parsed, RosterRow)
        if parsed.employee:
            e = parsed.employee
            count += 2 + 1 + len(e.ratings) + bool(e.assessment) + bool(e.sanction)  # +1: HolderAdded
    return count + len({(r["INSTANSI"], r["UNIT_KERJA"], r["JABATAN"]) for r in rows})


def employee_versions(app, rows) -> dict[str, int | None]:
    versions = {}
    for row in holders(rows):
        try:
            versions[row["NIP"]] = app.find_employee_by_nip(row["NIP"]).version
        except EmployeeNotFound:
            versions[row["NIP"]] = None
    return versions


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_roster_registers_positions_and_employees_with_their_history(app, tmp_path, suffix) -> None:
    rows = roster_rows(employees=30)
    result = RosterImport(app, batch_rows=7).run(write(rows, tmp_path / f"r.{suffix}"), tmp_path / "e.csv")
    assert (result.validation.bad_rows, result.employees, result.already_there) == (0, 30, 0)
    assert result.events == expected_events(rows) == app.recorder.max_notification_id()
    row = next(r for r in holders(rows) if r.get("SKP_TAHUN_2") and r.get("TGL_ASESMEN"))
    employee = app.find_employee_by_nip(row["NIP"])
    assert employee.name == row["NAMA"] and employee.rank.value == row["GOL_RUANG"]
    assert employee.placement.since == row["TMT_JABATAN"]
    assert set(employee.ratings) == {row["SKP_TAHUN_1"], row["SKP_TAHUN_2"]}
    assert employee.latest_assessment.assessed_on == row["TGL_ASESMEN"]
    position = app.get_position(Position.create_id(row["INSTANSI"], row["UNIT_KERJA"], row["JABATAN"]))
    assert employee.id in position.holders and position.formasi == row["FORMASI"]
    metadata = next(iter(app.events.get(employee.id))).metadata
    assert metadata.actor == "roster-import"


def test_bad_rows_are_reported_with_line_column_and_reason_and_not_imported(app, tmp_path) -> None:
    rows = roster_rows(employees=30)
    people = holders(rows)
    broken = {
        "NIP": dict(people[0], NIP="19990231" + people[0]["NIP"][8:]),  # 31 February
        "GOL_RUANG": dict(people[1], GOL_RUANG="I/a"),  # below the position's range
        "SKP_PERILAKU_1": dict(people[2], SKP_PERILAKU_1=None),  # half an SKP rating
        "TGL_LAHIR": dict(people[3], TGL_LAHIR="1950-01-01"),  # not the NIP's birth date
    }
    twin = dict(people[5], NAMA="Someone Else")  # the same NIP again
    conflicting = dict(people[6], NIP=people[6]["NIP"][:-3] + "999", FORMASI=people[6]["FORMASI"] + 1)
    bad_rows = [*broken.values(), twin, conflicting]
    data = [r for r in rows if r not in (people[0], people[1], people[2], people[3])] + bad_rows
    path = write(data, tmp_path / "r.csv")

    result = RosterImport(app).run(path, tmp_path / "errors.csv")

    errors = error_lines(tmp_path / "errors.csv")
    by_line = {int(e["line"]): e for e in errors}
    line_of = {id(row): index + 2 for index, row in enumerate(data)}  # the header is line 1
    for column, row in broken.items():
        assert by_line[line_of[id(row)]]["column"] == column, by_line[line_of[id(row)]]
    assert "31" in by_line[line_of[id(broken["NIP"])]]["reason"]
    assert "outside the position's range" in by_line[line_of[id(broken["GOL_RUANG"])]]["reason"]
    assert f"line {line_of[id(people[5])]}" in by_line[line_of[id(twin)]]["reason"]
    assert by_line[line_of[id(conflicting)]]["column"] == "FORMASI"
    assert result.validation.bad_rows == len(bad_rows) == len({e["line"] for e in errors})
    for row in [broken["NIP"], broken["GOL_RUANG"], broken["SKP_PERILAKU_1"], broken["TGL_LAHIR"], conflicting]:
        assert not app.exists(Employee.create_id(row["NIP"]))
    assert app.find_employee_by_nip(people[5]["NIP"]).name == people[5]["NAMA"]
    assert result.employees == 30 - 4  # the four broken originals were replaced by their bad copies


def test_rows_beyond_the_formasi_are_refused(app, tmp_path) -> None:
    rows = roster_rows(employees=30)
    full = next(r for r in holders(rows) if r["FORMASI"] == 1)
    extra = dict(full, NIP=full["NIP"][:-3] + "998", NAMA="Seat Taker")
    path = write([*rows, extra], tmp_path / "r.csv")
    RosterImport(app).run(path, tmp_path / "errors.csv")
    [error] = error_lines(tmp_path / "errors.csv")
    assert (error["line"], error["column"]) == (str(len(rows) + 2), "FORMASI")
    assert "seats are filled" in error["reason"]


def test_running_the_same_file_again_imports_nothing_twice(app, tmp_path) -> None:
    rows = roster_rows(employees=30)
    path = write(rows, tmp_path / "r.xlsx")
    first = RosterImport(app, batch_rows=8).run(path, tmp_path / "e.csv")
    position = app.recorder.max_notification_id()
    again = RosterImport(app, batch_rows=5).run(path, tmp_path / "e.csv")
    assert first.employees == 30
    assert (again.employees, again.positions, again.events, again.already_there) == (0, 0, 0, 30)
    assert app.recorder.max_notification_id() == position


def test_a_failure_mid_import_leaves_nothing_half_imported_and_a_rerun_completes(app, tmp_path, monkeypatch) -> None:
    rows = roster_rows(employees=30)
    path = write(rows, tmp_path / "r.csv")
    saves, real_save_batch = [], app.save_batch

    def failing_save_batch(actor, aggregates):
        saves.append(len(aggregates))
        if len(saves) == 3:  # the store refuses the batch midway: a twin of a stored employee
            stored = Employee.register(holders(rows)[0]["NIP"], "Twin", holders(rows)[0]["GOL_RUANG"])
            assert app.exists(stored.id)
            aggregates = [*aggregates, stored]
        return real_save_batch(actor, aggregates)

    monkeypatch.setattr(app, "save_batch", failing_save_batch)
    with pytest.raises(ConcurrentChange):
        RosterImport(app, batch_rows=10).run(path, tmp_path / "e.csv")
    monkeypatch.setattr(app, "save_batch", real_save_batch)
    assert gc.isenabled()  # the import pauses the collector only while it runs

    versions = employee_versions(app, rows)
    imported = [nip for nip, version in versions.items() if version is not None]
    assert 0 < len(imported) < 30
    complete = {
        r["NIP"]: 3
        + bool(r.get("SKP_TAHUN_1"))
        + bool(r.get("SKP_TAHUN_2"))
        + bool(r.get("TGL_ASESMEN"))
        + bool(r.get("HUKDIS_TINGKAT"))
        - 1
        for r in holders(rows)
    }
    assert all(versions[nip] == complete[nip] for nip in imported)  # every event of each, or none
    for nip in imported:  # the seat of everyone imported was saved with them, and nobody else's
        employee = app.find_employee_by_nip(nip)
        assert employee.id in app.get_position(employee.position_id).holders

    rerun = RosterImport(app, batch_rows=10).run(path, tmp_path / "e.csv")
    assert rerun.already_there == len(imported) and rerun.employees == 30 - len(imported)
    assert employee_versions(app, rows) == complete
    assert app.recorder.max_notification_id() >= expected_events(rows)
    assert sum(1 for _ in app.recorder.select_notifications(1, 10_000)) == expected_events(rows)
    verified = verify_store(app, [], Ed25519PrivateKey.generate().public_key())  # what `mutasi audit verify` runs
    assert verified.failure is None


def test_the_command_reports_bad_rows_with_exit_status_1(settings, tmp_path, capsys) -> None:
    rows = roster_rows(employees=10)
    rows.append(dict(holders(rows)[0], NIP="123"))
    path = write(rows, tmp_path / "r.csv")
    args = argparse.Namespace(file=path, errors=None, batch_rows=100, user="operator", no_progress=True)
    assert roster_import.run(args, settings) == 1
    out = capsys.readouterr().out
    assert "1 bad" in out and "imported 10 employees" in out
    [error] = error_lines(Path(f"{path}.errors.csv"))
    assert error["column"] == "NIP" and "18 digits" in error["reason"]
