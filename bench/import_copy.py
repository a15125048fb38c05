"""Benchmark 1: events/s of the roster import versus a raw COPY of the same rows into a same-shape table.

    python -m bench.import_copy [--employees 50000] [--batch-rows 1000] [--shape both|realistic|clustered] [--keep]

Realistic shape (the figures that count): the register's first day is imported from its roster file,
then five years of its history are written in time order through the application
(`application.roster.history`); the rate is over both, and the COPY baseline copies every event of
the store. Clustered shape (an extra row): the roster of one day imported, each employee's events
side by side.

The import is `RosterImport` (what `mutasi import` runs): both passes, validation included, events
written by the application's `save_batch`: the mapper and hash chain, then COPY under the library's
EXCLUSIVE table lock, with its NOTIFY. The baseline
copies exactly the stored events (same bytes) with `COPY ... FROM STDIN (FORMAT binary)` into a table
with the events table's shape (primary key, notification-id sequence and unique index), in one
transaction, three times (the fastest counts). Target: ratio >= 0.5.

It also measures, on the same file and in the same process, the import's work that no database
does: validating the file (pass 1), reading and parsing its rows again, building the aggregates
(the domain's commands) and encoding their events (pydantic, canonical JSON, SHA-256 chain). Their
sum per event, against the COPY's time per row, bounds the ratio any import doing that work can
reach: on one core, and (if it were perfectly shared, with the database's own work free) on two.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from pathlib import Path

from psycopg import sql

from application.bootstrap import open_application
from application.persistence.mapper import EventMetadata
from application.roster.files import read_roster
from application.roster.importer import (
    IMPORT_ACTOR,
    ImportResult,
    RosterImport,
    employee_from_row,
    position_from_row,
)
from application.roster.rows import RosterRow, parse_row
from application.service import MutasiApplication
from bench.common import (
    HISTORY_YEARS,
    connect,
    fresh_store,
    generate_roster,
    import_history,
    save_result,
)

SHAPE = """
CREATE TABLE copy_target (
    originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, state bytea,
    notification_id bigserial, PRIMARY KEY (originator_id, originator_version));
CREATE UNIQUE INDEX copy_target_notification_id_idx ON copy_target (notification_id ASC);
"""


def raw_copy(settings, events_table: str, repeat: int = 3) -> tuple[int, list[float]]:
    """Export the stored events (untimed), then time COPY of them into a fresh same-shape table,
    `repeat` times: one COPY can fall on a checkpoint the import's WAL brought on, so the fastest
    is the baseline (the ratio is then the least favourable to the import)."""
    timings: list[float] = []
    with tempfile.TemporaryFile() as dump, connect(settings) as conn:
        query = sql.SQL(
            "COPY (SELECT originator_id, originator_version, topic, state FROM {} "
            "ORDER BY notification_id) TO STDOUT (FORMAT binary)"
        ).format(sql.Identifier(events_table))
        with conn.cursor() as cursor, cursor.copy(query) as copy:
            for block in copy:
                dump.write(block)
        for _ in range(repeat):
            conn.execute("DROP TABLE IF EXISTS copy_target")
            conn.execute(SHAPE)
            conn.commit()
            dump.seek(0)
            started = time.perf_counter()
            with conn.cursor() as cursor:
                with cursor.copy(
                    "COPY copy_target (originator_id, originator_version, topic, state) FROM STDIN (FORMAT binary)"
                ) as copy:
                    while block := dump.read(1 << 20):
                        copy.write(block)
                rows = cursor.rowcount
            conn.commit()
            timings.append(time.perf_counter() - started)
    return rows, timings


def python_work(app: MutasiApplication, path: Path, chunk: int = 1000) -> dict[str, float]:
    """Seconds the import's non-database steps take on `path` (pass 2 over again, nothing saved):
    read the rows, parse them, build the aggregates, encode their events. Chunk by chunk, as the
    import goes (so memory stays small), with the garbage collector paused between chunks, as the
    import pauses it between batches."""
    seconds = {"read": 0.0, "parse": 0.0, "build": 0.0, "encode": 0.0}
    positions: dict[object, object] = {}
    rows = read_roster(path)
    metadata = EventMetadata.now(IMPORT_ACTOR.user, IMPORT_ACTOR.correlation_id)
    gc.disable()
    try:
        while True:
            gc.collect(1)
            started = time.perf_counter()
            raw = [row for _, row in zip(range(chunk), rows, strict=False)]
            read = time.perf_counter()
            parsed = [row for row in (parse_row(r.values) for r in raw) if isinstance(row, RosterRow)]
            parse = time.perf_counter()
            aggregates = []
            for row in parsed:
                position = positions.get(row.position.id)
                if position is None:
                    position = positions[row.position.id] = position_from_row(row.position)
                    aggregates.append(position)
                if row.employee is not None:
                    aggregates.append(employee_from_row(row.employee, position))
            events = [event for aggregate in aggregates for event in aggregate.collect_events()]
            build = time.perf_counter()
            for event in events:
                app.mapper.to_stored_event(event, metadata)
            encode = time.perf_counter()
            for step, (begun, ended) in zip(
                seconds, ((started, read), (read, parse), (parse, build), (build, encode)), strict=False
            ):
                seconds[step] += ended - begun
            if not raw:
                return seconds
    finally:
        gc.enable()


def floor(result: ImportResult, work: dict[str, float], copy_rate: float) -> dict[str, object]:
    """The per-event cost of the import's Python work, and the ratios it leaves room for."""
    steps = {"validate": result.validation_seconds, **work}
    per_event = {step: round(seconds / result.events * 1e6, 2) for step, seconds in steps.items()}
    python_us = sum(steps.values()) / result.events * 1e6
    copy_us = 1e6 / copy_rate
    return {
        "python_us_per_event": {**per_event, "total": round(python_us, 2)},
        "copy_us_per_row": round(copy_us, 2),
        "ceiling_ratio_one_core": round(copy_us / python_us, 3),
        "ceiling_ratio_two_cores": round(2 * copy_us / python_us, 3),
    }


