"""Group commit on PostgreSQL: saves that wait at the same time share one transaction.

The library's recorder takes the events table's EXCLUSIVE lock for each save and holds it through its
commit (so that notification order equals commit order); concurrent saves therefore queue for the
lock, and each pays its own WAL flush. `GroupCommitRecorder` keeps that lock and ordering, but lets
the saves that queued meanwhile go together: the first waiting save leads, takes everything queued,
and writes it in one transaction and one round trip (`SET LOCAL lock_timeout; LOCK; NOTIFY; INSERT
... RETURNING`, sent as one implicit transaction). When that insert is refused (a unique violation:
another save of the same aggregate version), it is rolled back whole and the saves are retried in
one transaction, each in its own SAVEPOINT, so the save that conflicts fails alone and records
nothing, and the others are recorded. Each save's events stay atomic (they are one statement or one
savepoint); a lone save is written at once, without waiting for company.

A save may carry an idempotency key (`application.persistence.keys.KeyRecord`, the save's
`idempotency` keyword): its row is inserted in the same transaction as the save's events (in the one round trip
with the others' events, and in the save's own savepoint when saves are retried one by one), so a
save is recorded with its key or not at all. Reads and writes retry a lost connection as the
library's own methods do.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, cast
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import sql
from psycopg.rows import tuple_row

from application.persistence.keys import BULK_KWARG, POSTGRES_CREATE, TABLE, KeyRecord, StoredKey, save_options

MAX_BATCH = 256  # saves per transaction; the rest wait for the next one
LARGE_SAVE = 64  # events: a larger save is written alone, with COPY (its statement would not be cached)
CACHED_ROWS = 64  # statements for up to this many rows are kept, longer ones built each time


def refused(error: psycopg.IntegrityError | psycopg.DataError) -> PersistenceError:
    """The library's error for one save refused inside a shared transaction (caught within the
    connection, so the library's own translation, done when the connection is given back, never sees it)."""
    translated = (IntegrityError if isinstance(error, psycopg.IntegrityError) else DataError)(str(error))
    translated.__cause__ = error
    return translated


class _Save:
    """One caller's events, waiting for a transaction; then its notification ids or its error."""

    __slots__ = ("events", "key", "ids", "error", "finished", "lead", "woken")

    def __init__(self, events: Sequence[StoredEvent], key: KeyRecord | None = None) -> None:
        self.events = events
        self.key = key
        self.ids: list[int] = []
        self.error: BaseException | None = None
        self.finished = self.lead = False
        self.woken = threading.Event()

    def outcome(self) -> list[int]:
        if self.error is not None:
            raise self.error
        return self.ids


