"""Where the stores are: the `eventsourcing` environment for SQLite, PostgreSQL or memory, connection
strings, tables beside the events and files beside the SQLite store. Read by `Stores`; nothing else
turns settings into connections."""

from __future__ import annotations

import psycopg
from psycopg import sql

from application.settings import Settings

APPLICATION_NAME = "Mutasi"


def store_env(settings: Settings, create_tables: bool = False) -> dict[str, str]:
    """The library's environment for the configured store. Tables are made only when asked."""
    create = "y" if create_tables else "n"
    if settings.store == "memory":
        return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    if settings.store == "sqlite":
        return {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(settings.sqlite_path),
            "SQLITE_LOCK_TIMEOUT": "10",
            "CREATE_TABLE": create,
        }
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": settings.postgres_dbname,
        "POSTGRES_HOST": settings.postgres_host,
        "POSTGRES_PORT": str(settings.postgres_port),
        "POSTGRES_USER": settings.postgres_user,
        "POSTGRES_PASSWORD": settings.postgres_password.get_secret_value(),
        "POSTGRES_SCHEMA": settings.postgres_schema,
        "POSTGRES_POOL_SIZE": str(settings.postgres_pool_size),
        "POSTGRES_MAX_OVERFLOW": str(settings.postgres_max_overflow),
        "POSTGRES_CONNECT_TIMEOUT": str(settings.postgres_connect_timeout),
        "POSTGRES_LOCK_TIMEOUT": "5",
        "POSTGRES_PRE_PING": "y",  # a connection lost while idle (restart, failover, reaped) is replaced
        "CREATE_TABLE": create,
    }


def postgres_conninfo(settings: Settings) -> str:
    """A libpq connection string for the configured PostgreSQL server."""
    return psycopg.conninfo.make_conninfo(
        host=settings.postgres_host,
        port=settings.postgres_port,
        dbname=settings.postgres_dbname,
        user=settings.postgres_user,
        password=settings.postgres_password.get_secret_value() or None,
        connect_timeout=settings.postgres_connect_timeout,
    )


def postgres_table(settings: Settings, name: str) -> sql.Composable:
    """A table beside the events: in the configured PostgreSQL schema, if any."""
    if settings.postgres_schema:
        return sql.Identifier(settings.postgres_schema, name)
    return sql.Identifier(name)
