"""The import template: SIMPEG columns with instructions and drop-down lists; a filled one imports."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

from openpyxl import load_workbook

from api.cli.main import main
from api.http.roles import Role
from application.bootstrap import initialise_store
from application.roster.columns import COLUMNS
from application.roster.importer import RosterImport
from application.roster.template import LISTS, RANKS, template_xlsx
from application.service import MutasiApplication
from application.settings import Settings
from tests.api.support import running_api
from tests.roster.support import holders, roster_rows


def _validations(sheet) -> dict[str, list[str]]:
    """Column title -> the values of its drop-down list."""
    header = [c.value for c in sheet[1]]
    found = {}
    for rule in sheet.data_validations.dataValidation:
        if rule.type != "list":
            continue
        letter = str(rule.sqref).split(":")[0].rstrip("0123456789")
        column = header[sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(letter))) - 1]
        found[column] = rule.formula1.strip('"').split(",")
    return found


def test_the_template_has_the_columns_instructions_and_drop_down_lists() -> None:
    book = load_workbook(io.BytesIO(template_xlsx()))
    [sheet] = book.worksheets  # one sheet: the importer reads every sheet as roster rows
    assert tuple(c.value for c in sheet[1]) == COLUMNS
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    header = [c.value for c in sheet[1]]
    assert "18 digit" in sheet.cell(1, header.index("NIP") + 1).comment.text  # Indonesian instructions
    lists = _validations(sheet)
    assert lists["GOL_RUANG"] == RANKS and "III/a" in lists["GOL_MIN"]
    assert "Fungsional Ahli Muda" in lists["JENIS_JABATAN"] and "JPT Pratama" in lists["JENIS_JABATAN"]
    assert lists["SKP_HASIL_KERJA_1"] == ["Di Atas Ekspektasi", "Sesuai Ekspektasi", "Di Bawah Ekspektasi"]
    assert set(lists) == set(LISTS)
    assert all(len(rule.formula1) <= 257 for rule in sheet.data_validations.dataValidation if rule.formula1)
    assert sheet.column_dimensions["I"].number_format == "@"  # NIP as text


def test_a_filled_template_imports(app: MutasiApplication, tmp_path: Path) -> None:
    [row] = holders(roster_rows(employees=3))[:1]
    book = load_workbook(io.BytesIO(template_xlsx()))
    sheet = book.active
    for index, column in enumerate(COLUMNS, start=1):
        value = row.get(column)
        if column in ("TGL_LAHIR", "TMT_JABATAN", "TGL_ASESMEN", "HUKDIS_TMT", "HUKDIS_SELESAI") and value:
            value = date.fromisoformat(str(value)) if isinstance(value, str) else value
        sheet.cell(2, index, value)
    sheet.cell(2, COLUMNS.index("NIP") + 1).number_format = "@"
    path = tmp_path / "filled.xlsx"
    book.save(path)
    result = RosterImport(app).run(path, tmp_path / "errors.csv")
    assert result.employees == 1, (tmp_path / "errors.csv").read_text() if (tmp_path / "errors.csv").exists() else ""
    assert app.find_employee_by_nip(str(row["NIP"])).name == row["NAMA"]


def test_the_template_from_the_command_line_and_over_http(tmp_path: Path) -> None:
    sqlite_settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "events.sqlite3")
    initialise_store(sqlite_settings)
    out = tmp_path / "templat.xlsx"
    assert main(["template", "-o", str(out)]) == 0
    assert tuple(c.value for c in load_workbook(out).active[1]) == COLUMNS
    with running_api(sqlite_settings) as api:
        answer = api.call(Role.OPERATOR, "GET", "/roster/template.xlsx")
        assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/vnd.openxml")
        assert tuple(c.value for c in load_workbook(io.BytesIO(answer.content)).active[1]) == COLUMNS
        assert api.call(Role.COMMITTEE, "GET", "/roster/template.xlsx").status_code == 403
