"""Verifying the event store: every event against its hash and its aggregate's chain, every checkpoint
against its signature and the events of its segment. Reports the first failure and why.
"""

from __future__ import annotations

from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.checks import Failure, Verification, checkpoint_failure, event_failure
from application.audit.merkle import leaf, root
from application.audit.records import Checkpoint
from application.audit.replay import feed_all, history
from application.base import MutasiBase


def verify_aggregate(app: MutasiBase, aggregate_id: UUID) -> Verification:
    """One aggregate's events against their hashes and their chain (one indexed read)."""
    head: tuple[int, str] | None = None
    events = history(app, aggregate_id)
    for event in events:
        reason = event_failure(event, head)
        if reason:
            return Verification(event.version, 0, Failure(reason, None, aggregate_id, event.version))
        head = (event.version, event.link[1])  # type: ignore[index]
    return Verification(len(events), 0, None)


def verify_store(app: MutasiBase, checkpoints: list[Checkpoint], key: Ed25519PublicKey) -> Verification:
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
    return Verification(count, closed, None, count - sum(c.count for c in checkpoints))
