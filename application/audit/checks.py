"""The checks of the store verifier and the offline bundle verifier, each with the reason it gives when
it fails, and reading a checkpoint an auditor kept (no database here)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.records import AuditEvent, Checkpoint
from application.audit.signing import fingerprint, signed_by
from application.persistence.chain import GENESIS


@dataclass(frozen=True)
class Failure:
    """The first thing that failed: where (store position and/or aggregate and version) and why."""

    reason: str
    position: int | None = None
    originator_id: UUID | None = None
    version: int | None = None
    checkpoint: int | None = None  # a legacy segment checkpoint's sequence
    line: int | None = None
    head: int | None = None  # the size of the signed tree head concerned


@dataclass(frozen=True)
class Verification:
    """The outcome: how much was checked, and the first failure (None when everything holds)."""

    events: int
    checkpoints: int  # legacy segment checkpoints verified
    failure: Failure | None
    uncovered: int = 0  # events checked that no signed tree head (nor legacy checkpoint) covers yet
    tree_size: int | None = None  # the size of the latest signed tree head, checked against the events
    cosigners: tuple[str, ...] = ()  # the configured witnesses whose cosignature on that head verifies

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
        return (
            f"version {expected_version} of this aggregate is missing"
            if event.version == expected_version + 1
            else f"versions {expected_version}-{event.version - 1} of this aggregate are missing"
        )
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
    reason = signature_failure(checkpoint, key) or sequence_failure(checkpoint, previous)
    if reason:
        return reason
    expected = (previous.sequence + 1, previous.last + 1, previous.digest()) if previous else (1, 1, GENESIS)
    if (checkpoint.sequence, checkpoint.first, checkpoint.previous) != expected:
        return "the checkpoint does not follow the previous one (a checkpoint is missing or was altered)"
    return None


def segment_failure(checkpoint: Checkpoint, stored: int) -> str:
    """Why a legacy checkpoint's segment (`stored` events found in its range) no longer gives its count or
    root; named by its range (segment checkpoints keep nothing that names the event)."""
    if not stored and checkpoint.count:
        return (
            f"the store ends before position {checkpoint.last}, which checkpoint {checkpoint.sequence} "
            "covers: its last events were deleted (tail truncated)"
        )
    if stored != checkpoint.count:
        return (
            f"checkpoint {checkpoint.sequence} covers {checkpoint.count} events at positions "
            f"{checkpoint.first}-{checkpoint.last}; the store has {stored} there: events were "
            + ("deleted" if stored < checkpoint.count else "inserted")
        )
    return (
        f"checkpoint {checkpoint.sequence}: positions {checkpoint.first}-{checkpoint.last} no longer "
        "give its signed Merkle root: events there were reordered, replaced or moved"
    )


def sequence_failure(checkpoint: Checkpoint, previous: Checkpoint | None) -> str | None:
    """Why `checkpoint` cannot come next after `previous` in the store's sequence (None: it can)."""
    expected = previous.sequence + 1 if previous else 1
    if checkpoint.sequence > expected:
        which = (
            f"checkpoint {expected} is"
            if checkpoint.sequence == expected + 1
            else f"checkpoints {expected}-{checkpoint.sequence - 1} are"
        )
        return (
            f"{which} missing: checkpoint {checkpoint.sequence} follows "
            + (f"checkpoint {previous.sequence}" if previous else "none")
            + " (checkpoint rows were deleted)"
        )
    return None


def positions(first: int, last: int) -> str:
    """ "position 7" or "positions 7-9"."""
    return f"position {first}" if first == last else f"positions {first}-{last}"


def events(count: int) -> str:
    """ "1 event" or "3 events"."""
    return f"{count} event" + ("" if count == 1 else "s")


def expected_head_failure(expected: Checkpoint, checkpoints: Sequence[Checkpoint], key: Ed25519PublicKey) -> str | None:
    """Why the store's checkpoints do not contain `expected`, a checkpoint kept from earlier (None: they do)."""
    if signature_failure(expected, key):
        return "the expected head's signature does not verify with the published key: it is not a checkpoint of ours"
    same = [c for c in checkpoints if c.sequence == expected.sequence]
    if same and same[0].digest() == expected.digest():
        return None
    if same:
        return (
            f"checkpoint {expected.sequence} in the store is not the expected head (signed at "
            f"{expected.created_at}): it was replaced"
        )
    last = checkpoints[-1] if checkpoints else None
    gone = (last.sequence if last else 0) + 1
    which = f"checkpoint {gone} was" if gone == expected.sequence else f"checkpoints {gone}-{expected.sequence} were"
    return (
        (
            f"the store's checkpoints end at checkpoint {last.sequence} (position {last.last})"
            if last
            else "the store has no checkpoint"
        )
        + f"; the expected head is checkpoint {expected.sequence}, covering up to position {expected.last}: "
        f"{which} deleted, with the events covered"
    )


def no_head_failure(count: int) -> str:
    """Why a store with events and no signed tree head (nor a legacy checkpoint) fails."""
    return (
        f"the store holds {events(count)} and no signed tree head: nothing vouches for them (the "
        "tree heads were deleted, or none was ever signed: run `mutasi audit checkpoint`)"
    )


def stale_tail_failure(uncovered: int, after: int, oldest: datetime | None, bound: timedelta) -> str:
    """Why an uncovered tail older than `bound` fails (`oldest` None: an event without a recording time)."""
    when = (
        f"the oldest recorded at {oldest.isoformat()}, more than the bound of {int(bound.total_seconds())} s ago"
        if oldest
        else "one without a recording time (no age)"
    )
    return (
        f"{events(uncovered)} after position {after} not covered by a signed tree head, {when}: "
        "checkpointing stopped, or the tree head covering them was deleted (run `mutasi audit checkpoint`)"
    )


def read_head(text: str) -> Checkpoint:
    """A legacy segment checkpoint an auditor kept: one checkpoint as JSON (`GET /audit/checkpoints` gives a list of
    them, a bundle has them as lines); of several, the one with the highest sequence."""
    try:
        found = json.loads(text)
        candidates = found if isinstance(found, list) else [found]
    except ValueError:  # NDJSON, e.g. a bundle
        try:
            candidates = [json.loads(line) for line in text.splitlines() if line.strip()]
        except ValueError:
            raise ValueError("the expected head is neither JSON nor NDJSON") from None
    heads = []
    for candidate in candidates:
        if isinstance(candidate, dict) and candidate.get("type", "checkpoint") == "checkpoint":
            fields = {name: value for name, value in candidate.items() if name != "type"}
            try:
                heads.append(Checkpoint(**fields))
            except TypeError:
                continue
    if not heads:
        raise ValueError(
            "the expected head holds no checkpoint (sequence, first, last, count, root, previous, "
            "created_at, key, signature)"
        )
    return max(heads, key=lambda head: head.sequence)
