"""The first pass of an import: check every row, alone and against the rows before it.

Row by row (streamed), each row is parsed (`rows.parse_row`); a valid row is then checked against
the earlier valid rows: a NIP appears once, every row of a position repeats the same attributes, and
no position gets more holders than its formasi. What the rows before have claimed lives in a scratch
SQLite file on disk, not in memory, so memory stays bounded however large the roster is. Bad rows
go to the error file (one line per problem: sheet, line, column, value, reason; the first
`max_error_rows`, then one line counting the rest) and are remembered by their ordinal, so the second
pass can skip them. The error file's cells are neutralised like every export's (`application.spreadsheet`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from application.roster.files import RawRow
from application.roster.rows import RosterRow, RowError, parse_row
from application.spreadsheet import CsvWriter

ERROR_COLUMNS = ("sheet", "line", "column", "value", "reason")
SHOWN_VALUE = 200  # characters of a bad cell's value in the error file, so the file stays small


@dataclass
class Validation:
    """What the first pass found."""

    rows: int = 0
    bad_rows: int = 0
    errors: int = 0

    @property
    def good_rows(self) -> int:
        """Rows that will be imported (or found already imported)."""
        return self.rows - self.bad_rows


class Scratch:
    """The first pass's memory of earlier rows, in a SQLite file (bounded page cache)."""

    def __init__(self, path: Path) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-16000;"
            "CREATE TABLE nip (nip INTEGER PRIMARY KEY, sheet TEXT, line INTEGER);"
            "CREATE TABLE pos (id BLOB PRIMARY KEY, sheet TEXT, line INTEGER, sig TEXT,"
            " formasi INTEGER, holders INTEGER);"
            "CREATE TABLE bad (ordinal INTEGER PRIMARY KEY);"
            "BEGIN;"
        )

    def check(self, row: RosterRow) -> list[RowError]:
        """Errors of `row` against earlier valid rows; when none, the row's claims are recorded."""
        errors, position = [], row.position
        found = self.db.execute(
            "SELECT sheet, line, sig, formasi, holders FROM pos WHERE id = ?", (position.id.bytes,)
        ).fetchone()
        if found:
            if found[2] != position.signature_json:
                earlier = json.loads(found[2])
                errors += [
                    RowError(column, value, f"differs from {_where(found)} of the same position ({earlier[column]})")
                    for column, value in position.signature().items()
                    if earlier[column] != value
                ]
            if row.employee and not errors and found[4] >= found[3]:
                errors.append(
                    RowError("FORMASI", str(found[3]), f"the position's {found[3]} seats are filled by earlier rows")
                )
        if row.employee:
            twin = self.db.execute("SELECT sheet, line FROM nip WHERE nip = ?", (int(row.employee.nip),)).fetchone()
            if twin:
                errors.append(RowError("NIP", row.employee.nip, f"the same NIP is on {_where(twin)}"))
            elif not found and position.formasi < 1:
                errors.append(RowError("FORMASI", "0", "a position with formasi 0 has no seat to hold"))
        return errors

    def claim(self, row: RosterRow, sheet: str, line: int) -> None:
        """Record a valid row's NIP, position and seat."""
        holder = 1 if row.employee else 0
        self.db.execute(
            "INSERT INTO pos VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET holders = holders + ?",
            (row.position.id.bytes, sheet, line, row.position.signature_json, row.position.formasi, holder, holder),
        )
        if row.employee:
            self.db.execute("INSERT INTO nip VALUES (?, ?, ?)", (int(row.employee.nip), sheet, line))

    def mark_bad(self, ordinal: int) -> None:
        """Remember that the row with this ordinal is not to be imported."""
        self.db.execute("INSERT INTO bad VALUES (?)", (ordinal,))

    def bad_ordinals(self) -> Iterator[int]:
        """The bad rows' ordinals, ascending (streamed)."""
        self.db.execute("COMMIT")
        yield from (ordinal for (ordinal,) in self.db.execute("SELECT ordinal FROM bad ORDER BY ordinal"))

    def close(self) -> None:
        """Close the scratch database."""
        self.db.close()


def _where(found: tuple[Any, ...]) -> str:
    return f"line {found[1]}" if not found[0] else f"sheet {found[0]} line {found[1]}"


def _shown(value: str) -> str:
    """A cell's value as the error file shows it: at most `SHOWN_VALUE` characters."""
    return value if len(value) <= SHOWN_VALUE else value[:SHOWN_VALUE] + "…"


def validate(
    raw_rows: Iterator[RawRow], scratch: Scratch, errors_out: IO[str], max_error_rows: int | None = None
) -> Validation:
    """Check every row; write each problem (the first `max_error_rows` of them, then a count of the
    rest) to `errors_out`; remember the bad rows in `scratch`."""
    report, listed = Validation(), 0
    writer = CsvWriter(errors_out)
    writer.writerow(ERROR_COLUMNS)
    for ordinal, raw in enumerate(raw_rows):
        report.rows += 1
        parsed = parse_row(raw.values)
        problems = parsed if isinstance(parsed, list) else scratch.check(parsed)
        if problems:
            report.bad_rows += 1
            report.errors += len(problems)
            scratch.mark_bad(ordinal)
            if max_error_rows is not None:
                problems = problems[: max(0, max_error_rows - listed)]
            writer.writerows((raw.sheet, raw.line, p.column, _shown(p.value), p.reason) for p in problems)
            listed += len(problems)
        else:
            scratch.claim(parsed, raw.sheet, raw.line)  # type: ignore[arg-type]
    if listed < report.errors:
        rest = (
            f"{report.errors - listed:,} more problems not listed (setting import_max_error_rows = {max_error_rows:,})"
        )
        writer.writerow(("", "", "", "", rest))
    return report
