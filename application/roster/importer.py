"""`RosterImport`: validate a roster file, then register its positions and employees in batches.

Pass 1 (`validate`) reads the whole file and writes every bad row to the error file; pass 2 reads it
again and imports the good rows. Unit of atomicity: a batch of rows (default 1,000) is saved in ONE
transaction by the application's `save_batch` (mapper, hash chain, optimistic concurrency, the
library's table lock that keeps notification order equal to commit order; COPY on PostgreSQL). An
employee is saved with all of their history, and with the positions they touch, in the same
transaction, so nothing is ever half-imported: a failure leaves the batches before it complete and
nothing of the failed one. Re-running the same file completes the rest and imports nothing twice:
employees are identified by NIP (uuid5), positions by agency, unit and title (uuid5), and what the
store already holds is skipped.

A row whose new employee collides with what the store already holds (a position recorded with other
attributes than the row's, or with no free seat left) is a conflict: it is not imported, and the error
file gets its line, the column and what it collides with, like a bad row of the first pass.
"""

from __future__ import annotations

import gc
import sys
import tempfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

from eventsourcing.domain import Aggregate

from application.context import Actor
from application.errors import ApplicationError
from application.roster.files import RawRow, ReadOptions, read_roster, roster_format
from application.roster.rows import EmployeeRow, PositionRow, RosterRow, RowError, parse_row
from application.roster.validate import Scratch, Validation, validate
from application.service import MutasiApplication
from application.spreadsheet import CsvWriter
from domain.employee import Employee
from domain.errors import DomainError
from domain.official import NATIONAL
from domain.position import Position
from domain.transfer import place_employee

IMPORT_ACTOR = Actor("roster-import", agencies=(NATIONAL,))
"""The import acts as the system, for every agency: whoever runs it can reach the database."""
POSITION_CACHE = 20_000
FULL_COLLECTION_BATCHES = 100
Where = tuple[str, int]
"""A row's place in the file: sheet (empty for CSV) and line."""


class RowRefused(ApplicationError):
    """A row the first pass accepted was refused by the domain while it was imported (the message
    names the row); the batch it was in is not imported."""

    code = "row-refused"


@dataclass(frozen=True)
class Conflict:
    """A row not imported because it collides with the store: where, and the cell's problem."""

    where: Where
    error: RowError

    def describe(self) -> str:
        """One line: the row, the column, its value and what it collides with."""
        return f"{_place(self.where)}, column {self.error.column} ({self.error.value!r}): {self.error.reason}"


@dataclass
class ImportResult:
    """What an import did."""

    validation: Validation
    employees: int = 0
    already_there: int = 0
    positions: int = 0
    events: int = 0
    batches: int = 0
    seconds: float = 0.0
    validation_seconds: float = 0.0
    last_position: int | None = None
    conflicts: int = 0
    first_conflict: Conflict | None = None

    @property
    def events_per_second(self) -> float:
        """Events written per second over the whole import (both passes)."""
        return self.events / self.seconds if self.seconds else 0.0


def _progress(enabled: bool, total: int | None, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=desc,
        unit=" rows",
        unit_scale=True,
        disable=not enabled,
        file=sys.stderr,
        dynamic_ncols=True,
        mininterval=0.5,
    )


def _count_lines(path: Path) -> int | None:
    """Data rows of a CSV, counted fast (an estimate if fields hold line breaks); None for XLSX."""
    if roster_format(path) != "csv":
        return None
    with path.open("rb") as source:
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: source.read(1 << 20), b""))
    return max(0, lines - 1)


