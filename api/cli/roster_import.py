"""`mutasi import FILE`: validate a SIMPEG-shaped roster, then import its good rows in batches."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from application.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `import`."""
    parser = commands.add_parser(
        "import", help="import positions and employees with their history from a roster (CSV or XLSX)"
    )
    parser.add_argument("file", type=Path, help="roster file (.csv or .xlsx), see `mutasi generate`")
    parser.add_argument(
        "--errors", type=Path, help="where to write bad rows: line, column, reason (default FILE.errors.csv)"
    )
    parser.add_argument(
        "--batch-rows",
        type=int,
        default=1000,
        help="rows per transaction (default 1000, about 6,000 events); each batch is "
        "all-or-nothing. Larger batches gain little, and a 2,000-row batch (~12,000 "
        "events in one statement) once hung in psycopg's pipeline mode on PostgreSQL",
    )
    parser.add_argument("--user", default="roster-import", help="acting user recorded on the events")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--encoding",
        default="utf-8",
        help="the CSV's text encoding when it is not UTF-8 (with or without BOM), e.g. latin-1 "
        "or cp1252; a file in another encoding than the one named is refused",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Import; exit status 1 when some rows were bad or collided with the store (the others are imported).

    On the embedded SQLite default a new store is initialised first, as `mutasi serve` does."""
    from application.bootstrap import initialise_embedded_store, open_application
    from application.context import Actor
    from application.roster.files import ReadOptions
    from application.roster.importer import RosterImport
    from domain.official import NATIONAL

    if not args.file.is_file():
        raise ValueError(f"no such file: {args.file}")
    errors = args.errors or args.file.with_name(args.file.name + ".errors.csv")
    read_options = ReadOptions.from_settings(settings, getattr(args, "encoding", "utf-8"))
    if initialise_embedded_store(settings):
        print(
            f"mutasi: initialised a new event store in {settings.sqlite_path} (as `mutasi serve` does)", file=sys.stderr
        )
    app = open_application(settings)
    try:
        importer = RosterImport(
            app,
            actor=Actor(args.user, agencies=(NATIONAL,)),
            batch_rows=args.batch_rows,
            progress=not args.no_progress and sys.stderr.isatty(),
            read_options=read_options,
            max_error_rows=settings.import_max_error_rows,
        )
        result = importer.run(args.file, errors)
    finally:
        app.close()
    checked = result.validation
    print(f"{checked.rows} rows checked, {checked.bad_rows} bad ({checked.errors} problems in {errors})")
    print(
        f"imported {result.employees} employees and {result.positions} positions "
        f"({result.events} events in {result.batches} batches, {result.events_per_second:,.0f} events/s); "
        f"{result.already_there} employees were already registered"
    )
    if result.first_conflict is not None:
        print(
            f"{result.conflicts} rows collide with the store and were not imported (listed in {errors}); "
            f"the first: {result.first_conflict.describe()}"
        )
    return 1 if checked.bad_rows or result.conflicts else 0
