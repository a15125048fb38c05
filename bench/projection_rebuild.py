"""Benchmark: rebuild of all views (events/s) against a raw read of the events table, same process.

    python -m bench.projection_rebuild --store sqlite --employees 5000
    python -m bench.projection_rebuild --store postgres --employees 5000   # needs the test server
    python -m bench.projection_rebuild --shape realistic ...                # without the clustered row

Realistic shape (the figures that count): a generated register with five years of history written in
time order (`application.roster.history`: yearly SKP for everyone, assessment waves, two rounds a year
per agency through every binding moment, sanctions, retirements, hires), so each employee's events lie
years apart between everyone else's. Four years are written, all views rebuilt, then the fifth year is
written with no runner going and a runner's catch-up over it is timed too.
Clustered shape (an extra row, `--shape both`, the default): a register (positions, employees placed,
assessed and rated over two years) in large saves, each employee's events side by side, and a few
proposals walked through a round.
For each shape it measures, in this process and run:
  0. the library's read: every notification through `select_notifications` (for reference);
  1. raw read: every row of the events table through the runner's own read (on PostgreSQL a prepared
     binary-format query, over twice as fast as the library's), batches of 5,000: the baseline;
  2. raw read + decode: the same, each event decoded by the application's mapper;
  3. rebuild: `mutasi projections rebuild` of every view, as its own command, from the first event to
     caught up, indexes and swap included (no grace), once per layout: `--workers N` (the views shared
     among N processes, default 2), and for each of `--partitions` (default 1 2 4) the events shared
     by aggregate among that many processes (1: one process doing everything), each with the summed
     peak RSS of the command's processes (PSS beside it: shared pages counted once);
  4. (realistic) catch-up: a runner of every view, stopped for the last simulated year, catching up
     (in this process, on a second copy of the views), then `mutasi projections catch-up --partitions
     N` (the largest of `--partitions`) of the live views over the same year, as its own command.
Prints the figures and the ratios to the raw read, and saves them as JSON under bench/results/.
Not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import psycopg
from psycopg import sql

from application.bootstrap import initialise_store, open_application
from application.context import Actor
from application.persistence.connections import postgres_conninfo
from application.settings import Settings
from bench.common import HISTORY_YEARS, child_env, history_writer, run_measuring_rss
from domain.employee import Employee
from domain.official import NATIONAL
from domain.position import Position
from domain.transfer import place_employee
from domain.vocabulary import Expectation, PositionType, Potential, Rank, TransferKind
from projections.catalogue import VIEWS
from projections.runner import ProjectionRunner

OPERATOR = Actor("bench-operator", agencies=(NATIONAL,))
AGENCY = "Pemerintah Provinsi Bench"
STANDARD = {"integritas": 3, "kerjasama": 3, "komunikasi": 3, "keuangan_daerah": 3}
RESULTS = Path(__file__).parent / "results"


def settings_for(args: argparse.Namespace) -> Settings:
    if args.store == "sqlite":
        return Settings(_env_file=None, store="sqlite", sqlite_path=Path(tempfile.mkdtemp()) / "bench.sqlite3")
    return Settings(
        _env_file=None,
        store="postgres",
        postgres_host=args.host,
        postgres_port=args.port,
        postgres_user=args.user,
        postgres_dbname=args.dbname,
        postgres_schema=f"bench_{uuid4().hex[:10]}",
    )


def write_register(app, employees: int, seed: int) -> None:
    """Positions and employees, saved many aggregates at a time (as a bulk import would)."""
    rng = random.Random(seed)
    units = [f"Unit {u:02d}" for u in range(max(employees // 250, 4))]
    positions = []
    for unit in units:
        for p in range(10):
            positions.append(
                Position.establish(
                    AGENCY,
                    unit,
                    f"Jabatan {p}",
                    PositionType.PELAKSANA,
                    Rank.II_A,
                    Rank.IV_A,
                    employees // (len(units) * 10) + 3,
                    STANDARD,
                )
            )
    app.save_batch(OPERATOR, positions)
    for start in range(0, employees, 500):
        batch = []
        for seq in range(start, min(start + 500, employees)):
            born = date(1960 + (seq // 1000) % 30, rng.randint(1, 12), rng.randint(1, 28))
            nip = f"{born:%Y%m%d}201003{1 + (seq // 30000) % 2}{seq % 1000:03d}"
            employee = Employee.register(nip, f"Pegawai {seq}", Rank.III_A)
            position = positions[seq % len(positions)]
            place_employee(employee, position, date(2021, 1, 4), f"SK-{seq}")
            employee.assess_competency(
                {k: rng.randint(2, 4) for k in STANDARD},
                rng.choice(list(Potential)),
                "UPT",
                "assessment centre",
                date(2025, 5, 1),
            )
            for year in (2024, 2025):
                employee.rate_performance(year, rng.choice(list(Expectation)), Expectation.AS_EXPECTED)
            batch.append(employee)
        app.save_batch(OPERATOR, [*batch, *positions])  # positions saved with their new holders


def walk_a_round(app, proposals: int) -> None:
    round_id = app.open_round(
        OPERATOR,
        AGENCY,
        TransferKind.WITHIN_AGENCY,
        "Mutasi bench",
        date(2026, 1, 1),
        date(2026, 6, 30),
        date(2026, 3, 1),
    ).aggregate_id
    notifications = app.recorder.select_notifications(1, 10_000)
    registered = [n.originator_id for n in notifications if n.topic.endswith("Employee.Registered")]
    targets = [n.originator_id for n in notifications if n.topic.endswith("Position.Established")]
    for i, employee_id in enumerate(registered[:proposals]):
        try:
            app.propose(OPERATOR, round_id, employee_id, targets[(i + 1) % len(targets)], "bench proposal")
        except Exception:  # an ineligible or duplicate candidate: skip it
            continue


def library_read(app) -> tuple[int, float]:
    """Every notification through the library's `select_notifications` (batches of 5,000)."""
    started, count, position = time.perf_counter(), 0, 0
    while notifications := app.recorder.select_notifications(position, 5000, inclusive_of_start=False):
        count += len(notifications)
        position = notifications[-1].id
    return count, time.perf_counter() - started


