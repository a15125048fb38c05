"""Reads of the library's events table that its recorders do not offer: which aggregates exist (one
query for many), each aggregate's first event, the notification log in lean rows, the positions of an
aggregate's events, and on PostgreSQL the last position handed out and the settling of gaps left by
transactions still in flight. The one place outside the library that
knows the table's name and columns (see also `group_commit`'s writes)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql
from psycopg.rows import namedtuple_row, tuple_row


class Logged(NamedTuple):
    """One event as read from the log: notification id (None where not read), originator id (a UUID on
    PostgreSQL, 32 hex digits on SQLite: the mapper reads both), version, topic and state."""

    id: int | None
    originator_id: Any
    originator_version: int
    topic: str
    state: bytes


class EventLog:
    """Lean reads of one application recorder's events table (SQLite, PostgreSQL; memory: the
    recorder's own methods)."""

    def __init__(self, recorder: ApplicationRecorder) -> None:
        self.recorder: Any = recorder
        self.postgres = isinstance(recorder, PostgresApplicationRecorder)
        self.sqlite = isinstance(recorder, SQLiteApplicationRecorder)
        if isinstance(recorder, PostgresApplicationRecorder):
            self.table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
            self._table_text = f'"{recorder.datastore.schema}"."{recorder.events_table_name}"'

    @property
    def table_name(self) -> str:
        """The events table's own name (without schema)."""
        return str(self.recorder.events_table_name)

    @property
    def channel(self) -> str | None:
        """The PostgreSQL channel the recorder NOTIFYs on each insert (None elsewhere)."""
        return str(self.recorder.channel_name) if self.postgres else None

    def stored_ids(self, ids: Iterable[UUID]) -> set[UUID]:
        """Those of `ids` that have events in the store (one indexed query for all of them)."""
        ids = list(ids)
        if not ids:
            return set()
        recorder = self.recorder
        if self.postgres:
            query = sql.SQL("SELECT DISTINCT originator_id FROM {} WHERE originator_id = ANY(%s)").format(self.table)
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(query, (ids,))
                return {UUID(str(row["originator_id"])) for row in cursor.fetchall()}
        if self.sqlite:
            marks = ",".join("?" * len(ids))
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(
                    f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} "  # noqa: S608
                    f"WHERE originator_id IN ({marks})",
                    [i.hex for i in ids],  # the library stores SQLite ids as 32 hex digits
                )
                return {UUID(str(row[0])) for row in cursor.fetchall()}
        return {i for i in ids if recorder.select_events(i, limit=1)}

    def first_events(self, aggregate_ids: Sequence[UUID]) -> list[Logged]:
        """The first event of each aggregate that has one, in ONE query."""
        recorder = self.recorder
        if self.postgres:
            statement = (
                "SELECT NULL::bigint AS id, first.* FROM unnest(%s::uuid[]) AS wanted(id) CROSS JOIN LATERAL ("
                f"SELECT originator_id, originator_version, topic, state FROM {self._table_text} "
                "WHERE originator_id = wanted.id ORDER BY originator_version LIMIT 1) AS first"
            )
            with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=namedtuple_row) as cursor:
                cursor.execute(statement, (list(aggregate_ids),), binary=True)
                return [Logged(*row) for row in cursor.fetchall()]
        if self.sqlite:
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(  # SQLite: a bare column beside min() comes from the row holding the min
                    "SELECT originator_id, min(originator_version) AS originator_version, topic, state "
                    f"FROM {recorder.events_table_name} WHERE originator_id IN (SELECT value FROM json_each(?)) "
                    "GROUP BY originator_id",
                    [orjson.dumps([i.hex for i in aggregate_ids]).decode()],
                )
                return [Logged(None, *row) for row in cursor.fetchall()]
        firsts = (recorder.select_events(i, limit=1) for i in aggregate_ids)
        return [Logged(None, s.originator_id, s.originator_version, s.topic, s.state) for f in firsts for s in f[:1]]

    def after(self, start: int, limit: int) -> Sequence[Logged]:
        """Up to `limit` events after notification id `start`, in order. One plain query: on PostgreSQL
        prepared, in binary format (the library's text-format read spent a quarter of a rebuild
        unescaping `bytea` and building dict rows); on SQLite without building an id object and a
        notification per row (a fifth of a rebuild)."""
        recorder = self.recorder
        if self.postgres:
            statement = (
                "SELECT notification_id AS id, originator_id, originator_version, topic, state "
                f"FROM {self._table_text} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
            )
            with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=namedtuple_row) as cursor:
                cursor.execute(statement, (start, limit), binary=True, prepare=True)
                return cursor.fetchall()  # type: ignore[no-any-return]
        if self.sqlite:  # ids stay 32-digit text, the mapper reads them
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(
                    "SELECT rowid, originator_id, originator_version, topic, state "
                    f"FROM {recorder.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT ?",
                    [start, limit],
                )
                return [Logged._make(row) for row in cursor.fetchall()]
        return [
            Logged(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in recorder.select_notifications(start + 1, limit)
        ]

    def positions(self, aggregate_id: UUID) -> dict[int, int]:
        """Version -> store position (notification id) of an aggregate's events, in one indexed read
        (empty on the memory store, which keeps no positions by aggregate)."""
        recorder = self.recorder
        if self.postgres:
            query = sql.SQL("SELECT originator_version, notification_id FROM {} WHERE originator_id = %s")
            with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
                cursor.execute(query.format(self.table), (aggregate_id,))
                return dict(cursor.fetchall())
        if self.sqlite:  # the library keeps SQLite ids as 32 hex digits; its rowid is the position
            with recorder.datastore.transaction(commit=False) as cursor:
                cursor.execute(
                    f"SELECT originator_version, rowid FROM {recorder.events_table_name} WHERE originator_id = ?",
                    [aggregate_id.hex],
                )
                return {int(row[0]): int(row[1]) for row in cursor.fetchall()}
        return {}

    def issued(self) -> int | None:
        """The last position the store handed out, rows deleted or not: PostgreSQL's notification id
        sequence (deleting the last events does not wind it back). None elsewhere: SQLite gives a new
        row the highest rowid plus one, so a deleted tail leaves no trace there."""
        if not self.postgres:
            return None
        with self.recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'notification_id'))", (self._table_text,)
            )
            row = cursor.fetchone()
        return None if row is None or row[0] is None else int(row[0])

    def settle(self) -> int:
        """PostgreSQL: wait (briefly, 250 ms at most) for every inserting transaction to end; the
        highest notification id then visible (gaps below it will not fill any more)."""
        if not self.postgres:
            return int(self.recorder.max_notification_id() or 0)
        with self.recorder.datastore.transaction(commit=True) as cursor:
            cursor.execute("SET LOCAL lock_timeout = '250ms'")
            cursor.execute(f"LOCK TABLE {self._table_text} IN SHARE MODE")
            cursor.execute(f"SELECT max(notification_id) AS m FROM {self._table_text}")
            return int(cursor.fetchone()["m"] or 0)


def has_event_table(path: Path) -> bool:
    """True when the SQLite file at `path` holds the library's events table (read only, never created)."""
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
