"""What every benchmark shares: a throw-away PostgreSQL schema, a populated register, timing,
percentiles, peak memory, a description of the machine, and the JSON result under bench/results/.

PostgreSQL is found at BENCH_POSTGRES_HOST/PORT/USER/DBNAME/PASSWORD (default 127.0.0.1:5432,
postgres, test). Each benchmark works in its own schema `bench_<name>_<random>` and drops it at the
end (pass --keep to keep it for a look).
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
from psycopg import sql

from application.bootstrap import initialise_store, open_application
from application.persistence.connections import postgres_conninfo
from application.roster.files import write_roster
from application.roster.generate import RegisterGenerator
from application.roster.history import HistoryResult, HistoryWriter
from application.roster.importer import ImportResult, RosterImport
from application.settings import Settings

RESULTS = Path(__file__).parent / "results"
HISTORY_YEARS = 5
"""The benchmarks' registers carry five years of history (`application.roster.history`): yearly SKP
for everyone, assessment waves, two rounds a year per agency, sanctions, retirements and hires, each
employee's events years apart between everyone else's. The clustered shape (each employee's events
side by side, as an import writes them) stays as an extra row where it says something."""


def bench_settings(schema: str, pool_size: int = 10) -> Settings:
    """Settings for a benchmark schema on the benchmark PostgreSQL server."""
    env = os.environ.get
    return Settings(
        _env_file=None,
        store="postgres",
        postgres_host=env("BENCH_POSTGRES_HOST", "127.0.0.1"),
        postgres_port=int(env("BENCH_POSTGRES_PORT", "5432")),
        postgres_user=env("BENCH_POSTGRES_USER", "postgres"),
        postgres_password=env("BENCH_POSTGRES_PASSWORD", ""),
        postgres_dbname=env("BENCH_POSTGRES_DBNAME", "test"),
        postgres_schema=schema,
        postgres_pool_size=pool_size,
        postgres_max_overflow=pool_size,
    )


def connect(settings: Settings, **kwargs: Any) -> psycopg.Connection[Any]:
    """A plain psycopg connection whose search path is the benchmark schema."""
    conn = psycopg.connect(postgres_conninfo(settings), **kwargs)
    conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(settings.postgres_schema)))
    if not kwargs.get("autocommit"):
        conn.commit()
    return conn


@contextmanager
def fresh_store(name: str, keep: bool = False, pool_size: int = 10) -> Iterator[Settings]:
    """An initialised, empty event store in a new schema, dropped afterwards unless `keep`."""
    settings = bench_settings(f"bench_{name}_{uuid4().hex[:8]}", pool_size)
    initialise_store(settings)
    try:
        yield settings
    finally:
        if keep:
            print(f"kept schema {settings.postgres_schema}", file=sys.stderr)
        else:
            with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
                conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(settings.postgres_schema)))


def child_env(settings: Settings, **extra: str) -> dict[str, str]:
    """Environment of a child `mutasi` process on the benchmark store: this process's environment
    without its own MUTASI_ settings, plus the store's and `extra` (this process's env untouched)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MUTASI_")}
    env.update(
        {
            "MUTASI_STORE": "postgres",
            "MUTASI_POSTGRES_HOST": settings.postgres_host,
            "MUTASI_POSTGRES_PORT": str(settings.postgres_port),
            "MUTASI_POSTGRES_USER": settings.postgres_user,
            "MUTASI_POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
            "MUTASI_POSTGRES_DBNAME": settings.postgres_dbname,
            "MUTASI_POSTGRES_SCHEMA": settings.postgres_schema,
            **extra,
        }
    )
    return env


def register_size(employees: int) -> str:
    """The generator's size whose agencies suit `employees` (one city, a province's 19, the nation's)."""
    return "city" if employees <= 10_000 else "province" if employees <= 500_000 else "national"


def generate_roster(directory: Path, employees: int, seed: int = 1, suffix: str = "csv") -> Path:
    """A generated province-style register of `employees` written to a roster file (clustered: the
    register of one day, each employee's events side by side once imported)."""
    path = directory / f"roster-{employees}-{seed}.{suffix}"
    write_roster(RegisterGenerator(register_size(employees), seed, employees=employees).rows(), path)
    return path


