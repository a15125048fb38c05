"""Preparing the store (`mutasi db init`) and opening the application on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import psycopg
from psycopg import sql

from application.service import MutasiApplication
from application.settings import Settings

_INIT_LOCK = 0x6D757461  # "muta": one advisory lock serialises concurrent `db init` runs


def postgres_conninfo(settings: Settings) -> str:
    """A libpq connection string for the configured PostgreSQL server."""
    return psycopg.conninfo.make_conninfo(
        host=settings.postgres_host, port=settings.postgres_port, dbname=settings.postgres_dbname,
        user=settings.postgres_user, password=settings.postgres_password.get_secret_value() or None,
        connect_timeout=settings.postgres_connect_timeout,
    )


def initialise_store(settings: Settings) -> None:
    """Create the event store's tables once (idempotent; safe when several processes run it)."""
    if settings.store == "sqlite":
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    if settings.store != "postgres":
        MutasiApplication(settings, create_tables=True).close()
        _create_api_tables(settings)
        _create_audit_tables(settings)
        return
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (_INIT_LOCK,))
        try:
            if settings.postgres_schema:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(settings.postgres_schema)))
            MutasiApplication(settings, create_tables=True).close()
            _create_api_tables(settings)
            _create_audit_tables(settings)
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (_INIT_LOCK,))


def _create_api_tables(settings: Settings) -> None:
    """The REST API's idempotency keys live beside the events, so `db init` makes their table too."""
    from api.http.idempotency import create_idempotency_table  # imported late: api builds on application

    create_idempotency_table(settings)


def _create_audit_tables(settings: Settings) -> None:
    """The audit checkpoints live beside the events (and, on SQLite by default, the signing key)."""
    from application.audit.storage import prepare_audit_storage  # imported late: it uses this module

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