class RosterImport:
    """Imports one roster file into the application's store (see the module's docstring)."""

    def __init__(
        self,
        app: MutasiApplication,
        *,
        actor: Actor = IMPORT_ACTOR,
        batch_rows: int = 1000,
        progress: bool = False,
        read_options: ReadOptions | None = None,
        max_error_rows: int | None = None,
    ) -> None:
        if batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        self.read_options = read_options or ReadOptions.from_settings()  # encoding and file limits
        self.max_error_rows = max_error_rows
        self.app = app
        self.actor = actor
        self.batch_rows = batch_rows
        self.progress = progress
        self._positions: OrderedDict[Any, Position] = OrderedDict()
        self._recorded_before: set[Any] = set()  # positions the store held before this import touched them
        self._conflicts: Any = None  # the error file's writer, while the second pass runs

    def run(self, path: Path, errors_path: Path) -> ImportResult:
        """Validate `path` (problems to `errors_path`), then import its good rows batch by batch."""
        started = perf_counter()
        with _collecting_per_batch(), tempfile.TemporaryDirectory(prefix="mutasi-import-") as scratch_dir:
            scratch = Scratch(Path(scratch_dir) / "scratch.sqlite3")
            try:
                with (
                    errors_path.open("w", newline="", encoding="utf-8") as errors_out,
                    _progress(self.progress, _count_lines(path), "validating") as bar,
                ):
                    validation = validate(
                        _counted(read_roster(path, self.read_options), bar.update),
                        scratch,
                        errors_out,
                        self.max_error_rows,
                    )
                result = ImportResult(validation, validation_seconds=perf_counter() - started)
                with (
                    _progress(self.progress, validation.good_rows, "importing") as bar,
                    errors_path.open("a", newline="", encoding="utf-8") as conflicts_out,
                ):
                    self._conflicts = CsvWriter(conflicts_out)
                    self._import(
                        _good(read_roster(path, self.read_options), scratch.bad_ordinals()), result, bar.update
                    )
            finally:
                scratch.close()
        result.seconds = perf_counter() - started
        return result

    def _import(
        self, rows: Iterator[tuple[Where, RosterRow]], result: ImportResult, advance: Callable[[int], Any]
    ) -> None:
        batch: list[tuple[Where, RosterRow]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= self.batch_rows:
                self._save_batch(batch, result)
                advance(len(batch))
                batch = []
        if batch:
            self._save_batch(batch, result)
            advance(len(batch))

    def _save_batch(self, batch: list[tuple[Where, RosterRow]], result: ImportResult) -> None:
        """Build every aggregate of the batch and save them all in one transaction."""
        ids = {row.employee.nip: Employee.create_id(row.employee.nip) for _, row in batch if row.employee}
        unknown = list({row.position.id for _, row in batch} - self._positions.keys())
        present = self.app.stored_ids([*ids.values(), *unknown])
        self._recorded_before |= present.intersection(unknown)
        touched: dict[Any, Position] = {}
        employees: list[Employee] = []
        try:
            for where, row in batch:
                position = self._position(row.position, touched, present)
                if row.employee is None:
                    continue
                if ids[row.employee.nip] in present:
                    result.already_there += 1
                    continue
                conflict = self._conflict(row, position, ids[row.employee.nip])
                if conflict is not None:
                    self._conflicts.writerow((*where, conflict.column, conflict.value, conflict.reason))
                    result.conflicts += 1
                    result.first_conflict = result.first_conflict or Conflict(where, conflict)
                    continue
                touched[position.id] = position  # before it changes, so a failure evicts it
                try:
                    employees.append(employee_from_row(row.employee, position))
                except DomainError as error:
                    raise RowRefused(
                        f"{_place(where)} (NIP {row.employee.nip}): {error}; nothing of its batch was imported"
                    ) from error
            aggregates: list[Aggregate] = [*employees, *(p for p in touched.values() if p.pending_events)]
            events = sum(len(a.pending_events) for a in aggregates)
            new_positions = sum(1 for p in touched.values() if p.version == len(p.pending_events))
            if aggregates:
                result.last_position = self.app.save_batch(self.actor, aggregates)
        except BaseException:
            for position_id in touched:  # their in-memory state holds what was not saved
                self._positions.pop(position_id, None)
            raise
        result.employees += len(employees)
        result.positions += new_positions
        result.events += events
        result.batches += 1
        gc.collect(1 if result.batches % FULL_COLLECTION_BATCHES else 2)

    def _conflict(self, row: RosterRow, position: Position, employee_id: Any) -> RowError | None:
        """What the row's new employee collides with in the store, if anything: a position recorded
        before this import with other attributes than the row's, or one with no free seat left."""
        stored = position.id in self._recorded_before
        differences = _differences(row.position, position) if stored else {}
        if differences:  # the first column that differs
            column, (in_file, in_store) = next(iter(differences.items()))
            return RowError(
                column,
                in_file,
                f"collides with the position already in the store "
                f"({_named(position)}), recorded with {column} {in_store}",
            )
        try:
            position.check_seat_for(employee_id)
        except DomainError as error:
            if not stored:
                raise  # the first pass counts the file's own seats: this would be a bug, not a conflict
            holders = len(position.holders)
            return RowError(
                "FORMASI",
                str(row.position.formasi),
                (
                    f"collides with the position already in the store ({_named(position)}): its formasi "
                    f"{position.formasi} is held by {holders} employee{'s' if holders != 1 else ''} ({error})"
                ),
            )
        return None

    def _position(self, row: PositionRow, touched: dict[Any, Position], present: set[Any]) -> Position:
        """The position from this batch, the cache, the store, or newly established."""
        position_id = row.id
        position = touched.get(position_id) or self._positions.get(position_id)
        if position is None:
            if position_id in present:
                position = self.app.get_position(position_id)
            else:
                position = position_from_row(row)
                touched[position_id] = position
        self._positions[position_id] = position
        self._positions.move_to_end(position_id)
        if len(self._positions) > POSITION_CACHE:
            self._positions.popitem(last=False)
        return position


def position_from_row(row: PositionRow) -> Position:
    """Establish the position a roster row describes."""
    return Position.establish(
        row.agency, row.unit, row.title, row.position_type, row.rank_min, row.rank_max, row.formasi, row.standard
    )


def employee_from_row(row: EmployeeRow, position: Position) -> Employee:
    """Register the employee a roster row describes, with their history, seated in `position`."""
    employee = Employee.register(row.nip, row.name, row.rank, position.agency)
    place_employee(employee, position, row.placed_on, row.decree_number)
    if row.assessment:
        employee.assess_competency(*row.assessment)
    for year, results, behaviour in row.ratings:
        employee.rate_performance(year, results, behaviour)
    if row.sanction:
        employee.record_sanction(*row.sanction)
    return employee


@contextmanager
def _collecting_per_batch() -> Iterator[None]:
    """The import allocates millions of objects, nearly all freed at once by reference counting, while
    it keeps large caches alive (positions, chain heads); the collector's automatic passes over those
    caches took a third of the import's time. It is paused while the import runs; each batch ends with
    a collection of the young generations (every 100th with a full one), so memory stays bounded."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _counted(rows: Iterator[RawRow], advance: Callable[[int], Any]) -> Iterator[RawRow]:
    for ordinal, row in enumerate(rows, 1):
        yield row
        advance(1)
        if ordinal % 50_000 == 0:  # validation has no batches: collect now and then instead
            gc.collect(1)


def _good(rows: Iterator[RawRow], bad: Iterator[int]) -> Iterator[tuple[Where, RosterRow]]:
    """The valid rows with their place, skipping the bad ordinals (a merge with the ascending bad list)."""
    next_bad = next(bad, None)
    for ordinal, raw in enumerate(rows):
        if ordinal == next_bad:
            next_bad = next(bad, None)
            continue
        parsed = parse_row(raw.values)
        if isinstance(parsed, RosterRow):
            yield (raw.sheet, raw.line), parsed


def _differences(row: PositionRow, position: Position) -> dict[str, tuple[str, str]]:
    """The columns in which a row's position differs from the stored one: column -> (file, store)."""
    pairs = {
        "JENIS_JABATAN": (row.position_type.value, position.position_type.value),
        "GOL_MIN": (row.rank_min.value, position.rank_min.value),
        "GOL_MAX": (row.rank_max.value, position.rank_max.value),
        "FORMASI": (str(row.formasi), str(position.formasi)),
        "STANDAR_KOMPETENSI": (_levels(row.standard), _levels(position.standard)),
    }
    return {column: values for column, values in pairs.items() if values[0] != values[1]}


def _levels(standard: dict[str, int]) -> str:
    return ";".join(f"{name}:{level}" for name, level in sorted(standard.items()))


def _named(position: Position) -> str:
    return f"{position.title}, {position.unit}, {position.agency}; id {position.id}"


def _place(where: Where) -> str:
    sheet, line = where
    return f"line {line}" if not sheet else f"sheet {sheet} line {line}"
