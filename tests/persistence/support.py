"""Stores for the persistence tests: our application recorders as the application builds them, on a
fresh PostgreSQL schema, a SQLite file, or in memory.

The recorders come from `MutasiApplication(settings, create_tables=True).recorder`, so the suites
test exactly what the application saves through (its recorder class, its pool, its tables). The
PostgreSQL helpers skip outside CI when the server is unreachable and fail under CI=true
(`tests.conftest.require_postgres`).
"""

from __future__ import annotations

import importlib
import sys
import tempfile
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from uuid import uuid4

import psycopg
from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from psycopg import sql

from application.persistence.connections import postgres_conninfo
from application.service import MutasiApplication
from application.settings import Settings
from tests.conftest import postgres_settings, require_postgres

STORES = ("memory", "sqlite", "postgres")
LIBRARY_CASES = "eventsourcing.tests.persistence"


def library_test_cases() -> types.ModuleType:
    """The library's recorder test cases (`eventsourcing.tests.persistence`).

    That module imports `eventsourcing.cipher` for its cipher cases (`InfrastructureFactoryTestCase`),
    and `eventsourcing.cipher` needs pycryptodome (the library's `crypto` extra), which Mutasi does not
    install: nothing of ours encrypts events. Without it, the module is imported with a stand-in
    `eventsourcing.cipher` whose `AESCipher` refuses to be made, only for the import (the stand-in is
    removed afterwards, so anything else importing `eventsourcing.cipher` meets the real error)."""
    try:
        return importlib.import_module(LIBRARY_CASES)
    except ModuleNotFoundError as error:
        if error.name != "Crypto":
            raise
        missing = error

    class AESCipher:  # the only name the test module takes from eventsourcing.cipher
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError(f"eventsourcing.cipher is unavailable here ({missing})")

    stand_in = types.ModuleType("eventsourcing.cipher")
    stand_in.AESCipher = AESCipher  # type: ignore[attr-defined]
    sys.modules["eventsourcing.cipher"] = stand_in
    try:
        return importlib.import_module(LIBRARY_CASES)
    finally:
        if sys.modules.get("eventsourcing.cipher") is stand_in:
            del sys.modules["eventsourcing.cipher"]


@contextmanager
def postgres_schema() -> Iterator[Settings]:
    """Settings of a fresh, empty schema on the test server (dropped afterwards)."""
    settings = postgres_settings(f"test_{uuid4().hex[:12]}")
    require_postgres(settings)
    schema = sql.Identifier(settings.postgres_schema)
    with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(schema))
    try:
        yield settings
    finally:
        with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(schema))


@contextmanager
def store_settings(kind: str) -> Iterator[Settings]:
    """Settings of an empty store of `kind` ("memory", "sqlite" or "postgres")."""
    if kind == "memory":
        yield Settings(_env_file=None, store="memory")
    elif kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="mutasi-persistence-") as folder:
            yield Settings(_env_file=None, store="sqlite", sqlite_path=Path(folder) / "events.sqlite3")
    elif kind == "postgres":
        with postgres_schema() as settings:
            yield settings
    else:
        raise ValueError(f"no store {kind!r}")


@contextmanager
def application(settings: Settings) -> Iterator[MutasiApplication]:
    """The application on `settings`, its event tables created (as `mutasi db init` does)."""
    app = MutasiApplication(settings, create_tables=True)
    try:
        yield app
    finally:
        app.close()


@contextmanager
def our_recorder(kind: str) -> Iterator[ApplicationRecorder]:
    """The application recorder the application saves through, on an empty store of `kind`."""
    with store_settings(kind) as settings, application(settings) as app:
        yield app.recorder


def postgres_datastore(settings: Settings, **options: object) -> PostgresDatastore:
    """A library datastore on the schema of `settings` (as the views' datastore is made)."""
    return PostgresDatastore(
        settings.postgres_dbname,
        settings.postgres_host,
        settings.postgres_port,
        settings.postgres_user,
        settings.postgres_password.get_secret_value(),
        schema=settings.postgres_schema,
        **options,  # type: ignore[arg-type]
    )


def sqlite_datastore(path: Path) -> SQLiteDatastore:
    """A library datastore on the SQLite file `path` (as the views' datastore is made)."""
    return SQLiteDatastore(str(path), lock_timeout=10, pool_size=4)


def stored(originator_id: object = None, version: int = 1, topic: str = "topic", state: bytes = b"{}") -> StoredEvent:
    """A stored event (a fresh aggregate id unless given)."""
    return StoredEvent(originator_id=originator_id or uuid4(), originator_version=version, topic=topic, state=state)
