"""Making signed checkpoints: a Merkle root over each new segment of the global order, signed Ed25519.

A checkpoint covers the events after the previous checkpoint up to the store's head (at most
`audit_checkpoint_max_events` per checkpoint; a longer backlog gets several). Every event is checked
against its own hash before it is signed over, so tampering is never signed. The (position, hash)
pairs of each segment are kept beside it (`AuditTraces`), so verification can name a changed event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from application.audit.merkle import leaf, root
from application.audit.records import AuditEvent, Checkpoint, UnsoundEvent
from application.audit.replay import feed_all
from application.audit.signing import fingerprint, load_private_key, sign
from application.audit.storage import AuditStorage, signing_key_path
from application.audit.traces import AuditTraces
from application.base import MutasiBase
from application.persistence.chain import GENESIS


def leaf_of(event: AuditEvent) -> bytes:
    """The Merkle leaf of a stored event, after checking the event against its own hash."""
    recomputed = event.recomputed_hash()
    if recomputed is None or recomputed != event.link[1]:  # type: ignore[index]
        raise UnsoundEvent(
            f"event at position {event.position} ({event.originator_id} v{event.version}) "
            "does not match its hash; run `mutasi audit verify`"
        )
    return leaf(event.position, recomputed)  # type: ignore[arg-type]


def make_checkpoints(app: MutasiBase, storage: AuditStorage | None = None) -> list[Checkpoint]:
    """Sign checkpoints over every event not yet covered; returns the new ones (none if up to date)."""
    settings = app.settings
    storage = storage or AuditStorage(app.stores)
    key = load_private_key(signing_key_path(settings))
    key_id = fingerprint(key.public_key())
    existing = storage.checkpoints()
    last = existing[-1] if existing else None
    head = app.check_store()
    traces = AuditTraces(app.stores)
    made: list[Checkpoint] = []
    while (last.last if last else 0) < head:
        after = last.last if last else 0
        leaves, pairs = [], []
        position = after
        for event in feed_all(app, after, stop=head, page=min(1000, settings.audit_checkpoint_max_events)):
            leaves.append(leaf_of(event))
            pairs.append((event.position, event.link[1]))  # type: ignore[index]
            position = event.position  # type: ignore[assignment]
            if len(leaves) == settings.audit_checkpoint_max_events:
                break
        if not leaves:
            position = head
        checkpoint = Checkpoint(
            sequence=(last.sequence + 1) if last else 1,
            first=after + 1,
            last=position,
            count=len(leaves),
            root=root(leaves),
            previous=last.digest() if last else GENESIS,
            created_at=datetime.now(UTC).isoformat(),
            key=key_id,
        )
        checkpoint = checkpoint.signed(sign(key, checkpoint.payload()))
        storage.add(checkpoint)
        traces.keep_segment(checkpoint.sequence, pairs)  # type: ignore[arg-type]
        made.append(checkpoint)
        last = checkpoint
    from application.audit.tlog.log import sign_head  # the log-wide tree and its signed head

    sign_head(app)
    return made


def checkpoint_periodically(
    app: MutasiBase, every: float, stop: threading.Event, made: Callable[[list[Checkpoint]], None] = lambda _: None
) -> None:
    """Checkpoint now and then every `every` seconds until `stop` is set (run beside the service)."""
    while True:
        made(make_checkpoints(app))
        if stop.wait(every):
            return
