"""Writing a report as JSON, CSV or XLSX; each format states the position and time it is as of.

JSON is the API's own form: English field names and codes, unchanged. CSV and XLSX are for people:
Indonesian column titles and values (`application.labels_id`), typed cells (dates as dates, numbers as
numbers, shares as percentages), and in XLSX a bold frozen header, column widths, an autofilter, a
"tentang" (about) sheet with the view's position and time and the parameters, and native Excel
charts where a picture helps (staffing per unit, the 9-box counts).

One CSV is one table (`table=`, by default the report's main table, `main_table`), a header row and
its rows, nothing else: Excel and pandas read it as it is. Its provenance (view position and time)
travels in the HTTP answer's headers.

Every CSV and XLSX cell goes through `application.spreadsheet` (text never runs as a formula).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from uuid import UUID

from application import labels_id as labels
from application.spreadsheet import CsvWriter, xlsx_row
from projections.reports import Report, Section

MEDIA_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

MAIN_TABLES = {
    "round-board": "proposals",
    "transparency": "decisions",
    "accountability": "decisions",
    "talent": "employees",
    "evaluation": "transfers",
    "staffing": "positions",
    "merit": "rounds",
}
"""A report's main table (the CSV given without `table=`); a report not named here: its first table."""

SHARES = frozenset(
    {
        "fill_rate",
        "documented_reason",
        "announced_before_decree",
        "transfers_evaluated",
        "decisions_within_rules",
        "objections_answered",
    }
)
"""Columns holding a fraction 0..1: numbers in both formats, shown as a percentage in XLSX."""
DECIMALS = frozenset({"jpm", "jpm_at_decision"})
"""Columns the JSON carries as decimal text ("82.50"): numbers here."""


class UnknownTable(ValueError):
    """`table=` names no table of the report."""


def main_table(report: Report) -> str:
    """The table a CSV of `report` holds when none is asked for."""
    names = [s.name for s in report.sections]
    chosen = MAIN_TABLES.get(report.report)
    return chosen if chosen in names else names[0]


def chosen_section(report: Report, table: str | None) -> Section:
    """The section `table` names (its English name or its Indonesian title), else the main table."""
    wanted = table or main_table(report)
    for section in report.sections:
        if wanted in (section.name, labels.table(section.name)):
            return section
    raise UnknownTable(
        f"the report {report.report!r} has no table {wanted!r}; its tables: "
        + ", ".join(s.name for s in report.sections)
    )


def _is_datetime(column: str) -> bool:
    return column.endswith("_at")


def _is_date(column: str) -> bool:
    return column.endswith("_on") or column in ("since", "until")


def title(column: str) -> str:
    """A column's Indonesian title (times are in UTC, and say so)."""
    text = labels.column(column)
    return f"{text} (UTC)" if _is_datetime(column) else text


def typed(column: str, item: Any) -> Any:
    """A cell's value for people: dates and times as such, decimal text as a number, a coded value by
    its Indonesian label, UUIDs and structures as text."""
    if isinstance(item, str):
        if _is_datetime(column):
            try:
                moment = datetime.fromisoformat(item)
            except ValueError:
                return item
            return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment
        if _is_date(column):
            try:
                return date.fromisoformat(item)
            except ValueError:
                return item
        if column in DECIMALS:
            try:
                return float(Decimal(item))
            except InvalidOperation:
                return item
    if isinstance(item, datetime):
        return item.astimezone(UTC).replace(tzinfo=None) if item.tzinfo else item
    if isinstance(item, UUID):
        return str(item)
    if isinstance(item, (dict, list)):
        return json.dumps(item, ensure_ascii=False, sort_keys=True)
    return labels.value(column, item)


def _text(item: Any) -> Any:
    """A typed cell as CSV writes it (ISO dates; a time without its microseconds)."""
    if isinstance(item, datetime):
        return item.isoformat(sep=" ", timespec="seconds")
    if isinstance(item, date):
        return item.isoformat()
    return item


def provenance(report: Report, section: Section | None = None) -> list[tuple[str, Any]]:
    """What a file is as of: report, view, position, time, generation, parameters (Indonesian titles)."""
    lines: list[tuple[str, Any]] = [
        (labels.ABOUT["report"], labels.REPORTS.get(report.report, report.title)),
        (labels.ABOUT["view"], report.stamp.view),
        (labels.ABOUT["as_of_position"], report.stamp.position),
        (labels.ABOUT["as_of_time"], report.stamp.as_of.isoformat() if report.stamp.as_of else None),
        (labels.ABOUT["generated_at"], report.generated_at.isoformat()),
    ]
    if section is not None:
        lines.append((labels.ABOUT["table"], labels.table(section.name)))
    for key, item in report.parameters.items():
        shown = json.dumps(item, ensure_ascii=False) if isinstance(item, (dict, list)) else item
        lines.append((f"{labels.ABOUT['parameter']} {key}", shown))
    return lines


def to_json(report: Report) -> bytes:
    """The report as JSON (the `Report` model, English field names)."""
    return report.model_dump_json(indent=2).encode()


