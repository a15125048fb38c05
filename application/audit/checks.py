"""The checks shared by the store verifier and the offline bundle verifier (no database here)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.chain import GENESIS
from application.audit.records import AuditEvent, Checkpoint
from application.audit.signing import fingerprint, signed_by


@dataclass(frozen=True)
class Failure:
    """The first thing that failed: where (store position and/or aggregate and version) and why."""

    reason: str
    position: int | None = None
    originator_id: UUID | None = None
    version: int | None = None
    checkpoint: int | None = None
    line: int | None = None


@dataclass(frozen=True)
class Verification:
    """The outcome: how much was checked, and the first failure (None when everything holds)."""

    events: int
    checkpoints: int
    failure: Failure | None
    uncovered: int = 0  # events checked that no signed checkpoint covers yet

    @property
    def ok(self) -> bool:
        """True when nothing failed."""
        return self.failure is None


def event_failure(event: AuditEvent, head: tuple[int, str] | None) -> str | None:
    """Why `event` does not hold, given its aggregate's previous (version, hash); None when it holds."""
    link = event.link
    if link is None:
        return "the event carries no hash chain (missing or removed __chain__)"
    if event.recomputed_hash() != link[1]:
        return "the content does not match the event's hash: a field was changed"
    expected_version, expected_previous = (head[0] + 1, head[1]) if head else (1, GENESIS)
    if event.version > expected_version:
        return (f"version {expected_version} of this aggregate is missing"
                if event.version == expected_version + 1
                else f"versions {expected_version}-{event.version - 1} of this aggregate are missing")
    if event.version < expected_version:
        return f"out of order: version {event.version} comes after version {expected_version - 1}"
    if link[0] != expected_previous:
        return "the previous-hash link does not match the previous event: an event was inserted or replaced"
    return None


def signature_failure(checkpoint: Checkpoint, key: Ed25519PublicKey) -> str | None:
    """Why a checkpoint is not signed by `key`; None when its signature verifies."""
    if checkpoint.key != fingerprint(key) or not signed_by(key, checkpoint.payload(), checkpoint.signature):
        return "the checkpoint's signature does not verify with the published key"
    return None


def checkpoint_failure(checkpoint: Checkpoint, previous: Checkpoint | None, key: Ed25519PublicKey) -> str | None:
    """Why a checkpoint is not genuine or does not follow `previous` (None: it is the first); None when it holds."""
    reason = signature_failure(checkpoint, key)
    if reason:
        return reason
    expected = (previous.sequence + 1, previous.last + 1, previous.digest()) if previous else (1, 1, GENESIS)
    if (checkpoint.sequence, checkpoint.first, checkpoint.previous) != expected:
        return "the checkpoint does not follow the previous one (a checkpoint is missing or was altered)"
    return None
