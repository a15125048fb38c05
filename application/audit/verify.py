"""Verifying the event store against the signed tree heads: every event against its hash and its
aggregate's chain, every event's leaf, the tree over the store's events against every kept head (its
signature, its root at its size) and the witnesses' quorum; segment checkpoints kept from earlier
versions against their signature and the events of their segment; and (`verify_record`) that nothing
is missing that the store can tell: a store without a signed head, an unsigned tail older than the
bound, positions handed out that hold no event, a head kept from earlier that the store no longer
reaches. Reports the first failure and why; a change under a signed head is named by its first event,
from the leaves kept per position (trusted only when they give the signed root).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.checks import (
    Failure,
    Verification,
    checkpoint_failure,
    event_failure,
    expected_head_failure,
    no_head_failure,
    positions,
    segment_failure,
    stale_tail_failure,
)
from application.audit.merkle import leaf, root
from application.audit.records import AuditEvent, Checkpoint
from application.audit.replay import feed_all, history
from application.audit.tlog.checks import RootsAt, cosigners, head_failure, quorum_failure
from application.audit.tlog.note import BadNote, TreeHead, parse_note, signed_by, tree_head
from application.audit.tlog.proofs import leaf_hash
from application.audit.tlog.store import TreeStore, leaf_data
from application.base import MutasiBase
from application.persistence.event_log import EventLog


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


@dataclass
class _Tail:
    """What the scan saw after the last signed position (of the latest tree head or legacy checkpoint)."""

    after: int = 0  # the last position something signed covers
    head: int = 0  # the last position the store holds
    count: int = 0  # the events after `after`
    first: AuditEvent | None = None  # the first of them
    oldest: datetime | None = None  # the earliest recording time among them
    timeless: bool = False  # one of them carries no recording time
    gap: tuple[int, int] | None = None  # the first run of positions after `after` that hold no event

    def see(self, event: AuditEvent) -> None:
        position: int = event.position  # type: ignore[assignment]
        before = max(self.head, self.after)
        if self.gap is None and position > before + 1:
            self.gap = (before + 1, position - 1)
        self.first = self.first or event
        self.count += 1
        moment = event.recorded_at
        if moment is None:
            self.timeless = True
        else:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            self.oldest = min(self.oldest or moment, moment)


@dataclass
class _Scan:
    """The outcome of one pass over the store, and what `verify_record` checks after it."""

    result: Verification
    tail: _Tail
    heads: list[tuple[int, str]]
    roots: dict[int, bytes]  # the tree over the store's events at the sizes asked for


def verify_store(app: MutasiBase, checkpoints: list[Checkpoint], key: Ed25519PublicKey) -> Verification:
    """What the store holds, in store order, against every kept tree head (and `checkpoints`, the segment
    checkpoints kept from earlier versions); stops at the first failure. Says nothing of what may be
    missing after the latest head: `verify_record` does."""
    return _scan(app, checkpoints, key).result


def verify_record(
    app: MutasiBase,
    checkpoints: list[Checkpoint],
    key: Ed25519PublicKey,
    expected: Checkpoint | None = None,
    now: datetime | None = None,
    expected_tree: str | None = None,
) -> Verification:
    """`verify_store`, then that nothing is missing as far as the store (and `expected_tree`, a signed
    tree head the auditor kept, or `expected`, a legacy segment checkpoint kept) can tell; what
    `mutasi audit verify` and `GET /audit/verify` run."""
    kept = _kept_tree_head(expected_tree)
    scan = _scan(app, checkpoints, key, [kept.size] if kept else [])
    result, tail, heads = scan.result, scan.tail, scan.heads
    if not result.ok:
        return result
    size = heads[-1][0] if heads else None
    last = checkpoints[-1].sequence if checkpoints and not heads else None

    def failed(reason: str, position: int | None = None, event: AuditEvent | None = None) -> Verification:
        return Verification(
            result.events,
            result.checkpoints,
            Failure(
                reason,
                position,
                event.originator_id if event else None,
                event.version if event else None,
                last,
                head=size,
            ),
            result.uncovered,
        )

    if expected_tree is not None:
        reason = expected_tree_failure(expected_tree, scan.roots, key, app.settings.audit_log_origin)
        if reason:
            return failed(reason)
    if expected is not None:
        reason = expected_head_failure(expected, checkpoints, key)
        if reason:
            return replace(failed(reason), failure=Failure(reason, checkpoint=expected.sequence, head=size))
    if not heads and not checkpoints and result.events:
        return failed(no_head_failure(result.events))
    if app.settings.store == "sqlite" and tail.gap:  # a new row's rowid is the highest plus one: never a gap
        return failed(
            f"{positions(*tail.gap)} after the last signed tree head: no event, where SQLite never leaves "
            "a gap: the events recorded there were deleted",
            tail.gap[0],
        )
    issued = EventLog(app.recorder).issued()
    held = max(tail.head, tail.after)
    if issued is not None and issued > held:
        return failed(
            f"{positions(held + 1, issued)} handed out by the store, no event there: "
            "the events recorded there after the last signed tree head were deleted (a write rolled back "
            "at the very end leaves this too, until the next event is recorded)",
            held + 1,
        )
    bound = timedelta(seconds=app.settings.audit_uncovered_max_age_seconds)
    moment = now or datetime.now(UTC)
    if tail.first is not None and (tail.timeless or tail.oldest < moment - bound):  # type: ignore[operator]
        return failed(
            stale_tail_failure(tail.count, tail.after, None if tail.timeless else tail.oldest, bound),
            tail.first.position,
            tail.first,
        )
    settings = app.settings
    if heads:
        latest = parse_note(heads[-1][1])
        reason = quorum_failure(latest, settings.audit_witness_keys, settings.audit_witness_quorum)
        if reason:
            return failed(reason)
        return replace(result, tree_size=heads[-1][0], cosigners=tuple(cosigners(latest, settings.audit_witness_keys)))
    return result


def _kept_tree_head(text: str | None) -> TreeHead | None:
    try:
        return tree_head(parse_note(text)) if text else None
    except BadNote:
        return None


def expected_tree_failure(text: str, roots: dict[int, bytes], key: Ed25519PublicKey, origin: str) -> str | None:
    """Why the store's events no longer give a tree head an auditor kept (`GET /public/log/checkpoint`)."""
    try:
        note = parse_note(text)
        head = tree_head(note)
    except BadNote as error:
        return f"the expected tree head is not a signed checkpoint: {error}"
    if head.origin != origin or not signed_by(note, origin, key):
        return "the expected tree head is not signed by the published key for this log: it is not one of ours"
    if head.size not in roots:
        return (
            f"the expected tree head covers {head.size} events; the store holds only {max(roots, default=0)}"
            " of them now: events were deleted (tail truncated)"
            if head.size
            else None
        )
    if roots[head.size] != head.root:
        return (
            f"the store's first {head.size} events no longer give the expected tree head's root: events it "
            "covers were changed, deleted, inserted or reordered (or the log was rebuilt)"
        )
    return None


