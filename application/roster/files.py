"""Streaming roster files: CSV (csv module) and XLSX (openpyxl write-only / read-only), row by row.

Written cells go through `application.spreadsheet` (no text runs as a formula). A file is read within
limits (`ReadOptions`, from the settings), so a hostile file is refused with one line naming the file,
and the sheet, line and column where there is one (`RosterFileError`), in bounded time and memory:
- CSV is read line by line from bytes: UTF-8 with or without a BOM, or the encoding the operator
  declares; a byte that is not of the encoding is reported with its line. Lines and cells are bounded.
- XLSX: the zip's central directory is checked before anything is parsed (in total, per worksheet,
  per other part: Python's zipfile never inflates a part beyond its declared size); a sheet's declared
  dimension is checked against the row limit, then its rows are read to the header's width only.
- Rows are counted, blank ones included, against the row limit.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from application.roster.columns import COLUMNS
from application.settings import Settings
from application.spreadsheet import FORMULA_TRIGGERS, CsvWriter, xlsx_row

XLSX_MAX_ROWS = 1_048_576  # rows of one worksheet, header included; more rows go to the next sheet
SHEET = "Pegawai"
MAX_COLUMNS = 1_024  # an XLSX header wider than this is cut (its rows are read to the header's width)
_WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BOM = codecs.BOM_UTF8


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (format, header, encoding, limits)."""


@dataclass(frozen=True, slots=True)
class RawRow:
    """One data row as read: where it is (sheet, line) and its values by column."""

    sheet: str
    line: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How a roster file is read: the CSV's encoding, and the limits (settings `import_max_*`)."""

    encoding: str
    max_field_bytes: int
    max_rows: int
    max_xlsx_bytes: int
    max_xlsx_sheet_bytes: int
    max_xlsx_part_bytes: int

    @classmethod
    def from_settings(cls, settings: Settings | None = None, encoding: str = "utf-8") -> ReadOptions:
        """The limits of `settings` (default: the settings' defaults) and a checked `encoding`."""
        settings = settings or Settings.model_construct()
        return cls(
            _checked_encoding(encoding),
            settings.import_max_field_bytes,
            settings.import_max_rows,
            settings.import_max_xlsx_uncompressed_bytes,
            settings.import_max_xlsx_sheet_bytes,
            settings.import_max_xlsx_part_bytes,
        )

    @property
    def max_line_bytes(self) -> int:
        """Longest CSV line: every column at the field limit, quoted, with its quotes doubled."""
        return len(COLUMNS) * (2 * self.max_field_bytes + 3)


