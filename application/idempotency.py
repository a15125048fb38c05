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
Keys live in `mutasi_command_keys` beside the events (the SQLite file, or the PostgreSQL schema):
`application.persistence.keys` stores them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

from application.context import Recorded
from application.persistence.keys import KeyRecord, StoredKey
from domain.vocabulary import Predikat


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


def key_record(request: KeyedRequest, answer: Recorded) -> KeyRecord:
    """The key row to save with a command's events: the request and what the command recorded."""
    return KeyRecord(request.scope, request.key, request.fingerprint, encode_answer(answer))


@dataclass(frozen=True)
class Answered:
    """A key as found: the fingerprint of the request that recorded it, and what its command answered."""

    fingerprint: str
    answer: Recorded


def replayed(stored: StoredKey) -> Answered:
    """What the command that recorded `stored` answered, at the position its save reached."""
    return Answered(stored.fingerprint, decode_answer(stored.answer, stored.position))


def encode_answer(answer: Recorded) -> str:
    """A `Recorded` as JSON, without its position (a column of its own)."""
    return json.dumps(
        {
            "aggregate_id": str(answer.aggregate_id),
            "version": answer.version,
            "proposal_id": _text(answer.proposal_id),
            "plan_id": _text(answer.plan_id),
            "predikat": answer.predikat.value if answer.predikat else None,
            "objection_id": _text(answer.objection_id),
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
        objection_id=_uuid(data.get("objection_id")),
    )


def _text(value: UUID | None) -> str | None:
    return str(value) if value is not None else None


def _uuid(value: str | None) -> UUID | None:
    return UUID(value) if value else None
