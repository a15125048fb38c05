"""Benchmarks 6 and 7 at province size (about 50,000 employees), on one store built once:

    python -m bench.province [--employees 50000] [--repeat 500] [--workers 2] [--keep]
    python -m bench.province --shape clustered [--proposals 200]   # the former shape, for comparison

The store holds a register with five years of history (the default, `--shape realistic`): the
register's first day imported by `mutasi import` (its roster file), then the years written in time
order (`application.roster.history`: ratings, assessment waves, two rounds a year per agency through
every binding moment, sanctions, retirements, hires). `--shape clustered` imports the register of one
day (each employee's events side by side) and walks one round, as before.

7. Peak memory of `mutasi import` of the generated province roster and of `mutasi projections rebuild
   --workers N` of every view, each as its own command: the command's own peak RSS (wait4) and the
   peak PSS of its whole process tree (sampled; the rebuild's worker processes included, pages they
   share counted once). Target < 500 MB each, taken on the tree.
   The rebuild's events/s (the projections engineer's rebuild, from the first event to caught up)
   is recorded too; bench/projection_rebuild.py is the rebuild benchmark proper, against a raw read.
6. Report latency: the last announced round of the province government (realistic: the history's,
   clustered: one walked here), the views are rebuilt, then the transparency, accountability and
   staffing reports are each built `--repeat` times (default 500, so that p99 is not simply the slowest sample; the province-wide
   staffing report, which has no target, a tenth as often): p50/p99. Target p99 < 50 ms.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from application.bootstrap import open_application
from application.context import Actor
from application.roster.files import write_roster
from application.roster.generate import RegisterGenerator
from bench.common import (
    HISTORY_YEARS,
    child_env,
    fresh_store,
    history_writer,
    percentiles,
    run_measuring_rss,
    save_result,
)
from domain.employee import Employee
from domain.official import NATIONAL
from domain.position import Position
from domain.vocabulary import TransferKind
from projections.queries import ReadModels
from projections.reports import Reports

OPERATOR, COMMITTEE, PPK = (Actor(user, agencies=(NATIONAL,)) for user in ("bench-operator", "bench-tpk", "bench-ppk"))


def walk_round(settings, employees: int, seed: int, proposals: int) -> tuple[Any, dict[str, int]]:
    """Propose moves into vacancies of the first agency, decide each, announce: the reports' content."""
    rows = RegisterGenerator("province", seed, employees=employees).rows()
    agency, seats, people = None, {}, defaultdict(list)
    for row in rows:
        agency = agency or row["INSTANSI"]
        if row["INSTANSI"] != agency:
            break
        key = Position.create_id(row["INSTANSI"], row["UNIT_KERJA"], row["JABATAN"])
        seats.setdefault(key, [row["FORMASI"], row["JABATAN"].split()[0]])
        if row.get("NIP"):
            seats[key][0] -= 1
            people[seats[key][1]].append((Employee.create_id(row["NIP"]), key))
    vacancies = [(key, kind) for key, (free, kind) in seats.items() if free > 0]
    app = open_application(settings, clock=lambda: date(2026, 3, 2))
    counts = {"proposed": 0, "approved": 0, "rejected": 0, "refused": 0}
    try:
        round_id = app.open_round(
            OPERATOR,
            agency,
            TransferKind.WITHIN_AGENCY,
            "Mutasi Tahap I 2026",
            date(2026, 1, 1),
            date(2026, 6, 30),
            date(2026, 3, 1),
        ).aggregate_id
        for index in range(proposals):
            target, kind = vacancies[index % len(vacancies)]
            candidates = [c for c in people[kind] if c[1] != target]
            if not candidates:
                continue
            employee_id, _ = candidates[(index * 7) % len(candidates)]
            try:
                proposal_id = app.propose(OPERATOR, round_id, employee_id, target, "fills a vacancy").proposal_id
            except Exception:  # noqa: BLE001 - an ineligible or repeated candidate is skipped
                counts["refused"] += 1
                continue
            counts["proposed"] += 1
            app.recommend(COMMITTEE, round_id, proposal_id, True, "fits the standard")
            try:
                app.decide(PPK, round_id, proposal_id, True, "approved on the committee's recommendation")
                counts["approved"] += 1
            except Exception:  # noqa: BLE001 - a failed rule without override: rejected instead
                app.decide(PPK, round_id, proposal_id, False, "a rule is not met")
                counts["rejected"] += 1
        app.announce(PPK, round_id, date(2026, 3, 2))  # on the day of the decisions, not before
    finally:
        app.close()
    return round_id, counts | {"agency": agency}