def _checked_encoding(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise RosterFileError(f"--encoding {encoding}: unknown encoding") from None
    if name in ("utf-8", "utf-8-sig"):
        return "utf-8"
    if "\n\r,\"'".encode(name, errors="replace") != b"\n\r,\"'":
        raise RosterFileError(f"--encoding {encoding}: not read (not ASCII-compatible); save the file as UTF-8")
    return name


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
        writer = CsvWriter(out)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow([_csv_value(row.get(column)) for column in COLUMNS])
            count += 1
    return count


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else value


def _write_xlsx(rows: Iterable[dict[str, Any]], path: Path) -> int:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    count, sheet, in_sheet = 0, None, XLSX_MAX_ROWS
    for row in rows:
        if in_sheet >= XLSX_MAX_ROWS:
            sheet = workbook.create_sheet(SHEET if sheet is None else f"{SHEET} {len(workbook.worksheets) + 1}")
            sheet.append(COLUMNS)
            in_sheet = 1
        sheet.append(xlsx_row(sheet, [row.get(column) for column in COLUMNS]))  # type: ignore[union-attr]
        in_sheet += 1
        count += 1
    if sheet is None:
        workbook.create_sheet(SHEET).append(COLUMNS)
    workbook.save(path)
    return count


def read_roster(path: Path, options: ReadOptions | None = None) -> Iterator[RawRow]:
    """The data rows of a roster file, streamed (blank rows skipped). Every sheet of an XLSX."""
    options = options or ReadOptions.from_settings()
    try:
        if roster_format(path) == "csv":
            yield from _read_csv(path, options)
        else:
            yield from _read_xlsx(path, options)
    except OSError as error:
        raise RosterFileError(f"{path.name}: cannot be read ({error.strerror or error})") from None


def _header(cells: Iterable[Any], where: str) -> list[str]:
    header = [str(c).strip().upper() if c is not None else "" for c in cells]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterFileError(f"{where}: header lacks column(s) {', '.join(missing)}")
    return header


def _oversized(cells: Iterable[Any], header: list[str], where: str, limit: int) -> None:
    """Refuse a row with a text cell over `limit` UTF-8 bytes (a cheap length test first)."""
    for index, cell in enumerate(cells):
        if isinstance(cell, str) and len(cell) * 4 > limit and len(cell.encode()) > limit:
            column = header[index] if index < len(header) and header[index] else f"#{index + 1}"
            raise RosterFileError(
                f"{where} column {column}: a cell of {len(cell.encode()):,} bytes, over the "
                f"limit of {limit:,} (setting import_max_field_bytes)"
            )


def _too_many_rows(where: str, limit: int) -> RosterFileError:
    return RosterFileError(f"{where}: more than {limit:,} rows (setting import_max_rows)")


# -- CSV ---------------------------------------------------------------------------------------------


class _Lines:
    """A CSV's physical lines decoded one by one, so a bad byte or an endless line names its line.

    `record_bytes` and `quoted` describe the lines handed out since the last `next_record()`: the csv
    module reads no further than the record it returns."""

    def __init__(self, source: Any, name: str, options: ReadOptions) -> None:
        self.source, self.name, self.options = source, name, options
        self.number = 0
        self.record_bytes = 0
        self.quoted = False

    def next_record(self) -> None:
        self.record_bytes, self.quoted = 0, False

    def __iter__(self) -> Iterator[str]:
        encoding, limit = self.options.encoding, self.options.max_line_bytes
        while raw := self.source.readline(limit + 1):
            self.number += 1
            if len(raw) > limit:
                raise RosterFileError(
                    f"{self.name} line {self.number}: longer than {limit:,} bytes (a cell may hold at most "
                    f"{self.options.max_field_bytes:,} bytes, setting import_max_field_bytes)"
                )
            if self.number == 1 and encoding == "utf-8" and raw.startswith(_BOM):
                raw = raw[len(_BOM) :]
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError as error:
                raise RosterFileError(
                    f"{self.name} line {self.number}: not {'UTF-8' if encoding == 'utf-8' else encoding} "
                    f"(byte 0x{raw[error.start]:02x} at byte {error.start + 1} of the line); if the file has "
                    "another encoding, name it, e.g. --encoding latin-1"
                ) from None
            self.record_bytes += len(raw)
            self.quoted = self.quoted or "'" in text
            yield text


def _unquoted(cell: str) -> str:
    """A cell written behind a single quote (`'=…`, as exports neutralise formulas) read as its text."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] in FORMULA_TRIGGERS else cell


def _read_csv(path: Path, options: ReadOptions) -> Iterator[RawRow]:
    name = path.name
    with path.open("rb") as source:
        if source.read(4) == b"PK\x03\x04":
            raise RosterFileError(f"{name}: an XLSX workbook (zip) named .csv; name it .xlsx")
        source.seek(0)
        lines = _Lines(source, name, options)
        reader = csv.reader(lines)
        previous_limit = csv.field_size_limit(options.max_field_bytes + 1)  # chars <= bytes: a backstop
        try:
            yield from _csv_rows(reader, lines, name, options)
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise RosterFileError(
                    f"{name} line {lines.number}: a cell over the limit of "
                    f"{options.max_field_bytes:,} bytes (setting import_max_field_bytes)"
                ) from None
            reason = str(error).split(" - ")[0]  # not Python's advice on opening files
            raise RosterFileError(f"{name} line {lines.number}: not a CSV line ({reason})") from None
        finally:
            csv.field_size_limit(previous_limit)


def _csv_rows(reader: Any, lines: _Lines, name: str, options: ReadOptions) -> Iterator[RawRow]:
    header_cells: list[str] = next(reader, [])
    _oversized(header_cells, [], f"{name} line 1", options.max_field_bytes)
    header = _header(header_cells, name)
    line = reader.line_num
    lines.next_record()
    for rows, cells in enumerate(reader, start=1):
        line, start = reader.line_num, line + 1
        if rows > options.max_rows:
            raise _too_many_rows(f"{name} line {start}", options.max_rows)
        if lines.record_bytes > options.max_field_bytes:
            _oversized(cells, header, f"{name} line {start}", options.max_field_bytes)
        if lines.quoted:
            cells = [_unquoted(c) for c in cells]
        lines.next_record()
        if any(c.strip() for c in cells):
            yield RawRow("", start, dict(zip(header, cells, strict=False)))


# -- XLSX --------------------------------------------------------------------------------------------


def _short(value: object, limit: int = 80) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit] + "…"


def _check_archive(path: Path, options: ReadOptions) -> None:
    """Refuse a workbook whose parts (as the zip's central directory declares them) inflate beyond the
    limits, before any part is parsed. zipfile stops a part at its declared size (a lie fails its CRC)."""
    name = path.name
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            total = sum(part.file_size for part in parts)
            if total > options.max_xlsx_bytes:
                raise RosterFileError(
                    f"{name}: inflates to {total:,} bytes, over the limit of "
                    f"{options.max_xlsx_bytes:,} (setting import_max_xlsx_uncompressed_bytes)"
                )
            for part in parts:
                if part.filename != "[Content_Types].xml":
                    continue
                _part_limit(name, part, options.max_xlsx_part_bytes, "import_max_xlsx_part_bytes")
                worksheets = _declared_worksheets(archive.read(part))
                break
            else:
                raise RosterFileError(f"{name}: not an XLSX workbook (no [Content_Types].xml)")
            for part in parts:
                if part.filename in worksheets:
                    _part_limit(name, part, options.max_xlsx_sheet_bytes, "import_max_xlsx_sheet_bytes")
                else:
                    _part_limit(name, part, options.max_xlsx_part_bytes, "import_max_xlsx_part_bytes")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, RuntimeError) as error:
        raise RosterFileError(f"{name}: not an XLSX workbook ({_short(error)})") from None


def _part_limit(name: str, part: zipfile.ZipInfo, limit: int, setting: str) -> None:
    if part.file_size > limit:
        raise RosterFileError(
            f"{name}: part {_short(part.filename)} inflates to {part.file_size:,} bytes, "
            f"over the limit of {limit:,} (setting {setting})"
        )


def _declared_worksheets(content_types: bytes) -> set[str]:
    """Parts that [Content_Types].xml declares worksheets and nothing else (read as streams)."""
    try:
        root = ElementTree.fromstring(content_types)
    except ElementTree.ParseError:
        return set()
    kinds: dict[str, set[str]] = {}
    for override in root:
        if override.tag.endswith("}Override"):
            part = (override.get("PartName") or "").lstrip("/")
            kinds.setdefault(part, set()).add(override.get("ContentType") or "")
    return {part for part, types in kinds.items() if types == {_WORKSHEET_TYPE}}


def _read_xlsx(path: Path, options: ReadOptions) -> Iterator[RawRow]:
    from openpyxl import load_workbook

    _check_archive(path, options)
    where = path.name
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a hostile file fails deep inside openpyxl in many ways
        raise RosterFileError(f"{where}: not a readable XLSX workbook ({_short(error)})") from None
    line = 0
    try:
        rows_left = options.max_rows
        for sheet in workbook.worksheets:
            where = f"{path.name} sheet {sheet.title}"
            declared = sheet.max_row  # from the sheet's <dimension>, when it has one
            if declared is not None and declared - 1 > rows_left:
                raise RosterFileError(
                    f"{where}: declares {declared:,} rows, more than the limit of "
                    f"{options.max_rows:,} (setting import_max_rows)"
                )
            sheet.reset_dimensions()  # read what is there, not what the dimension claims
            first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
            if first is None:
                continue
            first = _trimmed(first)
            _oversized(first, [], f"{where} line 1", options.max_field_bytes)
            header = _header(first, where)
            rows = sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)
            blank = (None,) * len(header)  # what openpyxl yields for each row missing from the sheet
            for line, cells in enumerate(rows, start=2):
                rows_left -= 1
                if rows_left < 0:
                    raise _too_many_rows(f"{where} line {line}", options.max_rows)
                if cells == blank:
                    continue
                _oversized(cells, header, f"{where} line {line}", options.max_field_bytes)
                if any(c is not None and str(c).strip() for c in cells):
                    yield RawRow(sheet.title, line, dict(zip(header, cells, strict=False)))
            where, line = path.name, 0
    except RosterFileError:
        raise
    except Exception as error:
        at = f"{where} after line {line}" if line else where
        raise RosterFileError(f"{at}: not a readable XLSX workbook ({_short(error)})") from None
    finally:
        workbook.close()


def _trimmed(cells: tuple[Any, ...]) -> tuple[Any, ...]:
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return cells[:end]
