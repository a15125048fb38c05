"""What the audit reads and writes: a stored event as JSON, and a signed checkpoint (no database)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from application.persistence.chain import CHAIN, canonical_json, chain_of, event_hash


class UnsoundEvent(ValueError):
    """An event does not match its stored hash: the store must be verified before it is signed over."""


META = "__meta__"


@dataclass(frozen=True)
class AuditEvent:
    """One stored event exactly as recorded: state with `__meta__` and `__chain__`, store position."""

    originator_id: UUID
    version: int
    topic: str
    state: dict[str, Any]
    position: int | None = None

    @property
    def name(self) -> str:
        """The event class, e.g. `Employee.Transferred`."""
        return self.topic.rsplit(":", 1)[-1]

    @property
    def metadata(self) -> dict[str, Any]:
        """Acting user, correlation id and recording time."""
        return self.state.get(META) or {}

    @property
    def recorded_at(self) -> datetime | None:
        """When the event was recorded (None for an event without metadata)."""
        text = self.metadata.get("recorded_at")
        return datetime.fromisoformat(text) if text else None

    @property
    def data(self) -> dict[str, Any]:
        """The event's own fields."""
        return {k: v for k, v in self.state.items() if k not in (META, CHAIN)}

    @property
    def link(self) -> tuple[str, str] | None:
        """(previous hash, own hash) as stored, None when unchained."""
        return chain_of(self.state)

    def recomputed_hash(self) -> str | None:
        """The hash recomputed from the content and the stored previous hash (None when unchained)."""
        link = self.link
        if link is None:
            return None
        return event_hash(link[0], self.topic, self.originator_id, self.version, self.state)

    def as_json(self) -> dict[str, Any]:
        """The event as a bundle or feed line."""
        return {
            "position": self.position,
            "originator_id": str(self.originator_id),
            "originator_version": self.version,
            "topic": self.topic,
            "state": self.state,
        }

    @classmethod
    def from_json(cls, line: dict[str, Any]) -> AuditEvent:
        """Read an event written by `as_json`."""
        return cls(
            UUID(line["originator_id"]),
            int(line["originator_version"]),
            str(line["topic"]),
            dict(line["state"]),
            line.get("position"),
        )


@dataclass(frozen=True)
class Checkpoint:
    """A legacy segment checkpoint (earlier versions; none are made now): a signed Merkle root over the
    store's events at positions `first`..`last` (its segment).

    `previous` is the SHA-256 of the previous checkpoint's signed payload, so checkpoints chain too.
    """

    sequence: int
    first: int
    last: int
    count: int
    root: str
    previous: str
    created_at: str
    key: str
    signature: str = field(default="", compare=False)

    def payload(self) -> bytes:
        """The canonical bytes that are signed."""
        fields = asdict(self)
        del fields["signature"]
        return canonical_json(fields)

    def digest(self) -> str:
        """What the next checkpoint names as `previous`."""
        return hashlib.sha256(self.payload()).hexdigest()

    def signed(self, signature: str) -> Checkpoint:
        """This checkpoint with its signature."""
        return replace(self, signature=signature)