def _tree_store(app: MutasiBase) -> TreeStore | None:
    try:
        return TreeStore(app.stores)
    except ValueError:  # not a store the tree is kept in
        return None


def _kept_leaves(store: TreeStore | None, size: int, page: int = 10_000) -> Iterator[tuple[int, bytes]]:
    """(position, leaf hash) of the first `size` leaves kept, in order (unsigned: see `_tree_failure`)."""
    if store is None:
        return
    for first in range(0, size, page):
        for _, position, digest in store.leaves(first, min(size, first + page) - 1):
            yield position, digest


def _scan(
    app: MutasiBase, checkpoints: list[Checkpoint], key: Ed25519PublicKey, sizes: list[int] | None = None
) -> _Scan:
    store = _tree_store(app)
    heads = store.heads() if store is not None else []
    size = heads[-1][0] if heads else 0
    tree = RootsAt([s for s, _ in heads] + (sizes or []))
    kept = RootsAt([size])  # the root the kept leaves give
    stored = _kept_leaves(store, size)
    tail = _Tail(after=checkpoints[-1].last if checkpoints else 0)

    def done(count: int, closed: int, failure: Failure | None) -> _Scan:
        return _Scan(Verification(count, closed, failure, tail.count), tail, heads, tree.roots)

    previous: Checkpoint | None = None
    for checkpoint in checkpoints:
        reason = checkpoint_failure(checkpoint, previous, key)
        if reason:
            return done(0, checkpoint.sequence - 1, Failure(reason, checkpoint=checkpoint.sequence))
        previous = checkpoint
    chains: dict[UUID, tuple[int, str]] = {}
    pending = list(checkpoints)
    found: list[tuple[int, str]] = []  # (position, hash) of the current legacy segment's events
    departure: Failure | None = None  # where the store first departs from the leaves kept
    count, closed = 0, 0

    def close(checkpoint: Checkpoint) -> Failure | None:
        if len(found) == checkpoint.count and root([leaf(*pair) for pair in found]) == checkpoint.root:
            return None
        return Failure(segment_failure(checkpoint, len(found)), checkpoint.last, checkpoint=checkpoint.sequence)

    for event in feed_all(app):
        while pending and event.position > pending[0].last:  # type: ignore[operator]
            failure = close(pending.pop(0))
            if failure:
                return done(count, closed, failure)
            closed, found = closed + 1, []
        reason = event_failure(event, chains.get(event.originator_id))
        if reason:
            return done(count, closed, Failure(reason, event.position, event.originator_id, event.version))
        position: int = event.position  # type: ignore[assignment]
        digest: str = event.link[1]  # type: ignore[index]
        chains[event.originator_id] = (event.version, digest)
        this = leaf_hash(leaf_data(position, digest))
        tree.add(this)
        if count < size:
            signed = next(stored, None)
            if signed is not None:
                kept.add(signed[1])
            if departure is None and (signed is None or signed[1] != this):  # the hash commits to the position
                departure = _departure(signed, event, size)
            tail.after = max(tail.after, position)
        if pending:
            found.append((position, digest))
        elif count >= size:
            tail.see(event)
        tail.head = position
        count += 1
    for checkpoint in pending:
        failure = close(checkpoint)
        if failure:
            return done(count, closed, failure)
        closed, found = closed + 1, []
    gone: list[int] = []  # positions of kept leaves the store has no event for any more (a deleted tail)
    for at, signed_leaf in stored:
        kept.add(signed_leaf)
        gone = [gone[0] if gone else at, at]
    if departure is None and gone:
        departure = Failure(
            f"the store ends before position {gone[1]}, which the signed tree head of size {size} covers: "
            f"the events it holds at {positions(*gone)} were deleted (tail truncated)",
            gone[0],
            head=size,
        )
    tree.finish()
    return done(count, closed, _tree_failure(heads, tree.roots, kept.roots.get(size), departure, key, app))


