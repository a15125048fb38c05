"""`mutasi generate`: a deterministic register of a chosen size, with years of history.

The roster (SIMPEG-shaped CSV or XLSX) is the register as it stood on one day. With
`--history-years N` (default 5) it is the register N years before `--as-of`, and the N years after it
(SKP ratings every January, assessment waves, two rounds a year per agency with every binding moment,
sanctions, retirements, new hires) are written into the store day by day, in time order, through the
application: a roster file cannot carry rounds, decrees and evaluations. `--history-years 0` only
writes the roster of `--as-of`.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from application.roster.files import write_roster
from application.roster.generate import REFERENCE_DATE, SIZES, RegisterGenerator
from application.settings import Settings

HISTORY_YEARS = 5


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `generate`."""
    parser = commands.add_parser(
        "generate", help="write a deterministic register (SIMPEG-shaped CSV or XLSX) and its history"
    )
    parser.add_argument(
        "--size",
        choices=list(SIZES),
        default="city",
        help="city ~3,000, province ~50,000, national ~4.3 million employees",
    )
    parser.add_argument("--seed", type=int, default=1, help="same seed, same register (default 1)")
    parser.add_argument("--out", type=Path, default=Path("."), help="directory to write into")
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=REFERENCE_DATE,
        help=f"reference date of the register (default {REFERENCE_DATE})",
    )
    parser.add_argument("--employees", type=int, help="override the size's number of employees")
    parser.add_argument(
        "--history-years",
        type=int,
        default=HISTORY_YEARS,
        metavar="N",
        help=f"years of history written into the store up to --as-of (default {HISTORY_YEARS}); "
        "0: only the roster of --as-of",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Stream the register into DIR/simpeg-SIZE-seedN.FORMAT; then write its history into the store
    (arguments without `history_years`, as from code before it existed: the roster only)."""
    years = getattr(args, "history_years", 0)
    if years < 0:
        print("mutasi: --history-years cannot be negative", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"simpeg-{args.size}-seed{args.seed}.{args.format}"
    if years == 0:
        generator = RegisterGenerator(args.size, args.seed, args.as_of, args.employees)
        rows = write_roster(generator.rows(), path)
        print(f"{path}: {rows} rows ({generator.generated} employees, the rest vacant positions)")
        return 0
    return _with_history(args, settings, path)


def _with_history(args: argparse.Namespace, settings: Settings, path: Path) -> int:
    from application.bootstrap import initialise_embedded_store, open_application
    from application.roster.history import HistoryRefused, HistoryWriter

    if initialise_embedded_store(settings):
        print(
            f"mutasi: initialised a new event store in {settings.sqlite_path} (as `mutasi serve` does)", file=sys.stderr
        )
    app = open_application(settings)
    try:
        writer = HistoryWriter(app, args.size, args.seed, args.history_years, args.as_of, args.employees)
        rows = write_roster(writer.register_rows(), path)
        print(f"{path}: {rows} rows, the register on {writer.start} ({writer.generator.generated} employees)")
        before = app.recorder.max_notification_id() or 0
        try:
            result = writer.run()
        except HistoryRefused as error:
            print(f"mutasi: {error}", file=sys.stderr)
            return 1
        events = (app.recorder.max_notification_id() or 0) - before
    finally:
        app.close()
    acts = ", ".join(f"{count} {act}" for act, count in sorted(result.acts.items()))
    print(f"history {result.start} to {result.end} written into the store in time order: {events} events ({acts})")
    return 0