def time_reports(settings, round_id, agency: str, repeat: int) -> dict[str, Any]:
    read = ReadModels(settings)
    reports = Reports(read)
    calls = {
        "transparency": lambda: reports.transparency(round_id),
        "accountability": lambda: reports.accountability(round_id),
        "staffing_agency": lambda: reports.staffing(agency),
        "staffing_province": lambda: reports.staffing(),
    }
    figures = {}
    try:
        for name, call in calls.items():
            rows = sum(len(s.rows) for s in call().sections)  # warm-up, and the size of the report
            samples = []
            # The province-wide report has no target and takes a hundred times longer: fewer samples.
            times = max(20, repeat // 10) if name == "staffing_province" else repeat
            for _ in range(times):
                began = time.perf_counter()
                call()
                samples.append((time.perf_counter() - began) * 1000)
            figures[name] = {
                "rows": rows,
                "samples": times,
                **{f"{k}_ms": round(v, 2) for k, v in percentiles(samples).items()},
            }
            print(name, figures[name], flush=True)
    finally:
        read.close()
    return figures


def live_the_years(settings, employees: int, seed: int) -> tuple[Any, str, dict[str, Any]]:
    """The years after the imported first day; the last announced round of the first agency."""
    app = open_application(settings)
    try:
        writer = history_writer(app, employees, seed)
        writer.begin(register_in_store=True)
        started = time.perf_counter()
        result = writer.live()
        seconds = time.perf_counter() - started
        agency = writer.rounds[0][0]
        announced = [i for a, i in writer.rounds if a == agency and app.get_round(i).announced_on]
        return announced[-1], agency, {"acts": dict(result.acts), "seconds": round(seconds, 1)}
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--employees", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shape", choices=("realistic", "clustered"), default="realistic")
    parser.add_argument("--proposals", type=int, default=200, help="clustered shape: proposals of its round")
    parser.add_argument("--repeat", type=int, default=500)  # p99 of 50 samples would be their maximum
    parser.add_argument("--workers", type=int, default=2, help="rebuild worker processes (default 2)")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    mutasi = [sys.executable, "-m", "api.cli.main"]
    realistic = args.shape == "realistic"
    with fresh_store("province", args.keep) as settings, tempfile.TemporaryDirectory() as directory:
        roster = Path(directory) / "province.csv"
        first_day = (
            history_writer(None, args.employees, args.seed).register_rows()
            if realistic
            else RegisterGenerator("province", args.seed, employees=args.employees).rows()
        )
        write_roster(first_day, roster)
        env = child_env(settings)
        imported = run_measuring_rss([*mutasi, "import", str(roster), "--no-progress"], env)
        if imported.status != 0:
            raise SystemExit(f"import failed with status {imported.status}")
        if realistic:
            round_id, agency, walked = live_the_years(settings, args.employees, args.seed)
            walked["agency"] = agency
        else:
            round_id, walked = walk_round(settings, args.employees, args.seed, args.proposals)
        app = open_application(settings)
        events = app.recorder.max_notification_id()
        app.close()
        rebuilt = run_measuring_rss([*mutasi, "projections", "rebuild", "--workers", str(args.workers)], env)
        if rebuilt.status != 0:
            raise SystemExit(f"rebuild failed with status {rebuilt.status}")
        reports = time_reports(settings, round_id, walked["agency"], args.repeat)
    shape = (
        f"realistic: the first day imported, then {HISTORY_YEARS} years of history in time order"
        if realistic
        else "clustered: the register of one day, each employee's events side by side"
    )
    save_result(
        "memory",
        {
            "shape": shape,
            "employees": args.employees,
            "events": events,
            "import": {
                "peak_rss_mb": round(imported.peak_rss_mb, 1),
                "tree_peak_pss_mb": round(imported.tree_peak_pss_mb, 1),
                "seconds": round(imported.seconds, 1),
            },
            "rebuild_all_views": {
                "workers": args.workers,
                "peak_rss_of_one_process_mb": round(rebuilt.peak_rss_mb, 1),
                "tree_peak_pss_mb": round(rebuilt.tree_peak_pss_mb, 1),
                "seconds": round(rebuilt.seconds, 1),
                "events_per_s_including_start_and_2s_grace": round(events / rebuilt.seconds),
            },
            "target_peak_rss_mb": 500,
        },
    )
    save_result(
        "reports",
        {
            "shape": shape,
            "employees": args.employees,
            "events": events,
            "round": walked,
            "repeat": args.repeat,
            "reports": reports,
            "target_p99_ms": 50,
        },
    )


if __name__ == "__main__":
    main()
