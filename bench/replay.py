"""Benchmark 5: auditor replay latency with about 1 million events in the store.

    python -m bench.replay [--events 1000000] [--samples 500] [--keep]

Fills a store with a generated register and five years of its history in time order
(`application.roster.history`; about 13 events per employee, so ~75,000 employees for a million
events, each employee's events years apart between everyone else's), then times, for randomly
chosen employees and positions, the audit engineer's reads from the event store itself
(`application.audit.replay`): an employee's full history, an employee's placements "as effective on"
a date, and a position's holders as effective on a date.
p50/p99 in ms. Target: p99 < 10 ms.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from psycopg import sql

from application.audit.replay import employee_placements, history, position_holders
from application.bootstrap import open_application
from bench.common import connect, fresh_store, percentiles, save_result, write_history

EVENTS_PER_EMPLOYEE = 13.0


def sample_ids(settings, table: str, topic_suffix: str, samples: int) -> list[Any]:
    with connect(settings) as conn:
        query = sql.SQL("SELECT originator_id FROM {} WHERE topic LIKE %s ORDER BY random() LIMIT %s").format(
            sql.Identifier(table)
        )
        return [row[0] for row in conn.execute(query, (f"%{topic_suffix}", samples)).fetchall()]


def timed(call: Callable[[Any], Any], ids: list[Any]) -> dict[str, float]:
    samples = []
    for aggregate_id in ids:
        began = time.perf_counter()
        call(aggregate_id)
        samples.append((time.perf_counter() - began) * 1000)
    return {f"{k}_ms": round(v, 2) for k, v in percentiles(samples).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    with fresh_store("replay", args.keep) as settings:
        started = time.perf_counter()
        written = write_history(settings, int(args.events / EVENTS_PER_EMPLOYEE))
        fill_seconds = time.perf_counter() - started
        app = open_application(settings)
        try:
            events = app.recorder.max_notification_id()
            table = app.recorder.events_table_name  # type: ignore[attr-defined]
            employees = sample_ids(settings, table, "Employee.Registered", args.samples)
            positions = sample_ids(settings, table, "Position.Established", args.samples)
            on = date(2024, 1, 1)
            figures = {
                "employee_history": timed(lambda i: history(app, i, "Employee"), employees),
                "employee_as_effective_on": timed(lambda i: employee_placements(app, i, on=on), employees),
                "position_as_effective_on": timed(lambda i: position_holders(app, i, on=on), positions),
            }
        finally:
            app.close()
    for name, values in figures.items():
        print(name, values)
    save_result(
        "replay",
        {
            "shape": "realistic: five years of history in time order",
            "events": events,
            "employees_at_start": written.result.employees_at_start,
            "fill_seconds": round(fill_seconds),
            "fill_events_per_s": round(written.events_per_second),
            "samples": args.samples,
            **figures,
            "target_p99_ms": 10,
        },
    )


if __name__ == "__main__":
    main()