class GroupCommitRecorder(PostgresApplicationRecorder):
    """The library's PostgreSQL application recorder, with concurrent saves committed together."""

    fault_point: Callable[[str, Any], None] | None = None
    """Tests only: called at "saving" (no connection yet), "committing" (with the connection, nothing
    sent) and "committed" (the transaction's answer received), to break things there."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        table = self._table = sql.Identifier(datastore.schema, events_table_name)
        self._prefix = sql.SQL(
            "SET LOCAL lock_timeout = {timeout}; LOCK TABLE {table} IN EXCLUSIVE MODE; NOTIFY {channel}; "
        ).format(
            timeout=sql.Literal(f"{datastore.lock_timeout}s"), table=table, channel=sql.Identifier(self.channel_name)
        )
        self._insert = sql.SQL("INSERT INTO {table} (originator_id, originator_version, topic, state) VALUES ").format(
            table=table
        )
        keys = sql.Identifier(datastore.schema, TABLE)
        self.sql_create_statements.append(sql.SQL(POSTGRES_CREATE).format(table=keys))
        self._key_insert = sql.SQL("INSERT INTO {keys} (scope, key, fingerprint, answer, position) VALUES ").format(
            keys=keys
        )
        self._key_position = sql.SQL(
            "(%s, %s, %s, %s, (SELECT notification_id FROM {table} WHERE originator_id = %s "
            "AND originator_version = %s))"
        ).format(table=table)
        self._key_select = sql.SQL(
            "SELECT fingerprint, answer, position FROM {keys} WHERE scope = %s AND key = %s"
        ).format(keys=keys)
        self._statements: dict[tuple[int, int], str] = {}
        self._selects: dict[tuple[bool, bool, bool, bool], str] = {}
        self._mutex = threading.Lock()
        self._waiting: list[_Save] = []
        self._busy = False

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """Record `stored_events` atomically, together with whatever other saves wait meanwhile.

        A bulk save (the import's) or a large one is written on its own with binary COPY, under the same table lock,
        so the order of notifications still holds. Refuses what it would not write (`save_options`)."""
        key = save_options(kwargs)
        if not stored_events:
            if key is not None:
                self._insert_key(key)
            return []
        if kwargs.get(BULK_KWARG) or len(stored_events) > LARGE_SAVE:
            return cast("list[int]", self._copy(stored_events, key))  # `retry` is typed to return Any
        return cast("list[int]", self._insert_grouped(stored_events, key))

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _copy(self, stored_events: Sequence[StoredEvent], key: KeyRecord | None) -> list[int]:
        """COPY `stored_events` (and then the key) in one transaction under the table lock, with the
        NOTIFY; their notification ids. Psycopg builds an INSERT of many composite values in Python
        event by event: COPY sends the rows as they are."""
        copy = sql.SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT binary)")
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(self._prefix.as_string(cursor.connection))  # SET LOCAL lock_timeout; LOCK; NOTIFY
            with cursor.copy(copy.format(self._table)) as rows:
                rows.set_types([self.datastore.originator_id_type, "int8", "text", "bytea"])
                for event in stored_events:
                    rows.write_row((event.originator_id, event.originator_version, event.topic, event.state))
            # The lock is ours until commit: the rows we wrote are the table's last ones.
            with cursor.connection.cursor(row_factory=tuple_row) as last:
                last.execute(
                    sql.SQL("SELECT notification_id FROM {} ORDER BY notification_id DESC LIMIT %s").format(
                        self._table
                    ),
                    (len(stored_events),),
                    binary=True,
                )
                ids = [row[0] for row in last.fetchall()]
            ids.reverse()
            if key is not None:
                cursor.execute(self._key_insert + sql.SQL("(%s, %s, %s, %s, %s)"), (*key.row(), ids[-1]))
        return ids

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_key(self, key: KeyRecord) -> None:
        """A key whose command recorded no event: alone (there is nothing to be atomic with)."""
        with self.datastore.get_connection() as conn:
            conn.execute(self._key_insert + sql.SQL("(%s, %s, %s, %s, NULL)"), key.row())

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_key(self, scope: str, key: str) -> StoredKey | None:
        """The idempotency key as recorded, or None."""
        with self.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cursor:
            cursor.execute(self._key_select, (scope, key), prepare=True)
            row = cursor.fetchone()
        return None if row is None else StoredKey(row[0], row[1], row[2])

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        """The library's `select_events` (the same query, prepared), its SQL built once per shape and
        its rows read as tuples: every command's load starts here."""
        shape = (gt is not None, lte is not None, desc, limit is not None)
        statement = self._selects.get(shape)
        params: list[Any] = [originator_id]
        params += [value for value in (gt, lte, limit) if value is not None]
        with self.datastore.get_connection() as conn:
            if statement is None:
                composed = sql.SQL(
                    "SELECT originator_id, originator_version, topic, state FROM {} WHERE originator_id = %s"
                ).format(self._table)
                composed += sql.SQL(" AND originator_version > %s") if gt is not None else sql.SQL("")
                composed += sql.SQL(" AND originator_version <= %s") if lte is not None else sql.SQL("")
                composed += sql.SQL(" ORDER BY originator_version DESC" if desc else " ORDER BY originator_version ASC")
                composed += sql.SQL(" LIMIT %s") if limit is not None else sql.SQL("")
                statement = self._selects[shape] = composed.as_string(conn)
            with conn.cursor(row_factory=tuple_row) as cursor:
                cursor.execute(statement, params, prepare=True)
                return [
                    StoredEvent(originator_id=row[0], originator_version=row[1], topic=row[2], state=bytes(row[3]))
                    for row in cursor.fetchall()
                ]

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_grouped(self, stored_events: Sequence[StoredEvent], key: KeyRecord | None = None) -> list[int]:
        save = _Save(stored_events, key)
        with self._mutex:
            self._waiting.append(save)
            leads = not self._busy
            self._busy = True
        if not leads:
            save.woken.wait()
            if save.finished:
                return save.outcome()
        self._lead()
        return save.outcome()

    def _lead(self) -> None:
        """Commit what waits now; then wake its callers and hand the lead to the next one waiting."""
        with self._mutex:
            batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
        try:
            self._commit(batch)
        except BaseException as error:  # the library's error (its connection translates): all fail alike
            for save in batch:
                if not save.ids and save.error is None:
                    save.error = error
        finally:
            with self._mutex:
                successor = self._waiting[0] if self._waiting else None
                self._busy = successor is not None
            for save in batch:
                save.finished = True
                save.woken.set()
            if successor is not None:
                successor.woken.set()  # not finished: it leads the next transaction

    def _commit(self, batch: list[_Save]) -> None:
        if self.fault_point is not None:
            self.fault_point("saving", None)
        with self.datastore.get_connection() as conn:
            if self.fault_point is not None:
                self.fault_point("committing", conn)
            try:
                ids = self._insert_together(conn, batch)
            except (psycopg.IntegrityError, psycopg.DataError):
                if len(batch) == 1:
                    raise
                self._insert_each(conn, batch)  # the whole insert was rolled back: find who conflicts
                return
            if self.fault_point is not None:
                self.fault_point("committed", conn)
            start = 0
            for save in batch:
                save.ids, start = ids[start : start + len(save.events)], start + len(save.events)

    def _statement(self, conn: psycopg.Connection[Any], rows: int, *, locked: bool, keys: int = 0) -> str:
        """Insert `rows` events (after the lock, when `locked`), then `keys` idempotency keys, each
        with the notification id of its save's last event (inserted by the statement before)."""
        shape = (rows if locked else -rows, keys)
        statement = self._statements.get(shape)
        if statement is None:
            values = sql.SQL(", ").join([sql.SQL("(%s, %s, %s, %s)")] * rows)
            composed = (self._prefix if locked else sql.SQL("")) + self._insert + values
            composed += sql.SQL(" RETURNING notification_id")
            if keys:
                composed += sql.SQL("; ") + self._key_insert + sql.SQL(", ").join([self._key_position] * keys)
            statement = composed.as_string(conn)
            if rows <= CACHED_ROWS and keys <= CACHED_ROWS:
                self._statements[shape] = statement
        return statement

    def _insert_together(self, conn: psycopg.Connection[Any], batch: list[_Save]) -> list[int]:
        """One simple query (one implicit transaction, one round trip): lock, notify, insert the
        events and then their saves' keys, commit."""
        events = [event for save in batch for event in save.events]
        keys = [save for save in batch if save.key is not None]
        statement = self._statement(conn, len(events), locked=True, keys=len(keys))
        return self._execute(conn, statement, events, keys)

    def _execute(
        self,
        conn: psycopg.Connection[Any],
        statement: str,
        events: Sequence[StoredEvent],
        keyed: Sequence[_Save] = (),
    ) -> list[int]:
        params: list[Any] = []
        for event in events:
            params += (event.originator_id, event.originator_version, event.topic, event.state)
        for save in keyed:
            last = save.events[-1]
            params += (*save.key.row(), last.originator_id, last.originator_version)  # type: ignore[union-attr]
        cursor = psycopg.ClientCursor(conn)
        cursor.execute(statement, params)
        while cursor.description is None and cursor.nextset():
            pass  # past the results of SET, LOCK and NOTIFY
        return [row[0] if isinstance(row, tuple) else row["notification_id"] for row in cursor.fetchall()]

    def _insert_each(self, conn: psycopg.Connection[Any], batch: list[_Save]) -> None:
        """One transaction, each save in its own savepoint: a save that is refused fails alone."""
        conn.execute("BEGIN")
        try:
            conn.execute(self._prefix.as_string(conn))
            for save in batch:
                conn.execute("SAVEPOINT save")
                try:
                    save.ids = self._execute(conn, self._statement(conn, len(save.events), locked=False), save.events)
                    if save.key is not None:
                        conn.execute(
                            self._key_insert + sql.SQL("(%s, %s, %s, %s, %s)"), (*save.key.row(), save.ids[-1])
                        )
                except (psycopg.IntegrityError, psycopg.DataError) as error:
                    conn.execute("ROLLBACK TO SAVEPOINT save")
                    save.ids = []  # its events went with the savepoint, when its key was refused
                    save.error = refused(error)
                else:
                    conn.execute("RELEASE SAVEPOINT save")
            conn.execute("COMMIT")
        except BaseException:
            if not conn.closed:
                conn.execute("ROLLBACK")
            for save in batch:
                save.ids = []
            raise
