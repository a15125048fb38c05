"""Preparing the store (`mutasi db init`) and opening the application on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import psycopg
from psycopg import sql

from application.audit.storage import prepare_audit_storage
from application.idempotency import create_idempotency_table
from application.service import MutasiApplication
from application.settings import Settings
from application.store import postgres_conninfo

__all__ = ["initialise_store", "open_application", "postgres_conninfo"]

_INIT_LOCK = 0x6D757461  # "muta": one advisory lock serialises concurrent `db init` runs


def initialise_store(settings: Settings) -> None:
    """Create the event store's tables once (idempotent; safe when several processes run it)."""
    if settings.store == "sqlite":
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    if settings.store != "postgres":
        MutasiApplication(settings, create_tables=True).close()
        _create_beside_events(settings)
        return
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_INIT_LOCK,))
        try:
            if settings.postgres_schema:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(settings.postgres_schema)))
            MutasiApplication(settings, create_tables=True).close()
            _create_beside_events(settings)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_INIT_LOCK,))


def _create_beside_events(settings: Settings) -> None:
    """Idempotency keys and audit checkpoints (and the SQLite dev signing key) live beside the events."""
    create_idempotency_table(settings)
    prepare_audit_storage(settings)


def open_application(
    settings: Settings, clock: Callable[[], date] = date.today
) -> MutasiApplication:
    """The application on the configured store; raises `StoreNotReady` if it is not initialised."""
    app = MutasiApplication(settings, clock=clock)
    try:
        app.check_store()
    except Exception:
        app.close()
        raise
    return app