def raw_read(settings: Settings, decode: bool) -> tuple[int, float]:
    """Every notification through the runner's own read (on PostgreSQL a prepared binary-format query,
    the fastest read of the events table we have), optionally decoded as the runner decodes."""
    runner = ProjectionRunner(settings, ["merit"], batch_size=5000, versions={"merit": 999})
    runner.open()
    try:
        mapper = runner.reader.mapper
        started, count, position = time.perf_counter(), 0, 0
        while notifications := runner.select(position):
            if decode:
                for n in notifications:
                    mapper.decode(n.topic, n.state, n.originator_id, n.originator_version, remember=False)
            count += len(notifications)
            position = notifications[-1].id
        return count, time.perf_counter() - started
    finally:
        runner.close()


def measure_reads(settings: Settings, app) -> dict[str, float]:
    """Seconds of the library's read, the raw read and the raw read with decoding, and the events."""
    events, library_seconds = library_read(app)
    app.close()
    _, raw_seconds = raw_read(settings, decode=False)
    _, decode_seconds = raw_read(settings, decode=True)
    return {"events": events, "library": library_seconds, "raw": raw_seconds, "decode": decode_seconds}


def layouts(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    """The rebuild layouts measured: views shared among workers, then events shared by partitions."""
    shared = [(f"views shared by {args.workers} workers", ["--workers", str(args.workers)])]
    return shared + [
        (f"{n} partition{'s' if n > 1 else ''}", ["--partitions", str(n)] if n > 1 else ["--workers", "1"])
        for n in args.partitions
    ]


def timed_rebuilds(settings: Settings, args: argparse.Namespace, events: int) -> dict[str, dict[str, float]]:
    """`mutasi projections rebuild` in each layout, as its own command (start-up included, no grace)."""
    timed = {}
    for name, options in layouts(args):
        command = [sys.executable, "-m", "api.cli.main", "projections", "rebuild", "--grace", "0", *options]
        measured = run_measuring_rss([*command, "--batch-size", str(args.batch_size)], child_env(settings))
        if measured.status:
            raise SystemExit(f"{name}: the rebuild failed ({measured.status})")
        timed[name] = {
            "seconds": round(measured.seconds, 3),
            "events_per_s": round(events / measured.seconds),
            "tree_peak_rss_mb": round(measured.tree_peak_rss_mb, 1),
            "tree_peak_pss_mb": round(measured.tree_peak_pss_mb, 1),
        }
        print(name, timed[name], flush=True)
    return timed


def figures_of(reads: dict[str, float], rebuilds: dict[str, dict[str, float]], written: float) -> dict[str, object]:
    events = reads["events"]
    rebuild_seconds = min(figures["seconds"] for figures in rebuilds.values())
    return {
        "events": events,
        "write_seconds": round(written, 3),
        "library_read_events_per_s": round(events / reads["library"]),
        "raw_read_events_per_s": round(events / reads["raw"]),
        "raw_read_and_decode_events_per_s": round(events / reads["decode"]),
        "rebuild_events_per_s": round(events / rebuild_seconds),
        "rebuild_seconds": round(rebuild_seconds, 3),
        "ratio_rebuild_to_raw_read": round(reads["raw"] / rebuild_seconds, 4),
        "ratio_rebuild_to_raw_read_and_decode": round(reads["decode"] / rebuild_seconds, 4),
        "rebuild_layout_fastest": min(rebuilds, key=lambda name: rebuilds[name]["seconds"]),
        "rebuilds": rebuilds,
    }


def realistic(settings: Settings, args: argparse.Namespace) -> dict[str, object]:
    """Four years of history, rebuild; the fifth year written with no runner, then a catch-up."""
    app = open_application(settings)
    started = time.perf_counter()
    writer = history_writer(app, args.employees, args.seed, HISTORY_YEARS)
    writer.begin()
    writer.live(until=date(writer.end.year - 1, 1, 1))
    written = time.perf_counter() - started
    reads = measure_reads(settings, app)
    figures = figures_of(reads, timed_rebuilds(settings, args, int(reads["events"])), written)
    spare = dict.fromkeys(VIEWS, 900)  # a second copy of the views at the same position, for a runner
    runner = ProjectionRunner(settings, batch_size=args.batch_size, versions=spare)
    try:
        runner.catch_up()
    finally:
        runner.close()
    app = writer.app = open_application(settings)  # the runners were stopped: a year goes by
    try:
        started = time.perf_counter()
        writer.live()
        last_year_seconds = time.perf_counter() - started
        total = app.recorder.max_notification_id()
    finally:
        app.close()
    runner = ProjectionRunner(settings, batch_size=args.batch_size, versions=spare)
    try:
        runner.open()
        started = time.perf_counter()
        runner.catch_up()
        catch_up_seconds = time.perf_counter() - started
    finally:
        runner.close()
    year = total - reads["events"]
    partitioned = max(args.partitions)
    command = [sys.executable, "-m", "api.cli.main", "projections", "catch-up", "--partitions", str(partitioned)]
    measured = run_measuring_rss([*command, "--batch-size", str(args.batch_size)], child_env(settings))
    if measured.status:
        raise SystemExit(f"the partitioned catch-up failed ({measured.status})")
    return {
        "shape": f"realistic: {HISTORY_YEARS}-year history in time order (rebuild over the first "
        f"{HISTORY_YEARS - 1}, catch-up over the last)",
        "acts": dict(writer.result.acts),
        "employees_at_start": writer.result.employees_at_start,
        **figures,
        "history_write_events_per_s": round((reads["events"] + year) / (written + last_year_seconds)),
        "catch_up": {
            "events": year,
            "seconds": round(catch_up_seconds, 3),
            "events_per_s": round(year / catch_up_seconds),
            "ratio_to_raw_read_and_decode_rate": round(
                year / catch_up_seconds / (reads["events"] / reads["decode"]), 4
            ),
        },
        f"catch_up_{partitioned}_partitions": {
            "events": year,
            "seconds_with_start_up": round(measured.seconds, 3),
            "events_per_s": round(year / measured.seconds),
            "tree_peak_rss_mb": round(measured.tree_peak_rss_mb, 1),
            "tree_peak_pss_mb": round(measured.tree_peak_pss_mb, 1),
        },
    }


def clustered(settings: Settings, args: argparse.Namespace) -> dict[str, object]:
    """Each employee's events side by side (a register written as an import writes it)."""
    app = open_application(settings, clock=lambda: date(2026, 3, 2))
    started = time.perf_counter()
    write_register(app, args.employees, args.seed)
    walk_a_round(app, args.proposals)
    written = time.perf_counter() - started
    reads = measure_reads(settings, app)
    return {
        "shape": "clustered: each employee's events side by side (extra row)",
        **figures_of(reads, timed_rebuilds(settings, args, int(reads["events"])), written),
    }


def drop(settings: Settings) -> None:
    if settings.store == "postgres":
        with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(settings.postgres_schema)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--employees", type=int, default=5000)
    parser.add_argument("--shape", choices=("realistic", "clustered", "both"), default="both")
    parser.add_argument("--proposals", type=int, default=50, help="clustered shape: proposals in its round")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2, help="rebuild processes sharing the views (default 2)")
    parser.add_argument(
        "--partitions", type=int, nargs="*", default=[1, 2, 4], help="partition counts to rebuild with (default 1 2 4)"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5432)
    parser.add_argument("--user", default="postgres")
    parser.add_argument("--dbname", default="test")
    args = parser.parse_args()
    rows = {}
    for shape, measure in (("realistic", realistic), ("clustered", clustered)):
        if args.shape not in (shape, "both"):
            continue
        settings = settings_for(args)
        initialise_store(settings)
        try:
            rows[shape] = measure(settings, args)
        finally:
            drop(settings)
        print(shape, json.dumps(rows[shape], indent=2), flush=True)
    figures = {
        "benchmark": "projection_rebuild",
        "store": args.store,
        "views": list(VIEWS),
        "employees": args.employees,
        "batch_size": args.batch_size,
        "workers": args.workers,
        **rows,
        "peak_rss_of_this_process_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "load_average": os.getloadavg(),
        },
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    print(json.dumps(figures, indent=2))
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"projection_rebuild-{args.store}.json"
    path.write_text(json.dumps(figures, indent=2) + "\n")
    print(f"saved {path}")


if __name__ == "__main__":
    main()
