"""Writing a report as JSON, CSV or XLSX; each format states the position and time it is as of.

Every CSV and XLSX cell goes through `application.spreadsheet` (text never runs as a formula)."""

from __future__ import annotations

import io
import json
from typing import Any

from application.spreadsheet import CsvWriter, xlsx_row
from projections.reports import Report

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


def _preamble(report: Report) -> list[tuple[str, Any]]:
    return [
        ("report", report.title), ("view", report.stamp.view), ("as_of_position", report.stamp.position),
        ("as_of_time", report.stamp.as_of.isoformat() if report.stamp.as_of else None),
        ("generated_at", report.generated_at.isoformat()),
        *((f"parameter {k}", _cell(v)) for k, v in report.parameters.items()),
    ]


def to_json(report: Report) -> bytes:
    """The report as JSON (the `Report` model)."""
    return report.model_dump_json(indent=2).encode()


def to_csv(report: Report) -> bytes:
    """The report as CSV: `#` lines with the stamp, then each section after a `## name` line."""
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\n")
    for key, value in _preamble(report):  # one cell each: a parameter's comma or line break stays inside
        writer.writerow([f"# {key}: {value}"])
    for section in report.sections:
        writer.writerow([f"## {section.name}"])
        writer.writerow(section.columns)
        for row in section.rows:
            writer.writerow([_cell(row.get(c)) for c in section.columns])
    return out.getvalue().encode()


def to_xlsx(report: Report) -> bytes:
    """The report as an XLSX workbook: an `about` sheet with the stamp, one sheet per section."""
    from openpyxl import Workbook

    book = Workbook()
    about = book.active
    about.title = "about"
    for key, value in _preamble(report):
        about.append(xlsx_row(about, [key, value]))
    for section in report.sections:
        sheet = book.create_sheet(section.name[:31])
        sheet.append(xlsx_row(sheet, section.columns))
        for row in section.rows:
            sheet.append(xlsx_row(sheet, [_cell(row.get(c)) for c in section.columns]))
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(report: Report, fmt: str) -> bytes:
    """The report in `fmt` (json, csv or xlsx)."""
    writers = {"json": to_json, "csv": to_csv, "xlsx": to_xlsx}
    if fmt not in writers:
        raise ValueError(f"unknown report format {fmt!r}; use json, csv or xlsx")
    return writers[fmt](report)
