"""Preparing the store (`mutasi db init`) and opening the application on it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql

from application.audit.storage import prepare_audit_storage
from application.service import MutasiApplication
from application.settings import Settings
from application.store import postgres_conninfo

__all__ = ["initialise_embedded_store", "initialise_store", "open_application", "postgres_conninfo"]

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
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(settings.postgres_schema)))
            MutasiApplication(settings, create_tables=True).close()
            _create_beside_events(settings)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_INIT_LOCK,))


def initialise_embedded_store(settings: Settings) -> bool:
    """On the embedded SQLite default, initialise the store as `mutasi serve` does (PostgreSQL needs
    `mutasi db init`); True when it had no event table before, so the caller can say it made one."""
    if settings.store != "sqlite":
        return False
    new = not _has_event_table(settings.sqlite_path)
    initialise_store(settings)
    return new


def _has_event_table(path: Path) -> bool:
    if not path.is_file():
        return False
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return (
            conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stored_events'").fetchone()
            is not None
        )
    except sqlite3.DatabaseError:
        return False  # not a database: `initialise_store` then says what is wrong with it
    finally:
        conn.close()


def _create_beside_events(settings: Settings) -> None:
    """Audit checkpoints (and the SQLite dev signing key) live beside the events (the idempotency
    keys' table is made by the event store's recorder, with the events' own)."""
    prepare_audit_storage(settings)


def open_application(settings: Settings, clock: Callable[[], date] = date.today) -> MutasiApplication:
    """The application on the configured store; raises `StoreNotReady` if it is not initialised."""
    app = MutasiApplication(settings, clock=clock)
    try:
        app.check_store()
    except Exception:
        app.close()
        raise
    return app
