"""Verifying the event store: every event against its hash and its aggregate's chain, every checkpoint
against its signature and the events of its segment. Reports the first failure and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.chain import GENESIS
from application.audit.merkle import leaf, root
from application.audit.records import AuditEvent, Checkpoint
from application.audit.replay import feed_all, history
from application.audit.signing import fingerprint, signed_by


@dataclass(frozen=True)
class Failure:
    """The first thing that failed: where (store position and/or aggregate and version) and why."""

    reason: str
    position: int | None = None
    originator_id: UUID | None = None
    version: int | None = None
    checkpoint: int | None = None


@dataclass(frozen=True)
class Verification:
    """The outcome: how much was checked, and the first failure (None when everything holds)."""

    events: int
    checkpoints: int
    failure: Failure | None

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


def checkpoint_failure(checkpoint: Checkpoint, previous: Checkpoint | None, key: Ed25519PublicKey) -> str | None:
    """Why a checkpoint is not genuine or does not follow the previous one; None when it holds."""
    if checkpoint.key != fingerprint(key) or not signed_by(key, checkpoint.payload(), checkpoint.signature):
        return "the checkpoint's signature does not verify with the published key"
    expected = (previous.sequence + 1, previous.last + 1, previous.digest()) if previous else (1, 1, GENESIS)
    if (checkpoint.sequence, checkpoint.first, checkpoint.previous) != expected:
        return "the checkpoint does not follow the previous one (a checkpoint is missing or was altered)"
    return None


def verify_aggregate(app, aggregate_id: UUID) -> Verification:
    """One aggregate's events against their hashes and their chain (one indexed read)."""
    head: tuple[int, str] | None = None
    events = history(app, aggregate_id)
    for event in events:
        reason = event_failure(event, head)
        if reason:
            return Verification(event.version, 0, Failure(reason, None, aggregate_id, event.version))
        head = (event.version, event.link[1])  # type: ignore[index]
    return Verification(len(events), 0, None)


def verify_store(app, checkpoints: list[Checkpoint], key: Ed25519PublicKey) -> Verification:
    """The whole store, in store order, with every checkpoint; stops at the first failure."""
    previous: Checkpoint | None = None
    for checkpoint in checkpoints:
        reason = checkpoint_failure(checkpoint, previous, key)
        if reason:
            return Verification(0, checkpoint.sequence - 1, Failure(reason, checkpoint=checkpoint.sequence))
        previous = checkpoint
    heads: dict[UUID, tuple[int, str]] = {}
    pending = list(checkpoints)
    leaves: list[bytes] = []
    count, closed = 0, 0

    def close(checkpoint: Checkpoint) -> Failure | None:
        if len(leaves) != checkpoint.count:
            why = (f"checkpoint {checkpoint.sequence} covers {checkpoint.count} events at positions "
                   f"{checkpoint.first}-{checkpoint.last}; the store has {len(leaves)} there: events were "
                   + ("deleted" if len(leaves) < checkpoint.count else "inserted"))
        elif root(leaves) != checkpoint.root:
            why = (f"checkpoint {checkpoint.sequence}: positions {checkpoint.first}-{checkpoint.last} no longer "
                   "give its signed Merkle root: events there were reordered, replaced or moved")
        else:
            return None
        return Failure(why, checkpoint.last, checkpoint=checkpoint.sequence)

    for event in feed_all(app):
        while pending and event.position > pending[0].last:  # type: ignore[operator]
            failure = close(pending.pop(0))
            if failure:
                return Verification(count, closed, failure)
            closed, leaves = closed + 1, []
        reason = event_failure(event, heads.get(event.originator_id))
        if reason:
            return Verification(count, closed, Failure(reason, event.position, event.originator_id, event.version))
        heads[event.originator_id] = (event.version, event.link[1])  # type: ignore[index]
        leaves.append(leaf(event.position, event.link[1]))  # type: ignore[arg-type, index]
        count += 1
    for checkpoint in pending:
        failure = close(checkpoint)
        if failure:
            if not leaves and checkpoint.count:
                failure = Failure(f"the store ends before position {checkpoint.last}, which checkpoint "
                                  f"{checkpoint.sequence} covers: its last events were deleted (tail truncated)",
                                  checkpoint.first, checkpoint=checkpoint.sequence)
            return Verification(count, closed, failure)
        closed, leaves = closed + 1, []
    return Verification(count, closed, None)
