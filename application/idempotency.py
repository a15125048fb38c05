"""Idempotency keys: a command sent again with the same key records nothing new and gets the same answer.

Keys are scoped per user and kept in `mutasi_idempotency`, a table in the same database as the events
(the SQLite file, or the configured PostgreSQL schema), so they hold across processes and restarts.
A key is claimed atomically (primary key) before the command runs: of two concurrent requests with
one key only one runs, the other gets 409. A failed command releases its key (nothing was recorded).

A claim whose request never finished (its process died between claiming and answering) would block
its key for good; after `ABANDONED_AFTER` the same request (same fingerprint) may take the claim
over and run. Whether the abandoned request was recorded is unknown: running it again is what a
client would do with a fresh key, and the domain's own checks (a second registration of a NIP, an
If-Match version that moved, a rating for a year already rated) refuse most repeats.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Protocol

import psycopg
from psycopg import sql

from application.pools import WarmFirstPool
from application.settings import Settings
from application.store import postgres_conninfo, postgres_table, sqlite_connection

TABLE = "mutasi_idempotency"
ABANDONED_AFTER = timedelta(minutes=5)  # far beyond any command's time (the table lock waits 5 s)


class Outcome(Enum):
    """What claiming a key found."""

    CLAIMED = "claimed"  # new key: run the command, then `complete` or `release`
    REPLAY = "replay"  # done before with the same request: answer with `stored`
    MISMATCH = "mismatch"  # the key was used for another request
    IN_PROGRESS = "in-progress"  # the first request with this key has not finished


@dataclass(frozen=True)
class StoredResponse:
    """The response recorded for a key."""

    status: int
    body: bytes
    etag: str | None


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a key, with the stored response on a replay."""

    outcome: Outcome
    stored: StoredResponse | None = None


def _judge(row: tuple | None, fingerprint: str) -> Claim:
    if row is None:  # released between our insert and our read: treat as in progress, retry later
        return Claim(Outcome.IN_PROGRESS)
    stored_fingerprint, status, body, etag = row
    if stored_fingerprint != fingerprint:
        return Claim(Outcome.MISMATCH)
    if status is None:
        return Claim(Outcome.IN_PROGRESS)
    return Claim(Outcome.REPLAY, StoredResponse(status, bytes(body), etag))


class IdempotencyStore(Protocol):
    """Claims keys, stores responses, releases keys of failed commands."""

    def claim(self, scope: str, key: str, fingerprint: str) -> Claim: ...
    def complete(self, scope: str, key: str, response: StoredResponse) -> None: ...
    def release(self, scope: str, key: str) -> None: ...
    def close(self) -> None: ...


class SqliteIdempotencyStore:
    """Keys in the SQLite file of the event store (one short connection per call)."""

    def __init__(self, settings: Settings, abandoned_after: timedelta = ABANDONED_AFTER) -> None:
        self.settings = settings
        self.abandoned_after = abandoned_after

    def _connect(self):  # noqa: ANN202 - a context manager of sqlite3.Connection
        return sqlite_connection(self.settings)

    def claim(self, scope: str, key: str, fingerprint: str) -> Claim:
        with self._connect() as conn:
            inserted = conn.execute(
                f"INSERT INTO {TABLE} (scope, key, fingerprint, created_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT DO NOTHING", (scope, key, fingerprint, _now()),
            ).rowcount
            if inserted:
                return Claim(Outcome.CLAIMED)
            taken = conn.execute(  # an abandoned claim of the same request (ISO UTC text sorts as time)
                f"UPDATE {TABLE} SET created_at = ? WHERE scope = ? AND key = ? AND fingerprint = ? "
                "AND status IS NULL AND created_at <= ?",
                (_now(), scope, key, fingerprint, _now(-self.abandoned_after)),
            ).rowcount
            if taken:
                return Claim(Outcome.CLAIMED)
            row = conn.execute(
                f"SELECT fingerprint, status, body, etag FROM {TABLE} WHERE scope = ? AND key = ?",
                (scope, key),
            ).fetchone()
        return _judge(row, fingerprint)

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._connect() as conn:
            conn.execute(
                f"UPDATE {TABLE} SET status = ?, body = ?, etag = ? WHERE scope = ? AND key = ?",
                (response.status, response.body, response.etag, scope, key),
            )

    def release(self, scope: str, key: str) -> None:
        with self._connect() as conn:
            conn.execute(f"DELETE FROM {TABLE} WHERE scope = ? AND key = ? AND status IS NULL", (scope, key))

    def close(self) -> None:
        pass


