"""Benchmark 1: events/s of the roster import versus a raw COPY of the same rows into a same-shape table.

    python -m bench.import_copy [--employees 50000] [--batch-rows 1000] [--keep]

The import is `RosterImport` (what `mutasi import` runs): both passes, validation included, events
written by the application's `save_batch`: the mapper and hash chain, then COPY under the library's
EXCLUSIVE table lock, with its NOTIFY. The baseline
copies exactly the stored events (same bytes) with `COPY ... FROM STDIN (FORMAT binary)` into a table
with the events table's shape (primary key, notification-id sequence and unique index), in one
transaction. Target: ratio >= 0.5.
"""

from __future__ import annotations

import argparse
import tempfile
import time

from psycopg import sql

from application.bootstrap import open_application
from bench.common import connect, fresh_store, import_register, save_result

SHAPE = """
CREATE TABLE copy_target (
    originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, state bytea,
    notification_id bigserial, PRIMARY KEY (originator_id, originator_version));
CREATE UNIQUE INDEX copy_target_notification_id_idx ON copy_target (notification_id ASC);
"""


def raw_copy(settings, events_table: str) -> tuple[int, float]:
    """Export the stored events (untimed), then time COPY of them into the same-shape table."""
    with tempfile.TemporaryFile() as dump, connect(settings) as conn:
        query = sql.SQL("COPY (SELECT originator_id, originator_version, topic, state FROM {} "
                        "ORDER BY notification_id) TO STDOUT (FORMAT binary)").format(sql.Identifier(events_table))
        with conn.cursor() as cursor, cursor.copy(query) as copy:
            for block in copy:
                dump.write(block)
        conn.execute(SHAPE)
        conn.commit()
        dump.seek(0)
        started = time.perf_counter()
        with conn.cursor() as cursor:
            with cursor.copy("COPY copy_target (originator_id, originator_version, topic, state) "
                             "FROM STDIN (FORMAT binary)") as copy:
                while block := dump.read(1 << 20):
                    copy.write(block)
            rows = cursor.rowcount
        conn.commit()
        return rows, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--batch-rows", type=int, default=1000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with fresh_store("import", args.keep) as settings:
        result = import_register(settings, args.employees, batch_rows=args.batch_rows)
        app = open_application(settings)
        events_table = app.recorder.events_table_name  # type: ignore[attr-defined]
        app.close()
        rows, copy_seconds = raw_copy(settings, events_table)
    assert rows == result.events, (rows, result.events)
    copy_rate = rows / copy_seconds
    write_seconds = result.seconds - result.validation_seconds
    save_result("import_copy", {
        "employees": result.employees, "positions": result.positions, "events": result.events,
        "batch_rows": args.batch_rows, "import_seconds": round(result.seconds, 2),
        "validation_seconds": round(result.validation_seconds, 2),
        "import_events_per_s": round(result.events_per_second),
        "import_write_pass_events_per_s": round(result.events / write_seconds),
        "copy_seconds": round(copy_seconds, 2), "copy_events_per_s": round(copy_rate),
        "ratio": round(result.events_per_second / copy_rate, 3),
        "write_pass_ratio": round(result.events / write_seconds / copy_rate, 3),
        "target_ratio": 0.5,
    })


if __name__ == "__main__":
    main()
