"""Cells that leave Mutasi in a spreadsheet file (CSV or XLSX): no text can run as a formula.

OWASP's CSV-injection guidance: a spreadsheet takes a cell whose text begins with `=`, `+`, `-`, `@`,
tab or carriage return for a formula (`=HYPERLINK(...)`, `@SUM(...)`, `-2+3+cmd|...`). Every writer of
CSV or XLSX (the reports, the roster files, the import's error file) passes each cell through
`neutralised`, the one place this rule lives: such text is written behind a single quote in CSV and as
a string cell with Excel's quote prefix in XLSX (the text itself unchanged, and still text when the
cell is edited). Numbers, dates and every other text are written as they are: -3 stays the number -3.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO, Any

FORMULA_TRIGGERS = frozenset("=+-@\t\r")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not representable in XLSX (XML 1.0)


def formula_like(value: Any) -> bool:
    """True for text that a spreadsheet would read as a formula."""
    return isinstance(value, str) and value[:1] in FORMULA_TRIGGERS


def neutralised(value: Any, sheet: Any = None) -> Any:
    """`value` as a cell that cannot run: for CSV (no `sheet`) formula-like text behind a single quote;
    for a cell of the openpyxl worksheet `sheet`, formula-like text as a quote-prefixed string cell
    (and characters XML cannot carry as U+FFFD). Anything else is returned unchanged."""
    if not isinstance(value, str):
        return value
    if sheet is None:
        return "'" + value if formula_like(value) else value
    if _XML_ILLEGAL.search(value):
        value = _XML_ILLEGAL.sub("\ufffd", value)
    if not formula_like(value):
        return value
    from openpyxl.cell.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value)
    cell.data_type = "s"  # openpyxl binds text starting with "=" as a formula
    cell.quotePrefix = True
    return cell


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """`values` for `sheet.append`, each `neutralised` (normal and write-only worksheets)."""
    return [neutralised(value, sheet) for value in values]


class CsvWriter:
    """`csv.writer` whose every cell is `neutralised`. A row with a carriage return inside a cell is
    written fully quoted (Python 3.11's writer quotes only the characters of its line terminator)."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)
        self._quoting_all = csv.writer(out, **{**options, "quoting": csv.QUOTE_ALL})

    def writerow(self, values: Iterable[Any]) -> None:
        """Write one row."""
        cells = [neutralised(value) for value in values]
        breaks = any(isinstance(cell, str) and "\r" in cell for cell in cells)
        (self._quoting_all if breaks else self._writer).writerow(cells)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)
