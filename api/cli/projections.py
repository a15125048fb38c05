"""`mutasi projections run | rebuild | partition | finish | status`: run, rebuild and inspect the read
models. A rebuild shared among machines: `rebuild --partitions N --prepare` once, `partition K` on any
machine for each K of 1..N (restartable), then `finish` once (`projections.scale_out`)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from functools import wraps

from eventsourcing.persistence import PersistenceError

from application.persistence.stores import Stores
from application.settings import Settings
from projections.admin import rebuild, run_plan, status
from projections.catalogue import VIEWS
from projections.runner import ProjectionRunner
from projections.scale_out import (
    NoPlan,
    PartitionsBehind,
    Plan,
    PlanInProgress,
    fill_partition,
    finish,
    prepare,
    prepare_catch_up,
)
from projections.store import ViewsUnavailable

Handler = Callable[[argparse.Namespace, Settings], int]


def _one_line_errors(handler: Handler) -> Handler:
    """The store missing or unreachable ends with a one-line message (exit status 2), not a traceback."""

    @wraps(handler)
    def run(args: argparse.Namespace, settings: Settings) -> int:
        try:
            return handler(args, settings)
        except (ViewsUnavailable, PersistenceError, NoPlan, PartitionsBehind, PlanInProgress) as error:
            print(f"mutasi projections: {' '.join(str(error).split())}", file=sys.stderr)
            return 2

    return run


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `projections` and its sub-commands."""
    parser = commands.add_parser("projections", help="run, rebuild and inspect the read models (views)")
    actions = parser.add_subparsers(dest="projections_command", required=True, metavar="ACTION")
    run_parser = actions.add_parser("run", help="catch up from the tracked positions, then follow new events")
    run_parser.add_argument(
        "views", nargs="*", choices=[[], *VIEWS], metavar="VIEW", help=f"views to run (default all: {', '.join(VIEWS)})"
    )
    run_parser.add_argument("--once", action="store_true", help="stop when caught up instead of following")
    run_parser.add_argument("--batch-size", type=int, default=1000, help="events per transaction (default 1000)")
    run_parser.add_argument(
        "--poll-interval",
        type=float,
        default=1.0,
        help="seconds between polls when no notification arrives (default 1)",
    )
    run_parser.set_defaults(handler=_one_line_errors(run))
    rebuild_parser = actions.add_parser(
        "rebuild", help="build new versions of views from the first event and swap them in when caught up"
    )
    rebuild_parser.add_argument(
        "views", nargs="*", choices=[[], *VIEWS], metavar="VIEW", help="views to rebuild (default all)"
    )
    rebuild_parser.add_argument("--batch-size", type=int, default=5000, help="events per transaction (default 5000)")
    rebuild_parser.add_argument(
        "--workers",
        type=int,
        default=min(os.cpu_count() or 1, 4),
        help="processes sharing the views (default: the CPUs, at most 4; ignored with --partitions)",
    )
    rebuild_parser.add_argument(
        "--partitions",
        type=int,
        default=1,
        help="share the events by aggregate among N processes instead, each applying its share of every view",
    )
    rebuild_parser.add_argument(
        "--prepare",
        action="store_true",
        help="with --partitions: only record the plan; run `partition K` for K in 1..N anywhere, then `finish`",
    )
    rebuild_parser.add_argument(
        "--grace", type=float, default=2.0, help="seconds before the old versions are dropped (default 2)"
    )
    rebuild_parser.set_defaults(handler=_one_line_errors(run_rebuild))
    partition_parser = actions.add_parser(
        "partition", help="fill partition K of the prepared rebuild (resumes where it stopped)"
    )
    partition_parser.add_argument("k", type=int, metavar="K", help="the partition, 1..N")
    partition_parser.add_argument("--batch-size", type=int, default=5000, help="events per transaction (default 5000)")
    partition_parser.set_defaults(handler=_one_line_errors(run_partition))
    finish_parser = actions.add_parser(
        "finish", help="when every partition is done: catch the new versions up and make them live"
    )
    finish_parser.add_argument("--batch-size", type=int, default=5000, help="events per transaction (default 5000)")
    finish_parser.add_argument(
        "--grace", type=float, default=2.0, help="seconds before the old versions are dropped (default 2)"
    )
    finish_parser.set_defaults(handler=_one_line_errors(run_finish))
    catch_up_parser = actions.add_parser(
        "catch-up", help="catch the live views up in partitions (after a long outage; `run` must be stopped)"
    )
    catch_up_parser.add_argument(
        "views", nargs="*", choices=[[], *VIEWS], metavar="VIEW", help="views to catch up (default all)"
    )
    catch_up_parser.add_argument("--partitions", type=int, default=2, help="processes sharing the events (default 2)")
    catch_up_parser.add_argument("--batch-size", type=int, default=5000, help="events per transaction (default 5000)")
    catch_up_parser.add_argument(
        "--prepare",
        action="store_true",
        help="only record the plan; run `partition K` for K in 1..N anywhere, then `finish`",
    )
    catch_up_parser.set_defaults(handler=_one_line_errors(run_catch_up))
    status_parser = actions.add_parser("status", help="per view: position, store's latest, lag")
    status_parser.add_argument("--json", action="store_true", help="print JSON")
    status_parser.set_defaults(handler=_one_line_errors(run_status))


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the projections in this process until SIGINT/SIGTERM (or caught up with --once)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    with Stores(settings) as stores:  # the process's pools, kept across the runner's reconnections
        runner = ProjectionRunner(
            stores, args.views or None, batch_size=args.batch_size, poll_interval=args.poll_interval
        )
        if args.once:
            try:
                print(f"views caught up at position {runner.catch_up()}")
            finally:
                runner.close()
            return 0
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        print(f"following events for views: {', '.join(runner.names)} (Ctrl-C stops)", flush=True)
        runner.run(stop)
    return 0


