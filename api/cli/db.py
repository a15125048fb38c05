"""`mutasi db init`: create the event store's tables (once, explicitly)."""

from __future__ import annotations

import argparse

from application.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `db` and its sub-commands."""
    db = commands.add_parser("db", help="manage the event store")
    actions = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    init = actions.add_parser("init", help="create the tables (safe to run again)")
    init.set_defaults(handler=run_init)


def run_init(args: argparse.Namespace, settings: Settings) -> int:
    """Create the tables of the configured store."""
    from application.bootstrap import initialise_store

    initialise_store(settings)
    where = (
        settings.sqlite_path
        if settings.store == "sqlite"
        else (f"{settings.postgres_host}:{settings.postgres_port}/{settings.postgres_dbname}")
    )
    print(f"event store ready ({settings.store}: {where})")
    return 0
