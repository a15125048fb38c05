"""Preparing the store (`mutasi db init`) and opening the application on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from psycopg import sql

from application.audit.storage import prepare_audit_storage
from application.persistence.event_log import has_event_table
from application.persistence.stores import Stores
from application.service import MutasiApplication
from application.settings import Settings

__all__ = ["initialise_embedded_store", "initialise_store", "open_application"]

_INIT_LOCK = 0x6D757461  # "muta": one advisory lock serialises concurrent `db init` runs


def initialise_store(settings: Settings) -> None:
    """Create the event store's tables once (idempotent; safe when several processes run it)."""
    if settings.store == "sqlite":
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    with Stores(settings, create_tables=True) as stores:
        if stores.kind != "postgres":
            stores.event_recorder()  # the recorder creates the events' and the keys' tables
            prepare_audit_storage(stores)
            return
        with stores.postgres() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (_INIT_LOCK,))
            try:
                if settings.postgres_schema:
                    conn.execute(
                        sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.postgres_schema))
                    )
                stores.event_recorder()
                prepare_audit_storage(stores)  # audit checkpoints (and the SQLite dev signing key)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (_INIT_LOCK,))


def initialise_embedded_store(settings: Settings) -> bool:
    """On the embedded SQLite default, initialise the store as `mutasi serve` does (PostgreSQL needs
    `mutasi db init`); True when it had no event table before, so the caller can say it made one."""
    if settings.store != "sqlite":
        return False
    new = not has_event_table(settings.sqlite_path)
    initialise_store(settings)
    return new


def open_application(stores: Stores | Settings, clock: Callable[[], date] = date.today) -> MutasiApplication:
    """The application on `stores` (see `MutasiApplication`); raises `StoreNotReady` if the store is
    not initialised."""
    app = MutasiApplication(stores, clock=clock)
    try:
        app.check_store()
    except Exception:
        app.close()
        raise
    return app
