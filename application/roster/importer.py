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
from application.roster.files import RawRow, read_roster, roster_format
from application.roster.rows import EmployeeRow, PositionRow, RosterRow, parse_row
from application.roster.validate import Scratch, Validation, validate
from application.service import MutasiApplication
from domain.employee import Employee
from domain.official import NATIONAL
from domain.position import Position
from domain.transfer import place_employee

IMPORT_ACTOR = Actor("roster-import", agencies=(NATIONAL,))
"""The import acts as the system, for every agency: whoever runs it can reach the database."""
POSITION_CACHE = 20_000
FULL_COLLECTION_BATCHES = 100


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

    @property
    def events_per_second(self) -> float:
        """Events written per second over the whole import (both passes)."""
        return self.events / self.seconds if self.seconds else 0.0


def _progress(enabled: bool, total: int | None, desc: str) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit=" rows", unit_scale=True, disable=not enabled,
                file=sys.stderr, dynamic_ncols=True, mininterval=0.5)


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
        self, app: MutasiApplication, *, actor: Actor = IMPORT_ACTOR, batch_rows: int = 1000,
        progress: bool = False,
    ) -> None:
        if batch_rows < 1:
            raise ValueError("batch_rows must be at least 1")
        self.app = app
        self.actor = actor
        self.batch_rows = batch_rows
        self.progress = progress
        self._positions: OrderedDict[Any, Position] = OrderedDict()

    def run(self, path: Path, errors_path: Path) -> ImportResult:
        """Validate `path` (problems to `errors_path`), then import its good rows batch by batch."""
        started = perf_counter()
        with _collecting_per_batch(), tempfile.TemporaryDirectory(prefix="mutasi-import-") as scratch_dir:
            scratch = Scratch(Path(scratch_dir) / "scratch.sqlite3")
            try:
                with errors_path.open("w", newline="", encoding="utf-8") as errors_out, \
                        _progress(self.progress, _count_lines(path), "validating") as bar:
                    validation = validate(_counted(read_roster(path), bar.update), scratch, errors_out)
                result = ImportResult(validation, validation_seconds=perf_counter() - started)
                with _progress(self.progress, validation.good_rows, "importing") as bar:
                    self._import(_good(read_roster(path), scratch.bad_ordinals()), result, bar.update)
            finally:
                scratch.close()
        result.seconds = perf_counter() - started
        return result

    def _import(self, rows: Iterator[RosterRow], result: ImportResult, advance: Callable[[int], Any]) -> None:
        batch: list[RosterRow] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= self.batch_rows:
                self._save_batch(batch, result)
                advance(len(batch))
                batch = []
        if batch:
            self._save_batch(batch, result)
            advance(len(batch))

    def _save_batch(self, batch: list[RosterRow], result: ImportResult) -> None:
        """Build every aggregate of the batch and save them all in one transaction."""
        ids = {row.employee.nip: Employee.create_id(row.employee.nip) for row in batch if row.employee}
        unknown = list({row.position.id for row in batch} - self._positions.keys())
        present = self.app.stored_ids([*ids.values(), *unknown])
        touched: dict[Any, Position] = {}
        employees: list[Employee] = []
        try:
            for row in batch:
                position = self._position(row.position, touched, present)
                if row.employee is None:
                    continue
                if ids[row.employee.nip] in present:
                    result.already_there += 1
                    continue
                touched[position.id] = position  # before it changes, so a failure evicts it
                employees.append(employee_from_row(row.employee, position))
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
    return Position.establish(row.agency, row.unit, row.title, row.position_type, row.rank_min, row.rank_max,
                              row.formasi, row.standard)


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


def _good(rows: Iterator[RawRow], bad: Iterator[int]) -> Iterator[RosterRow]:
    """The valid rows, skipping the bad ordinals (a merge with the ascending bad list)."""
    next_bad = next(bad, None)
    for ordinal, raw in enumerate(rows):
        if ordinal == next_bad:
            next_bad = next(bad, None)
            continue
        parsed = parse_row(raw.values)
        if isinstance(parsed, RosterRow):
            yield parsed
