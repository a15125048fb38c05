"""Idempotency keys at rest: the table `mutasi_command_keys` beside the events, and the recorders of
SQLite and memory that write a save's key in the same transaction as its events (on PostgreSQL,
`application.persistence.group_commit.GroupCommitRecorder` does).

What a key means (replaying a command's answer) is `application.idempotency`'s; this module only
stores a key with its save and finds it again. The answer travels as the JSON text the application
made of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import IntegrityError, ProgrammingError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

TABLE = "mutasi_command_keys"
SAVE_KWARG = "idempotency"  # the `save(**kwargs)` name under which a command's key reaches its recorder
BULK_KWARG = "bulk"  # `bulk=True`: a load of many aggregates (the import); PostgreSQL writes it with COPY


@dataclass(frozen=True)
class KeyRecord:
    """A key to record with a save: whose it is (`scope`), the key, the request's fingerprint and the
    command's answer as JSON (its `position`, the notification id of the save's last event, is filled
    in by the recorder)."""

    scope: str
    key: str
    fingerprint: str
    answer: str

    def row(self) -> tuple[str, str, str, str]:
        """The columns the recorder writes besides `position`."""
        return self.scope, self.key, self.fingerprint, self.answer


@dataclass(frozen=True)
class StoredKey:
    """A key as found: the fingerprint of the request that recorded it, its answer (JSON) and the
    notification id of its save's last event (None when the command recorded no event)."""

    fingerprint: str
    answer: str
    position: int | None


def save_options(kwargs: Mapping[str, Any]) -> KeyRecord | None:
    """The idempotency key among a save's keyword arguments. Refuses any other argument: an
    application recorder that dropped `tracking` records (or anything else it does not write) would
    lose what the caller asked it to keep. `bulk` says how to write, not what: a store with one way
    of writing writes a bulk save as any other."""
    unknown = {name for name, value in kwargs.items() if name not in (SAVE_KWARG, BULK_KWARG) and value is not None}
    if unknown:
        raise ProgrammingError(f"this recorder does not write {', '.join(sorted(unknown))}")
    key = kwargs.get(SAVE_KWARG)
    if key is not None and not isinstance(key, KeyRecord):
        raise ProgrammingError(f"{SAVE_KWARG} must be a KeyRecord, not {type(key).__name__}")
    return key


COLUMNS = "scope, key, fingerprint, answer, position"
SQLITE_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (scope TEXT NOT NULL, key TEXT NOT NULL, "
    "fingerprint TEXT NOT NULL, answer TEXT NOT NULL, position INTEGER, "
    "created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, PRIMARY KEY (scope, key))"
)
POSTGRES_CREATE = (
    "CREATE TABLE IF NOT EXISTS {table} (scope text NOT NULL, key text NOT NULL, "
    "fingerprint text NOT NULL, answer text NOT NULL, position bigint, "
    "created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (scope, key))"
)  # `{table}`: the schema-qualified identifier


class KeyedSQLiteRecorder(SQLiteApplicationRecorder):
    """The library's SQLite application recorder; a save given a `KeyRecord` writes it in the same
    transaction as its events (SQLite's single writer: no other save in between)."""

    fault_point: Callable[[str, Any], None] | None = None
    """Tests only: called at "inserted" (events and key written, not committed) to break things there."""

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(), SQLITE_CREATE]

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert; refuses what it would not write (see `save_options`)."""
        save_options(kwargs)
        return super().insert_events(stored_events, **kwargs)

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # the library's hook inside its transaction (pinned by tests/persistence/test_library_contract.py)
        ids = super()._insert_events(c, stored_events, **kwargs)
        record = save_options(kwargs)
        if record is not None:
            c.execute(
                f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (?, ?, ?, ?, ?)", (*record.row(), ids[-1] if ids else None)
            )
        if self.fault_point is not None:
            self.fault_point("inserted", c)
        return ids

    def select_key(self, scope: str, key: str) -> StoredKey | None:
        """The key as recorded, or None."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT fingerprint, answer, position FROM {TABLE} WHERE scope = ? AND key = ?", (scope, key))
            row = c.fetchone()
        return None if row is None else StoredKey(row[0], row[1], row[2])


class KeyedPOPORecorder(POPOApplicationRecorder):
    """The library's in-memory application recorder, with keys checked and written under its lock."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[tuple[str, str], StoredKey] = {}

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        """The library's insert; refuses what it would not write (see `save_options`)."""
        save_options(kwargs)
        return super().insert_events(stored_events, **kwargs)

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        # the library's hooks under its lock (pinned by tests/persistence/test_library_contract.py)
        super()._assert_uniqueness(stored_events, **kwargs)
        record = save_options(kwargs)
        if record is not None and (record.scope, record.key) in self._keys:
            raise IntegrityError(f"idempotency key {record.key!r} already recorded")

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)
        record = save_options(kwargs)
        if record is not None:
            self._keys[(record.scope, record.key)] = StoredKey(
                record.fingerprint, record.answer, ids[-1] if ids else None
            )
        return ids

    def select_key(self, scope: str, key: str) -> StoredKey | None:
        """The key as recorded, or None."""
        with self._database_lock:
            return self._keys.get((scope, key))
