"""The register generator: deterministic, and every row a valid, plausible register entry."""

from __future__ import annotations

import argparse
from collections import Counter
from datetime import date

from api.cli import generate
from application.roster.files import read_roster
from application.roster.generate import RegisterGenerator
from application.roster.rows import ORDER, RosterRow, parse_row
from application.settings import Settings
from domain.nip import Nip
from domain.vocabulary import Rank
from tests.roster.support import holders, roster_rows, write


def test_the_same_seed_gives_the_same_file_and_another_seed_another(tmp_path) -> None:
    first = write(roster_rows(seed=11), tmp_path / "a.csv").read_bytes()
    again = write(roster_rows(seed=11), tmp_path / "b.csv").read_bytes()
    other = write(roster_rows(seed=12), tmp_path / "c.csv").read_bytes()
    assert first == again
    assert first != other


def test_csv_and_xlsx_carry_the_same_rows(tmp_path) -> None:
    rows = roster_rows(employees=25)
    from_csv = [parse_row(r.values) for r in read_roster(write(rows, tmp_path / "r.csv"))]
    from_xlsx = [parse_row(r.values) for r in read_roster(write(rows, tmp_path / "r.xlsx"))]
    assert from_csv == from_xlsx
    assert len(from_csv) == len(rows)


def test_every_row_is_a_valid_register_entry() -> None:
    rows = roster_rows(employees=300, seed=5)
    parsed = [parse_row(row) for row in rows]
    assert all(isinstance(p, RosterRow) for p in parsed), [p for p in parsed if not isinstance(p, RosterRow)][:3]
    people = holders(rows)
    assert len(people) == 300
    assert len({row["NIP"] for row in people}) == 300
    for row in people:
        nip = Nip.parse(row["NIP"])  # birth date real, start after the 18th birthday, sex digit 1/2
        rank = Rank(row["GOL_RUANG"])
        assert ORDER[Rank(row["GOL_MIN"])] <= ORDER[rank] <= ORDER[Rank(row["GOL_MAX"])]
        assert date(nip.start_year, nip.start_month, 1) <= row["TMT_JABATAN"] < date(2026, 1, 1)
        assert 19 <= nip.start_year - nip.birth_date.year <= 29
        assert 2026 - nip.birth_date.year <= 58  # not past retirement age
        assert row["TGL_LAHIR"] == nip.birth_date


def test_no_position_holds_more_people_than_its_formasi() -> None:
    rows = roster_rows(employees=300, seed=5)
    seated = Counter((r["INSTANSI"], r["UNIT_KERJA"], r["JABATAN"]) for r in holders(rows))
    formasi = {(r["INSTANSI"], r["UNIT_KERJA"], r["JABATAN"]): r["FORMASI"] for r in rows}
    assert seated and all(count <= formasi[key] for key, count in seated.items())
    assert any(count < formasi[key] for key, count in seated.items()) or len(seated) < len(formasi)


def test_sizes_spread_employees_over_agencies_and_the_count_is_exact() -> None:
    generator = RegisterGenerator("province", seed=2, employees=400)
    rows = list(generator.rows())
    assert generator.generated == len(holders(rows)) == 400
    assert (
        len({row["INSTANSI"] for row in rows}) == 19
    )  # the province and its regions, less the demo's city (application.sample.AGENCY)


def test_generate_with_history_writes_the_first_days_roster_and_the_years_into_the_store(tmp_path, capsys) -> None:
    args = argparse.Namespace(
        size="city", seed=4, out=tmp_path, format="csv", as_of=date(2026, 1, 1), employees=60, history_years=2
    )
    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "events.sqlite3")
    assert generate.run(args, settings) == 0
    out = capsys.readouterr().out
    assert "the register on 2024-01-01 (60 employees)" in out and "history 2024-01-01 to 2026-01-01" in out
    rows = [parse_row(r.values) for r in read_roster(tmp_path / "simpeg-city-seed4.csv")]
    assert {year for row in rows if row.employee for year, _, _ in row.employee.ratings} == {2021, 2022}
    assert generate.run(args, settings) == 1  # written once