def realistic(args: argparse.Namespace) -> dict[str, object]:
    """The first day imported, the years written; every event of the store against its COPY."""
    with fresh_store("import", args.keep) as settings:
        imported, history = import_history(settings, args.employees, batch_rows=args.batch_rows)
        app = open_application(settings)
        try:
            events_table = app.recorder.events_table_name  # type: ignore[attr-defined]
        finally:
            app.close()
        rows, copy_timings = raw_copy(settings, events_table)
    events, seconds = imported.events + history.events, imported.seconds + history.seconds
    assert rows == events, (rows, events)
    copy_rate = rows / min(copy_timings)
    return {
        "shape": f"realistic: the first day's roster imported, then {HISTORY_YEARS} years of history in time order",
        "employees_at_start": imported.employees,
        "positions": imported.positions,
        "events": events,
        "events_per_s": round(events / seconds),
        "seconds": round(seconds, 2),
        "first_day_import": {
            "events": imported.events,
            "seconds": round(imported.seconds, 2),
            "events_per_s": round(imported.events_per_second),
        },
        "history": {
            "events": history.events,
            "seconds": round(history.seconds, 2),
            "events_per_s": round(history.events_per_second),
            "acts": dict(history.result.acts),
        },
        "copy_seconds": round(min(copy_timings), 2),
        "copy_seconds_each_run": [round(t, 2) for t in copy_timings],
        "copy_events_per_s": round(copy_rate),
        "ratio": round(events / seconds / copy_rate, 3),
    }


def clustered(args: argparse.Namespace) -> dict[str, object]:
    """The roster of one day imported (each employee's events side by side), with the Python floor."""
    with tempfile.TemporaryDirectory(prefix="mutasi-bench-") as directory, fresh_store("import", args.keep) as settings:
        path = generate_roster(Path(directory), args.employees)
        app = open_application(settings)
        try:
            result = RosterImport(app, batch_rows=args.batch_rows).run(path, Path(directory) / "errors.csv")
            events_table = app.recorder.events_table_name  # type: ignore[attr-defined]
        finally:
            app.close()
        rows, copy_timings = raw_copy(settings, events_table)
        app = open_application(settings)  # a fresh mapper: nothing remembered from the import
        try:
            work = python_work(app, path)
        finally:
            app.close()
    assert rows == result.events, (rows, result.events)
    copy_seconds = min(copy_timings)
    copy_rate = rows / copy_seconds
    write_seconds = result.seconds - result.validation_seconds
    return {
        "shape": "clustered: the roster of one day, each employee's events side by side (extra row)",
        "employees": result.employees,
        "positions": result.positions,
        "events": result.events,
        "import_seconds": round(result.seconds, 2),
        "validation_seconds": round(result.validation_seconds, 2),
        "import_events_per_s": round(result.events_per_second),
        "import_write_pass_events_per_s": round(result.events / write_seconds),
        "copy_seconds": round(copy_seconds, 2),
        "copy_seconds_each_run": [round(t, 2) for t in copy_timings],
        "copy_events_per_s": round(copy_rate),
        "ratio": round(result.events_per_second / copy_rate, 3),
        "write_pass_ratio": round(result.events / write_seconds / copy_rate, 3),
        "floor": floor(result, work, copy_rate),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--batch-rows", type=int, default=1000)
    parser.add_argument("--shape", choices=("realistic", "clustered", "both"), default="both")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rows = {
        shape: measure(args)
        for shape, measure in (("realistic", realistic), ("clustered", clustered))
        if args.shape in (shape, "both")
    }
    save_result(
        "import_copy", {"employees": args.employees, "batch_rows": args.batch_rows, **rows, "target_ratio": 0.5}
    )


if __name__ == "__main__":
    main()