class PostgresIdempotencyStore:
    """Keys in the configured PostgreSQL schema, through a small connection pool."""

    def __init__(self, settings: Settings, abandoned_after: timedelta = ABANDONED_AFTER) -> None:
        self.table = postgres_table(settings, TABLE)
        self.abandoned_after = abandoned_after
        self.pool = WarmFirstPool(  # as large as the event store's: every command with a key uses both
            postgres_conninfo(settings), min_size=1,
            max_size=settings.postgres_pool_size + settings.postgres_max_overflow,
            kwargs={"autocommit": True}, open=True)

    def claim(self, scope: str, key: str, fingerprint: str) -> Claim:
        with self.pool.connection() as conn:
            inserted = conn.execute(sql.SQL(
                "INSERT INTO {} (scope, key, fingerprint, created_at) VALUES (%s, %s, %s, now()) "
                "ON CONFLICT DO NOTHING").format(self.table), (scope, key, fingerprint)).rowcount
            if inserted:
                return Claim(Outcome.CLAIMED)
            taken = conn.execute(sql.SQL(  # an abandoned claim of the same request
                "UPDATE {} SET created_at = now() WHERE scope = %s AND key = %s AND fingerprint = %s "
                "AND status IS NULL AND created_at <= now() - %s").format(self.table),
                (scope, key, fingerprint, self.abandoned_after)).rowcount
            if taken:
                return Claim(Outcome.CLAIMED)
            row = conn.execute(sql.SQL(
                "SELECT fingerprint, status, body, etag FROM {} WHERE scope = %s AND key = %s"
            ).format(self.table), (scope, key)).fetchone()
        return _judge(row, fingerprint)

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self.pool.connection() as conn:
            conn.execute(sql.SQL(
                "UPDATE {} SET status = %s, body = %s, etag = %s WHERE scope = %s AND key = %s"
            ).format(self.table), (response.status, response.body, response.etag, scope, key))

    def release(self, scope: str, key: str) -> None:
        with self.pool.connection() as conn:
            conn.execute(sql.SQL(
                "DELETE FROM {} WHERE scope = %s AND key = %s AND status IS NULL"
            ).format(self.table), (scope, key))

    def close(self) -> None:
        self.pool.close()


class MemoryIdempotencyStore:
    """Keys in memory, for the in-memory store (tests and experiments only)."""

    def __init__(self, abandoned_after: timedelta = ABANDONED_AFTER) -> None:
        self.rows: dict[tuple[str, str], tuple] = {}
        self.claimed_at: dict[tuple[str, str], datetime] = {}
        self.abandoned_after = abandoned_after
        self.lock = threading.Lock()

    def claim(self, scope: str, key: str, fingerprint: str) -> Claim:
        with self.lock:
            row, now = self.rows.get((scope, key)), datetime.now(timezone.utc)
            abandoned = (row is not None and row[0] == fingerprint and row[1] is None
                         and self.claimed_at[(scope, key)] <= now - self.abandoned_after)
            if row is None or abandoned:
                self.rows[(scope, key)] = (fingerprint, None, None, None)
                self.claimed_at[(scope, key)] = now
                return Claim(Outcome.CLAIMED)
        return _judge(row, fingerprint)

    def complete(self, scope: str, key: str, response: StoredResponse) -> None:
        with self.lock:
            fingerprint = self.rows[(scope, key)][0]
            self.rows[(scope, key)] = (fingerprint, response.status, response.body, response.etag)

    def release(self, scope: str, key: str) -> None:
        with self.lock:
            if self.rows.get((scope, key), (None, 0))[1] is None:
                del self.rows[(scope, key)], self.claimed_at[(scope, key)]

    def close(self) -> None:
        pass


def open_idempotency_store(settings: Settings) -> IdempotencyStore:
    """The key store beside the configured event store."""
    if settings.store == "sqlite":
        return SqliteIdempotencyStore(settings)
    if settings.store == "postgres":
        return PostgresIdempotencyStore(settings)
    return MemoryIdempotencyStore()


def create_idempotency_table(settings: Settings) -> None:
    """Create the keys table beside the event store's tables (idempotent)."""
    if settings.store == "sqlite":
        with SqliteIdempotencyStore(settings)._connect() as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (scope TEXT NOT NULL, key TEXT NOT NULL, "
                "fingerprint TEXT NOT NULL, status INTEGER, body BLOB, etag TEXT, "
                "created_at TEXT NOT NULL, PRIMARY KEY (scope, key))"
            )
        return
    if settings.store == "postgres":
        with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (scope text NOT NULL, key text NOT NULL, "
                "fingerprint text NOT NULL, status integer, body bytea, etag text, "
                "created_at timestamptz NOT NULL, PRIMARY KEY (scope, key))"
            ).format(postgres_table(settings, TABLE)))


def _now(offset: timedelta = timedelta(0)) -> str:
    return (datetime.now(timezone.utc) + offset).isoformat(timespec="microseconds")
