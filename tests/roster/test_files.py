"""Roster files: `mutasi generate`, XLSX workbooks split over sheets, unreadable files."""

from __future__ import annotations

import argparse
from datetime import date

import pytest

from api.cli import generate
from application.roster import files
from application.roster.files import RosterFileError, read_roster
from application.roster.rows import parse_row
from tests.roster.support import roster_rows, write


def test_generate_writes_the_same_file_for_the_same_seed(tmp_path, capsys) -> None:
    def run(out):
        args = argparse.Namespace(size="city", seed=4, out=out, format="csv", as_of=date(2026, 1, 1), employees=50)
        assert generate.run(args, settings=None) == 0
        return (out / "simpeg-city-seed4.csv").read_bytes()

    assert run(tmp_path / "a") == run(tmp_path / "b")
    assert "50 employees" in capsys.readouterr().out


def test_a_workbook_longer_than_a_sheet_continues_on_the_next_sheet(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(files, "XLSX_MAX_ROWS", 10)
    rows = roster_rows(employees=20)
    read = list(read_roster(write(rows, tmp_path / "r.xlsx")))
    assert len({r.sheet for r in read}) == -(-len(rows) // 9)
    assert [parse_row(r.values) for r in read] == [parse_row(row) for row in rows]
    assert {r.line for r in read} == set(range(2, 11))


def test_a_file_without_the_roster_columns_is_refused(tmp_path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("NIP,NAMA\n197001012000011001,Someone\n")
    with pytest.raises(RosterFileError, match="INSTANSI"):
        list(read_roster(path))
    with pytest.raises(RosterFileError, match=".csv or .xlsx"):
        list(read_roster(tmp_path / "roster.txt"))