def run_rebuild(args: argparse.Namespace, settings: Settings) -> int:
    """Rebuild views beside the live ones and swap them in."""
    if args.workers < 1 or args.batch_size < 1 or args.partitions < 1:
        raise ValueError("--workers, --partitions and --batch-size must be at least 1")
    if args.prepare:
        plan = prepare(settings, args.views or None, args.partitions)
        _print_prepared(plan)
        return 0
    rebuilt = rebuild(
        settings,
        args.views or None,
        batch_size=args.batch_size,
        workers=args.workers,
        partitions=args.partitions,
        grace=args.grace,
    )
    _print_rebuilt(rebuilt)
    return 0


def run_catch_up(args: argparse.Namespace, settings: Settings) -> int:
    """Catch the live views up in partitions."""
    if args.batch_size < 1 or args.partitions < 1:
        raise ValueError("--partitions and --batch-size must be at least 1")
    plan = prepare_catch_up(settings, args.views or None, args.partitions)
    if args.prepare:
        _print_prepared(plan)
        return 0
    _print_rebuilt(run_plan(settings, plan, args.batch_size, grace=0))
    return 0


def run_partition(args: argparse.Namespace, settings: Settings) -> int:
    """Fill one partition of the prepared rebuild."""
    if args.batch_size < 1:
        raise ValueError("--batch-size must be at least 1")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        position = fill_partition(settings, args.k - 1, args.batch_size)
    except ValueError as error:  # no such partition
        raise NoPlan(str(error)) from None
    print(f"partition {args.k} done at position {position}")
    return 0


def run_finish(args: argparse.Namespace, settings: Settings) -> int:
    """Swap in the views the partitions built."""
    _print_rebuilt(finish(settings, args.batch_size, args.grace))
    return 0


def _print_prepared(plan: Plan) -> None:
    print(
        f"prepared: {len(plan.views)} views in {plan.partitions} partitions up to position {plan.until}; "
        f"run `mutasi projections partition K` for K = 1..{plan.partitions}, then `mutasi projections finish`"
    )


def _print_rebuilt(rebuilt: dict[str, tuple[int | None, int, int]]) -> None:
    for name, (old, new, position) in rebuilt.items():
        print(f"{name}: version {new} live at position {position} (was {old or 'none'})")


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    """Print each view's position, the store's latest position and the lag."""
    with Stores(settings) as stores:
        statuses = status(stores)
    if args.json:
        print(json.dumps([s.model_dump(mode="json") for s in statuses], indent=2))
        return 0
    print(f"{'view':<16}{'version':>8}{'position':>10}{'latest':>10}{'lag':>8}{'lag s':>10}")
    for s in statuses:
        seconds = "?" if s.lag_seconds is None else f"{s.lag_seconds:.1f}"
        print(f"{s.view:<16}{s.version or '-':>8}{s.position:>10}{s.latest:>10}{s.lag_events:>8}{seconds:>10}")
    return 0