def _departure(signed: tuple[int, bytes] | None, event: AuditEvent, size: int) -> Failure:
    """Where the store's event first departs from the leaf kept at its index."""
    position: int = event.position  # type: ignore[assignment]
    if signed is not None and signed[0] < position:
        return Failure(
            f"the event at position {signed[0]} that the signed tree head of size {size} holds is missing: "
            "it was deleted",
            signed[0],
            head=size,
        )
    if signed is not None and signed[0] > position:
        why = (
            f"position {position} holds an event that the signed tree head of size {size} does not hold: "
            "it was inserted or moved there"
        )
    else:
        why = (
            f"the event at position {position} is not the one the signed tree head of size {size} holds "
            "there: it was changed (its hash recomputed), replaced, or events were reordered"
        )
    return Failure(why, position, event.originator_id, event.version, head=size)


def _tree_failure(
    heads: list[tuple[int, str]],
    roots: dict[int, bytes],
    kept_root: bytes | None,
    departure: Failure | None,
    key: Ed25519PublicKey,
    app: MutasiBase,
) -> Failure | None:
    """The kept heads against their signatures, then against the tree over the store's events. A root
    that no longer matches is named by the first event departing from the kept leaves when those leaves
    give the latest signed root (they are unsigned: else only the head is named)."""
    origin = app.settings.audit_log_origin
    claimed: dict[int, bytes] = {}
    for size, text in heads:
        try:
            claimed[size] = tree_head(parse_note(text)).root
        except BadNote:
            continue
    broken = head_failure(heads, claimed, key, origin)  # signatures, sizes, growth: roots as claimed
    if broken:
        return Failure(broken[1], head=broken[0])
    broken = head_failure(heads, roots, key, origin)
    if broken is None:
        return None
    if departure is not None and kept_root is not None and kept_root == claimed.get(heads[-1][0]):
        return departure
    return Failure(
        broken[1] + " (the leaves kept do not give its root, so the event cannot be named)",
        head=broken[0],
    )
