"""Where audit data lives beside the events: the tree's tables (`application.audit.tlog.store`) and the
legacy checkpoints table (the positions of an aggregate's events: `application.persistence.event_log`).

`mutasi_audit_checkpoints` holds the segment checkpoints earlier versions signed (none are made any more:
the signed tree head replaced them); it sits in the same database as the events (the SQLite file, or
the configured PostgreSQL schema) and is created, with the tree's tables, by `initialise_store`, so
that kept checkpoints stay readable and verified. On the SQLite development default the signing
key is generated beside the database at `db init` (`<sqlite_path>-audit-key.pem`, mode 0600).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from psycopg import sql

from application.audit.records import Checkpoint
from application.audit.signing import SigningKeyMissing, generate_key_file
from application.persistence.paths import beside_store
from application.persistence.stores import Stores
from application.settings import Settings

TABLE = "mutasi_audit_checkpoints"
_COLUMNS = ("sequence", "first", "last", "count", "root", "previous", "created_at", "key", "signature")


def signing_key_path(settings: Settings) -> Path:
    """The configured key file; on SQLite without one, the development key beside the database."""
    if settings.audit_signing_key_file is not None:
        return settings.audit_signing_key_file
    if settings.store == "sqlite":
        return beside_store(settings, "-audit-key.pem")
    raise SigningKeyMissing("set MUTASI_AUDIT_SIGNING_KEY_FILE to an Ed25519 private key (PEM)")


def prepare_audit_storage(stores: Stores) -> None:
    """Create the audit tables (idempotent); on SQLite without a configured key, generate one."""
    settings = stores.settings
    if settings.store == "sqlite":
        if settings.audit_signing_key_file is None:
            generate_key_file(signing_key_path(settings))
        with stores.sqlite() as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (sequence INTEGER PRIMARY KEY, first INTEGER NOT NULL, "
                "last INTEGER NOT NULL, count INTEGER NOT NULL, root TEXT NOT NULL, previous TEXT NOT NULL, "
                "created_at TEXT NOT NULL, key TEXT NOT NULL, signature TEXT NOT NULL)"
            )
    elif settings.store == "postgres":
        with stores.postgres() as conn:
            conn.execute(
                sql.SQL(
                    "CREATE TABLE IF NOT EXISTS {} (sequence bigint PRIMARY KEY, first bigint NOT NULL, "
                    "last bigint NOT NULL, count bigint NOT NULL, root text NOT NULL, previous text NOT NULL, "
                    "created_at text NOT NULL, key text NOT NULL, signature text NOT NULL)"
                ).format(stores.table(TABLE))
            )
    else:
        return
    from application.audit.tlog.store import TreeStore

    TreeStore(stores).prepare()


class AuditStorage:
    """Reads the legacy segment checkpoints."""

    def __init__(self, stores: Stores | Settings) -> None:
        """The audit tables of `stores` (given `Settings`, of stores used only for short connections,
        which leave nothing to close)."""
        self.stores = Stores.of(stores)
        self.settings = settings = self.stores.settings
        if settings.store not in ("sqlite", "postgres"):
            raise ValueError("the audit needs a SQLite or PostgreSQL event store")

    def checkpoints(self) -> list[Checkpoint]:
        """Every legacy segment checkpoint kept, in sequence order (none in a store made since)."""
        rows = self._fetch(f"SELECT {', '.join(_COLUMNS)} FROM {{t}} ORDER BY sequence", TABLE)
        return [Checkpoint(*row) for row in rows]

    def _fetch(self, query: str, table: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._cursor(query, table, params) as rows:
            return list(rows)

    def _execute(self, query: str, table: str, params: tuple[Any, ...]) -> None:
        with self._cursor(query, table, params):
            pass

    @contextmanager
    def _cursor(self, query: str, table: str, params: tuple[Any, ...]) -> Iterator[Any]:
        if self.settings.store == "sqlite":
            with self.stores.sqlite() as conn:
                yield conn.execute(query.format(t=table, p="?"), params).fetchall()
            return
        statement = sql.SQL(query.format(t="{t}", p="%s")).format(t=self.stores.table(table))
        with self.stores.postgres() as conn:
            cursor = conn.execute(statement, params)
            yield cursor.fetchall() if cursor.description else []
