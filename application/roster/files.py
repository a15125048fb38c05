"""Streaming roster files: CSV (csv module) and XLSX (openpyxl write-only / read-only), row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from application.roster.columns import COLUMNS

XLSX_MAX_ROWS = 1_048_576  # rows of one worksheet, header included; more rows go to the next sheet
SHEET = "Pegawai"


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (format, header)."""


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as read: where it is (sheet, line) and its values by column."""

    sheet: str
    line: int
    values: dict[str, Any]


def roster_format(path: Path) -> str:
    """`csv` or `xlsx`, from the file name."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise RosterFileError(f"{path.name}: a roster is a .csv or .xlsx file")
    return suffix


def write_roster(rows: Iterable[dict[str, Any]], path: Path) -> int:
    """Write rows (dicts by column) to a CSV or XLSX file, streaming; returns the number of rows."""
    if roster_format(path) == "csv":
        return _write_csv(rows, path)
    return _write_xlsx(rows, path)


def _write_csv(rows: Iterable[dict[str, Any]], path: Path) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_text(row.get(column)) for column in COLUMNS])
            count += 1
    return count


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _write_xlsx(rows: Iterable[dict[str, Any]], path: Path) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    count, sheet, in_sheet = 0, None, XLSX_MAX_ROWS
    for row in rows:
        if in_sheet >= XLSX_MAX_ROWS:
            sheet = workbook.create_sheet(SHEET if sheet is None else f"{SHEET} {len(workbook.worksheets) + 1}")
            sheet.append(COLUMNS)
            in_sheet = 1
        sheet.append([row.get(column) for column in COLUMNS])  # type: ignore[union-attr]
        in_sheet += 1
        count += 1
    if sheet is None:
        workbook.create_sheet(SHEET).append(COLUMNS)
    workbook.save(path)
    return count


def read_roster(path: Path) -> Iterator[RawRow]:
    """The data rows of a roster file, streamed (blank rows skipped). Every sheet of an XLSX."""
    if roster_format(path) == "csv":
        yield from _read_csv(path)
    else:
        yield from _read_xlsx(path)


def _header(cells: list[Any], where: str) -> list[str]:
    header = [str(c).strip().upper() if c is not None else "" for c in cells]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterFileError(f"{where}: header lacks column(s) {', '.join(missing)}")
    return header


def _read_csv(path: Path) -> Iterator[RawRow]:
    with path.open(newline="", encoding="utf-8-sig") as source:
        reader = csv.reader(source)
        header = _header(next(reader, []), path.name)
        line = reader.line_num
        for cells in reader:
            line, start = reader.line_num, line + 1
            if any(c.strip() for c in cells):
                yield RawRow("", start, dict(zip(header, cells)))


def _read_xlsx(path: Path) -> Iterator[RawRow]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            first = next(rows, None)
            if first is None:
                continue
            header = _header(list(first), f"{path.name} sheet {sheet.title}")
            for line, cells in enumerate(rows, start=2):
                if any(c is not None and str(c).strip() for c in cells):
                    yield RawRow(sheet.title, line, dict(zip(header, cells)))
    finally:
        workbook.close()