def to_csv(report: Report, table: str | None = None) -> bytes:
    """One table of the report as CSV: the Indonesian header row, then its rows (UTF-8)."""
    section = chosen_section(report, table)
    out = io.StringIO()
    writer = CsvWriter(out, lineterminator="\r\n")
    writer.writerow([title(c) for c in section.columns])
    for row in section.rows:
        writer.writerow([_text(typed(c, row.get(c))) for c in section.columns])
    return out.getvalue().encode()


_FORMATS = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm", "share": "0.0%", "decimal": "0.00"}
_MAX_WIDTH = 60


def _sheet_name(name: str, taken: set[str]) -> str:
    base = labels.table(name)[:31]
    candidate, n = base, 2
    while candidate.lower() in taken:
        suffix = f" {n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def _write_table(sheet: Any, columns: list[str], rows: list[list[Any]]) -> None:
    """Header (bold, frozen, filtered), rows, number formats and widths."""
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    sheet.append(xlsx_row(sheet, [title(c) for c in columns]))
    for values in rows:
        sheet.append(xlsx_row(sheet, values))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(len(rows) + 1, 1)}"
    for index, column in enumerate(columns, start=1):
        kind = (
            "share"
            if column in SHARES
            else "decimal"
            if column in DECIMALS
            else "datetime"
            if _is_datetime(column)
            else "date"
            if _is_date(column)
            else None
        )
        width = len(title(column))
        for values in rows:
            item = values[index - 1]
            shown = 16 if isinstance(item, datetime) else 11 if isinstance(item, date) else len(str(item or ""))
            width = max(width, shown)
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(width + 2, _MAX_WIDTH)
        if kind:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                if not isinstance(cell.value, str):
                    cell.number_format = _FORMATS[kind]


def _chart(report: Report, section: Section, sheet: Any) -> None:
    """A native bar chart beside the tables where a picture helps."""
    from openpyxl.chart import BarChart, Reference

    rows = len(section.rows)
    if not rows:
        return
    columns = section.columns
    if report.report == "staffing" and section.name == "units":
        chart = BarChart()
        chart.type, chart.grouping = "bar", "clustered"
        chart.title = "Formasi dan pemangku per unit kerja"
        chart.y_axis.title, chart.x_axis.title = "Jumlah", "Unit kerja"
        first = columns.index("formasi") + 1
        data = Reference(sheet, min_col=first, max_col=first + 1, min_row=1, max_row=rows + 1)
        chart.add_data(data, titles_from_data=True)
        unit = columns.index("unit") + 1
        chart.set_categories(Reference(sheet, min_col=unit, min_row=2, max_row=rows + 1))
        chart.height, chart.width = max(7.5, 0.6 * rows + 3), 18
    elif report.report == "talent" and section.name == "boxes":
        chart = BarChart()
        chart.type = "col"
        chart.title = "Jumlah pegawai per kotak 9-box"
        chart.y_axis.title, chart.x_axis.title = "Pegawai", "Kotak"
        count = columns.index("employees") + 1
        chart.add_data(Reference(sheet, min_col=count, min_row=1, max_row=rows + 1), titles_from_data=True)
        box = columns.index("box") + 1
        chart.set_categories(Reference(sheet, min_col=box, min_row=2, max_row=rows + 1))
        chart.legend = None
        chart.height, chart.width = 8, 16
    else:
        return
    chart.style = 10
    from openpyxl.utils import get_column_letter

    sheet.add_chart(chart, f"{get_column_letter(len(columns) + 2)}2")


def to_xlsx(report: Report) -> bytes:
    """The report as an XLSX workbook: a "tentang" sheet with the provenance, one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    about = book.active
    if not isinstance(about, Worksheet):  # a new workbook's one sheet is a worksheet
        raise TypeError(f"a new workbook's active sheet is {type(about).__name__}, not a worksheet")
    about.title = "tentang"
    about.append(xlsx_row(about, [labels.REPORTS.get(report.report, report.title)]))
    about["A1"].font = Font(bold=True, size=13)
    for key, item in provenance(report):
        about.append(xlsx_row(about, [key, item]))
    about.append([])
    about.append(xlsx_row(about, ["Tabel", "Isi (nama di API)"]))
    for section in report.sections:
        about.append(xlsx_row(about, [labels.table(section.name), section.name]))
    about.column_dimensions["A"].width, about.column_dimensions["B"].width = 34, 60
    taken = {"tentang"}
    for section in report.sections:
        sheet = book.create_sheet(_sheet_name(section.name, taken))
        values = [[typed(c, row.get(c)) for c in section.columns] for row in section.rows]
        _write_table(sheet, section.columns, values)
        _chart(report, section, sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(report: Report, fmt: str, table: str | None = None) -> bytes:
    """The report in `fmt` (json, csv or xlsx); `table` picks the CSV's table (`UnknownTable`)."""
    if fmt == "json":
        return to_json(report)
    if fmt == "csv":
        return to_csv(report, table)
    if fmt == "xlsx":
        return to_xlsx(report)
    raise ValueError(f"unknown report format {fmt!r}; use json, csv or xlsx")