@dataclass
class History:
    """A register with years of history in a store: what was written and how long it took."""

    result: HistoryResult
    events: int
    seconds: float

    @property
    def events_per_second(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0


def history_writer(app: Any, employees: int, seed: int = 1, years: int = HISTORY_YEARS) -> HistoryWriter:
    """The writer of a register of `employees` with `years` of history into `app`'s store."""
    return HistoryWriter(app, register_size(employees), seed, years, employees=employees)


def write_history(settings: Settings, employees: int, seed: int = 1, years: int = HISTORY_YEARS) -> History:
    """Write a register of `employees` and `years` of its history, in time order, into the store."""
    app = open_application(settings)
    try:
        started = time.perf_counter()
        result = history_writer(app, employees, seed, years).run()
        return History(result, app.recorder.max_notification_id() or 0, time.perf_counter() - started)
    finally:
        app.close()


def import_history(
    settings: Settings, employees: int, seed: int = 1, years: int = HISTORY_YEARS, batch_rows: int = 1000
) -> tuple[ImportResult, History]:
    """`mutasi import` of the register's first day (its roster file), then the years after it."""
    with tempfile.TemporaryDirectory(prefix="mutasi-bench-") as directory:
        app = open_application(settings)
        try:
            writer = history_writer(app, employees, seed, years)
            path = Path(directory) / "start.csv"
            write_roster(writer.register_rows(), path)
            imported = RosterImport(app, batch_rows=batch_rows, progress=sys.stderr.isatty()).run(
                path, Path(directory) / "errors.csv"
            )
            started, before = time.perf_counter(), app.recorder.max_notification_id() or 0
            writer.begin(register_in_store=True)
            result = writer.live()
            events = (app.recorder.max_notification_id() or 0) - before
            return imported, History(result, events, time.perf_counter() - started)
        finally:
            app.close()


def import_register(settings: Settings, employees: int, seed: int = 1, batch_rows: int = 1000) -> ImportResult:
    """Generate a register and import it into the store (the way `mutasi import` does)."""
    with tempfile.TemporaryDirectory(prefix="mutasi-bench-") as directory:
        path = generate_roster(Path(directory), employees, seed)
        app = open_application(settings)
        try:
            return RosterImport(app, batch_rows=batch_rows, progress=sys.stderr.isatty()).run(
                path, Path(directory) / "errors.csv"
            )
        finally:
            app.close()


def percentiles(samples: Sequence[float], points: Sequence[int] = (50, 99)) -> dict[str, float]:
    """Nearest-rank percentiles of `samples` (e.g. {"p50": ..., "p99": ...})."""
    ordered = sorted(samples)
    if not ordered:
        return {f"p{p}": float("nan") for p in points}
    return {f"p{p}": ordered[min(len(ordered) - 1, max(0, -(-p * len(ordered) // 100) - 1))] for p in points}


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Measured:
    """A command's exit status, seconds, own peak RSS and the peak memory of its process tree."""

    status: int
    seconds: float
    peak_rss_mb: float  # the command's own process (wait4); a forked worker's peak is not in it
    tree_peak_pss_mb: float  # all its processes together (sampled PSS: shared pages counted once)
    tree_peak_rss_mb: float = 0.0  # all its processes together (sampled RSS summed: shared pages counted in each)


def _tree_memory_mb(root: int) -> tuple[float, float]:
    """The summed resident and proportional set sizes of `root` and its descendants, in MB."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            children.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry))
    rss, pss, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
        except OSError:
            continue
        rss += next((int(line.split()[1]) for line in rollup if line.startswith("Rss:")), 0)
        pss += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
    return rss / 1024, pss / 1024


def run_measuring_rss(
    command: Sequence[str], env: dict[str, str] | None = None, timeout: float = 3600, every: float = 0.1
) -> Measured:
    """Run a command; its status, seconds, own peak RSS (via wait4) and the peak PSS of its process tree
    (sampled every `every` seconds, so a rebuild's worker processes count too)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env)
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    tree_peak, tree_rss_peak = 0.0, 0.0
    try:
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            rss, pss = _tree_memory_mb(process.pid)
            tree_peak, tree_rss_peak = max(tree_peak, pss), max(tree_rss_peak, rss)
            time.sleep(every)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    return Measured(process.returncode, seconds, usage.ru_maxrss / 1024, tree_peak, tree_rss_peak)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            int(line.split()[1]) // 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        None,
    )
    with psycopg.connect(postgres_conninfo(bench_settings("public"))) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_mb": memory,
        "python": platform.python_version(),
        "postgres": server,
        "load_average": os.getloadavg(),
    }


def save_result(name: str, figures: dict[str, Any]) -> Path:
    """Print the figures and write them (with the machine and time) to bench/results/NAME.json."""
    RESULTS.mkdir(exist_ok=True)
    document = {
        "benchmark": name,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **figures,
    }
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    print(json.dumps(document, indent=2, default=str))
    return path
