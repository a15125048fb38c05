"""Idempotency keys: a command sent again with the same key records nothing new and gets the same answer.

A key is recorded by the save of its command, in the same transaction as the command's events (with
group commit: in the shared transaction, and in the save's own savepoint when saves must be told
apart), together with what the command recorded. After any crash, both are stored or neither. There
is no "in progress" state, nothing to release and nothing to take over:

- the key is looked up first: found with the same request, its stored answer is replayed; found with
  another request, the request is refused (422);
- not found, the command runs, and its save inserts the key row (primary key: user and key);
- two requests with one key that run at the same time both run, but only one commits: the other
  loses on the key (or on its events' versions, or on the domain's own checks once the first is
  recorded), its transaction is rolled back whole, and it looks the key up again and replays;
- a save whose commit went unanswered (the connection dropped) is retried by the recorder: if the
  first attempt had committed, the retry is refused as a duplicate and the key is there to replay.

A command that recorded nothing (refused, rolled back, lost before commit) left no key: a retry runs it.
Keys live in `mutasi_command_keys` beside the events (the SQLite file, or the PostgreSQL schema); the
recorders of each store (`KeyedSQLiteRecorder`, `KeyedPOPORecorder`, and on PostgreSQL
`application.group_commit.GroupCommitRecorder`) create the table and write it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.popo import POPOApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from application.context import Recorded
from domain.vocabulary import Predikat

TABLE = "mutasi_command_keys"
SAVE_KWARG = "idempotency"  # the `save(**kwargs)` name under which a command's key reaches its recorder


@dataclass(frozen=True)
class KeyedRequest:
    """A command request with an idempotency key: the user it belongs to, the key, the request's hash."""

    scope: str
    key: str
    fingerprint: str


@dataclass(frozen=True)
class CommandCall:
    """What the caller tells the application about the command it runs: its key and its deadline
    (a `time.monotonic()` instant after which the command is not saved any more)."""

    key: KeyedRequest | None = None
    deadline: float | None = None


current_call: ContextVar[CommandCall] = ContextVar("current_call", default=CommandCall())  # noqa: B039 - frozen


@contextmanager
def calling(call: CommandCall) -> Iterator[None]:
    """Run the commands of this block as `call` (its key is recorded by the block's save)."""
    token = current_call.set(call)
    try:
        yield
    finally:
        current_call.reset(token)


@dataclass(frozen=True)
class KeyRecord:
    """A key to record with a save: the request and what its command recorded (its `position`, the
    notification id of the save's last event, is filled in by the recorder)."""

    request: KeyedRequest
    answer: Recorded

    def row(self) -> tuple[str, str, str, str]:
        """scope, key, fingerprint, answer (JSON): the columns the recorder writes besides `position`."""
        return self.request.scope, self.request.key, self.request.fingerprint, encode_answer(self.answer)


@dataclass(frozen=True)
class StoredKey:
    """A key as found: the fingerprint of the request that recorded it, and what that request recorded."""

    fingerprint: str
    answer: Recorded


def encode_answer(answer: Recorded) -> str:
    """A `Recorded` as JSON, without its position (a column of its own)."""
    return json.dumps(
        {
            "aggregate_id": str(answer.aggregate_id),
            "version": answer.version,
            "proposal_id": _text(answer.proposal_id),
            "plan_id": _text(answer.plan_id),
            "predikat": answer.predikat.value if answer.predikat else None,
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def decode_answer(text: str, position: int | None) -> Recorded:
    """The `Recorded` of `encode_answer` at `position`."""
    data = json.loads(text)
    return Recorded(
        UUID(data["aggregate_id"]),
        data["version"],
        position,
        proposal_id=_uuid(data.get("proposal_id")),
        plan_id=_uuid(data.get("plan_id")),
        predikat=Predikat(data["predikat"]) if data.get("predikat") else None,
    )


def _text(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None


# -- SQL, and the recorders of SQLite and memory -------------------------------------------------

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

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        record: KeyRecord | None = kwargs.get(SAVE_KWARG)
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
        return None if row is None else StoredKey(row[0], decode_answer(row[1], row[2]))


class KeyedPOPORecorder(POPOApplicationRecorder):
    """The library's in-memory application recorder, with keys checked and written under its lock."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: dict[tuple[str, str], StoredKey] = {}

    def _assert_uniqueness(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> None:
        super()._assert_uniqueness(stored_events, **kwargs)
        record: KeyRecord | None = kwargs.get(SAVE_KWARG)
        if record is not None and (record.request.scope, record.request.key) in self._keys:
            raise IntegrityError(f"idempotency key {record.request.key!r} already recorded")

    def _update_table(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._update_table(stored_events, **kwargs)
        record: KeyRecord | None = kwargs.get(SAVE_KWARG)
        if record is not None:
            answer = replace(record.answer, position=ids[-1] if ids else None)
            self._keys[(record.request.scope, record.request.key)] = StoredKey(record.request.fingerprint, answer)
        return ids

    def select_key(self, scope: str, key: str) -> StoredKey | None:
        """The key as recorded, or None."""
        with self._database_lock:
            return self._keys.get((scope, key))
