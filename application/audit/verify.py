"""Verifying the event store: every event against its hash and its aggregate's chain, every checkpoint
against its signature and the events of its segment, and (`verify_record`) that nothing is missing
that the store can tell: a store without checkpoints, an uncovered tail older than the bound, positions
handed out that hold no event, a head kept from earlier that the store no longer reaches. Reports the
first failure and why.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.checks import (
    Failure,
    Verification,
    authentic,
    checkpoint_failure,
    departure,
    event_failure,
    expected_head_failure,
    no_checkpoint_failure,
    positions,
    stale_tail_failure,
)
from application.audit.merkle import leaf, root
from application.audit.records import AuditEvent, Checkpoint
from application.audit.replay import feed_all, history
from application.audit.tlog.checks import RootsAt, cosigners, head_failure, quorum_failure
from application.audit.tlog.note import BadNote, TreeHead, parse_note, signed_by, tree_head
from application.audit.tlog.proofs import leaf_hash
from application.audit.tlog.store import TreeStore, leaf_data
from application.audit.traces import AuditTraces
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
    """What the scan saw after the last checkpoint."""

    after: int = 0  # the last position a checkpoint covers
    head: int = 0  # the last position the store holds
    first: AuditEvent | None = None  # the first event no checkpoint covers
    oldest: datetime | None = None  # the earliest recording time among those events
    timeless: bool = False  # one of them carries no recording time
    gap: tuple[int, int] | None = None  # the first run of positions after `after` that hold no event

    def see(self, event: AuditEvent) -> None:
        position: int = event.position  # type: ignore[assignment]
        before = max(self.head, self.after)
        if self.gap is None and position > before + 1:
            self.gap = (before + 1, position - 1)
        self.first = self.first or event
        moment = event.recorded_at
        if moment is None:
            self.timeless = True
        else:
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            self.oldest = min(self.oldest or moment, moment)


def verify_store(app: MutasiBase, checkpoints: list[Checkpoint], key: Ed25519PublicKey) -> Verification:
    """What the store holds, in store order, with every checkpoint; stops at the first failure.
    Says nothing of what may be missing after the last checkpoint: `verify_record` does."""
    return _scan(app, checkpoints, key)[0]


def verify_record(
    app: MutasiBase,
    checkpoints: list[Checkpoint],
    key: Ed25519PublicKey,
    expected: Checkpoint | None = None,
    now: datetime | None = None,
    expected_tree: str | None = None,
) -> Verification:
    """`verify_store`, then that nothing is missing as far as the store (and `expected`, a checkpoint the
    auditor kept from earlier) can tell; what `mutasi audit verify` and `GET /audit/verify` run."""
    heads = TreeStore(app.stores).heads()
    kept = _kept_tree_head(expected_tree)
    tree = RootsAt([size for size, _ in heads] + ([kept.size] if kept else []))
    result, tail = _scan(app, checkpoints, key, tree)
    if not result.ok:
        return result

    def failed(
        reason: str, position: int | None = None, checkpoint: int | None = None, event: AuditEvent | None = None
    ) -> Verification:
        return Verification(
            result.events,
            result.checkpoints,
            Failure(
                reason, position, event.originator_id if event else None, event.version if event else None, checkpoint
            ),
            result.uncovered,
        )

    last = checkpoints[-1].sequence if checkpoints else None
    if expected_tree is not None:
        reason = expected_tree_failure(expected_tree, tree.roots, key, app.settings.audit_log_origin)
        if reason:
            return failed(reason)
    if expected is not None:
        reason = expected_head_failure(expected, checkpoints, key)
        if reason:
            return failed(reason, checkpoint=expected.sequence)
    if not checkpoints and result.events:
        return failed(no_checkpoint_failure(result.events))
    if app.settings.store == "sqlite" and tail.gap:  # a new row's rowid is the highest plus one: never a gap
        return failed(
            f"{positions(*tail.gap)} after the last checkpoint: no event, where SQLite never leaves "
            "a gap: the events recorded there were deleted",
            tail.gap[0],
            last,
        )
    issued = AuditTraces(app.stores, EventLog(app.recorder).table_name).issued()
    held = max(tail.head, tail.after)
    if issued is not None and issued > held:
        return failed(
            f"{positions(held + 1, issued)} handed out by the store, no event there: "
            "the events recorded there after the last checkpoint were deleted (a write rolled back "
            "at the very end leaves this too, until the next event is recorded)",
            held + 1,
            last,
        )
    bound = timedelta(seconds=app.settings.audit_uncovered_max_age_seconds)
    moment = now or datetime.now(UTC)
    if tail.first is not None and (tail.timeless or tail.oldest < moment - bound):  # type: ignore[operator]
        return failed(
            stale_tail_failure(result.uncovered, tail.after, None if tail.timeless else tail.oldest, bound),
            tail.first.position,
            last,
            tail.first,
        )
    settings = app.settings
    broken = head_failure(heads, tree.roots, key, settings.audit_log_origin)
    if broken:
        return failed(broken[1])
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


def _scan(
    app: MutasiBase, checkpoints: list[Checkpoint], key: Ed25519PublicKey, tree: RootsAt | None = None
) -> tuple[Verification, _Tail]:
    tail = _Tail(after=checkpoints[-1].last if checkpoints else 0)
    previous: Checkpoint | None = None
    for checkpoint in checkpoints:
        reason = checkpoint_failure(checkpoint, previous, key)
        if reason:
            return Verification(0, checkpoint.sequence - 1, Failure(reason, checkpoint=checkpoint.sequence)), tail
        previous = checkpoint
    heads: dict[UUID, tuple[int, str]] = {}
    pending = list(checkpoints)
    found: list[tuple[int, str]] = []  # (position, hash) of the current segment's events, in store order
    where: list[tuple[UUID, int]] = []  # their (aggregate, version)
    count, closed = 0, 0

    def close(checkpoint: Checkpoint) -> Failure | None:
        if len(found) == checkpoint.count and root([leaf(*pair) for pair in found]) == checkpoint.root:
            return None
        return _located(app, checkpoint, found, where) or _unlocated(checkpoint, len(found))

    for event in feed_all(app):
        while pending and event.position > pending[0].last:  # type: ignore[operator]
            failure = close(pending.pop(0))
            if failure:
                return Verification(count, closed, failure), tail
            closed, found, where = closed + 1, [], []
        reason = event_failure(event, heads.get(event.originator_id))
        if reason:
            failure = Failure(reason, event.position, event.originator_id, event.version)
            return Verification(count, closed, failure), tail
        heads[event.originator_id] = (event.version, event.link[1])  # type: ignore[index]
        if tree is not None:
            tree.add(leaf_hash(leaf_data(event.position, event.link[1])))  # type: ignore[arg-type, index]
        if pending:
            found.append((event.position, event.link[1]))  # type: ignore[arg-type, index]
            where.append((event.originator_id, event.version))
        else:
            tail.see(event)
        tail.head = event.position  # type: ignore[assignment]
        count += 1
    for checkpoint in pending:
        failure = close(checkpoint)
        if failure:
            return Verification(count, closed, failure), tail
        closed, found, where = closed + 1, [], []
    return Verification(count, closed, None, count - sum(c.count for c in checkpoints)), tail


def _located(
    app: MutasiBase, checkpoint: Checkpoint, found: list[tuple[int, str]], where: list[tuple[UUID, int]]
) -> Failure | None:
    """The first event where the store departs from what `checkpoint` signed, from the pairs kept beside
    it (None when they are missing or are not the signed ones)."""
    try:
        signed = AuditTraces(app.stores).segment(checkpoint.sequence)
    except ValueError:  # not a store that keeps them
        return None
    if signed is None or not authentic(checkpoint, signed):
        return None
    if len(found) < len(signed) and found == signed[: len(found)]:
        gone = signed[len(found)][0]
        return Failure(
            f"the store ends before position {checkpoint.last}, which checkpoint {checkpoint.sequence} "
            f"covers: the events it signed at {positions(gone, signed[-1][0])} were deleted "
            "(tail truncated)",
            checkpoint.last,
            checkpoint=checkpoint.sequence,
        )
    departed = departure(checkpoint, signed, found)
    if departed is None:
        return None
    position, index, why = departed
    aggregate, version = where[index] if index is not None else (None, None)
    return Failure(why, position, aggregate, version, checkpoint.sequence)


def _unlocated(checkpoint: Checkpoint, stored: int) -> Failure:
    """The segment's failure named by its range only (the pairs kept beside it are missing, altered, or
    were never kept: checkpoints made before they were)."""
    if stored != checkpoint.count:
        why = (
            f"checkpoint {checkpoint.sequence} covers {checkpoint.count} events at positions "
            f"{checkpoint.first}-{checkpoint.last}; the store has {stored} there: events were "
            + ("deleted" if stored < checkpoint.count else "inserted")
        )
        if not stored and checkpoint.count:
            why = (
                f"the store ends before position {checkpoint.last}, which checkpoint {checkpoint.sequence} "
                "covers: its last events were deleted (tail truncated)"
            )
    else:
        why = (
            f"checkpoint {checkpoint.sequence}: positions {checkpoint.first}-{checkpoint.last} no longer "
            "give its signed Merkle root: events there were reordered, replaced or moved"
        )
    return Failure(
        why + " (no pairs that give its root are kept beside the checkpoint, so the event cannot be named)",
        checkpoint.last,
        checkpoint=checkpoint.sequence,
    )
