"""`Stores`: every store of one Mutasi process, opened from `Settings` once at start-up and passed down.

It is the one object that turns settings into connections and paths: the event store (its library
factory, connection pool and recorder, shared by every `MutasiApplication` built on it), the views'
database (one pool for the runner and the readers), short connections for the tables beside the
events (audit tables, the transparency log, `db init`) and for PostgreSQL's LISTEN, and the views'
file beside the SQLite store (the development secrets' paths: `application.persistence.paths`).
Nothing else builds a connection from `Settings`. Closing it closes the pools it opened.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.utils import Environment, get_topic
from psycopg import sql

from application.persistence.connections import APPLICATION_NAME, postgres_conninfo, postgres_table, store_env
from application.persistence.group_commit import GroupCommitRecorder
from application.persistence.keys import KeyedPOPORecorder, KeyedSQLiteRecorder
from application.persistence.paths import views_path
from application.persistence.pools import warm_first
from application.settings import Settings

PING_IDLE_AFTER = 1.0  # seconds: the event store's pool pre-pings only connections idle this long
VIEWS_POOL_SIZE = 4  # the runner and the readers of one process share it


class StoresClosed(RuntimeError):
    """A store was asked for after `Stores.close()`."""


class Stores:
    """The stores of the configured deployment (SQLite file, PostgreSQL server, or memory)."""

    def __init__(self, settings: Settings, *, create_tables: bool = False) -> None:
        """`create_tables` only for `db init` (and the embedded store's first start): the event
        store's recorder then creates its tables when it is first asked for."""
        self.settings = settings
        self.create_tables = create_tables
        self._lock = threading.Lock()
        self._factory: InfrastructureFactory[Any] | None = None
        self._recorder: ApplicationRecorder | None = None
        self._views: PostgresDatastore | SQLiteDatastore | None = None
        self._closed = False

    @classmethod
    def of(cls, source: Stores | Settings) -> Stores:
        """`source` itself, or stores of its own opened from `Settings` (the caller then owns them:
        `stores is not source`)."""
        return cls(source) if isinstance(source, Settings) else source

    @property
    def kind(self) -> str:
        """ "memory", "sqlite" or "postgres"."""
        return self.settings.store

    # -- the event store -----------------------------------------------------------

    def event_env(self) -> dict[str, str]:
        """The library's environment for the event store, with our recorder classes."""
        env = store_env(self.settings, self.create_tables)
        if self.kind == "postgres":  # concurrent saves share a transaction (one lock, one flush)
            env["APPLICATION_RECORDER_TOPIC"] = get_topic(GroupCommitRecorder)
        elif self.kind == "sqlite":  # idempotency keys in the events' transaction
            env["APPLICATION_RECORDER_TOPIC"] = get_topic(KeyedSQLiteRecorder)
        return env

    def event_factory(self) -> InfrastructureFactory[Any]:
        """The library's infrastructure factory of the event store (one datastore, one pool)."""
        with self._lock:
            self._check_open()
            if self._factory is None:
                self._factory = InfrastructureFactory.construct(Environment(APPLICATION_NAME, self.event_env()))
                datastore = getattr(self._factory, "datastore", None)
                if isinstance(datastore, PostgresDatastore):  # a lone writer keeps one server process busy;
                    warm_first(  # a bounded wait; its recorders retry a connection lost meanwhile
                        datastore.pool, self.settings.postgres_pool_timeout, ping_idle_after=PING_IDLE_AFTER
                    )
            return self._factory

    def event_recorder(self) -> ApplicationRecorder:
        """The event store's recorder (one per process, so concurrent saves commit together)."""
        factory = self.event_factory()
        with self._lock:
            if self._recorder is None:
                self._recorder = KeyedPOPORecorder() if self.kind == "memory" else factory.application_recorder()
            return self._recorder

    # -- the views -----------------------------------------------------------------

    @property
    def views_path(self) -> Path:
        """The SQLite file of the views, beside the event store's file (`x.sqlite3` -> `x.views.sqlite3`)."""
        return views_path(self.settings)

    def views_datastore(self) -> PostgresDatastore | SQLiteDatastore | None:
        """The views' database (None for the in-memory store, which keeps no views)."""
        with self._lock:
            self._check_open()
            if self._views is None and self.kind == "sqlite":
                self.views_path.parent.mkdir(parents=True, exist_ok=True)
                self._views = SQLiteDatastore(str(self.views_path), lock_timeout=10, pool_size=VIEWS_POOL_SIZE)
            elif self._views is None and self.kind == "postgres":
                settings = self.settings
                self._views = PostgresDatastore(
                    settings.postgres_dbname,
                    settings.postgres_host,
                    settings.postgres_port,
                    settings.postgres_user,
                    settings.postgres_password.get_secret_value(),
                    connect_timeout=settings.postgres_connect_timeout,
                    pool_size=VIEWS_POOL_SIZE,
                    max_overflow=2,
                    lock_timeout=5,
                    schema=settings.postgres_schema,
                    pre_ping=True,
                )
                warm_first(self._views.pool, settings.postgres_pool_timeout)  # a bounded wait for a connection
            return self._views

    # -- short connections beside the events ---------------------------------------------

    @contextmanager
    def sqlite(self) -> Iterator[sqlite3.Connection]:
        """A short autocommit connection to the SQLite file of the event store."""
        conn = sqlite3.connect(str(self.settings.sqlite_path), timeout=10, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()

    def postgres(self, *, autocommit: bool = True) -> psycopg.Connection[Any]:
        """A new connection to the PostgreSQL server (the caller closes it, e.g. `with`)."""
        return psycopg.connect(postgres_conninfo(self.settings), autocommit=autocommit)

    def table(self, name: str) -> sql.Composable:
        """A PostgreSQL table beside the events: in the configured schema, if any."""
        return postgres_table(self.settings, name)

    # -- life --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the pools (safe to repeat)."""
        with self._lock:
            self._closed = True
            factory, views = self._factory, self._views
            self._factory = self._recorder = self._views = None
        if factory is not None:
            factory.close()
        if views is not None:
            views.close()

    def __enter__(self) -> Stores:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoresClosed("the stores were closed")
