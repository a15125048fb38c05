"""The log over the event store: extend the tree with the new events, sign its head (a C2SP checkpoint),
rebuild it for a store made before the tree existed (`mutasi audit migrate`)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from application.audit.receipts import DECREE_TOPIC, receipt_code
from application.audit.records import AuditEvent, UnsoundEvent
from application.audit.replay import feed_all
from application.audit.signing import load_private_key
from application.audit.storage import signing_key_path
from application.audit.tlog.note import Note, TreeHead, parse_note, sign_note, tree_head
from application.audit.tlog.proofs import leaf_hash
from application.audit.tlog.store import TreeStore, leaf_data
from application.base import MutasiBase


def event_leaf(event: AuditEvent) -> bytes:
    """The leaf hash of a stored event, after checking the event against its own hash."""
    recomputed = event.recomputed_hash()
    if recomputed is None or event.link is None or recomputed != event.link[1]:
        raise UnsoundEvent(
            f"event at position {event.position} ({event.originator_id} v{event.version}) "
            "does not match its hash; run `mutasi audit verify`"
        )
    return leaf_hash(leaf_data(event.position, recomputed))  # type: ignore[arg-type]


def extend_tree(app: MutasiBase, store: TreeStore | None = None, batch: int = 10_000) -> int:
    """Add every event recorded after the tree's last leaf, in store order; returns the tree size."""
    store = store or TreeStore(app.stores)
    size, last = store.size()
    head = app.check_store()
    pending: list[tuple[int, bytes]] = []
    decrees: list[tuple[str, int]] = []
    for event in feed_all(app, last, stop=head, page=1000):
        leaf = event_leaf(event)
        pending.append((event.position, leaf))  # type: ignore[arg-type]
        if event.topic.endswith(DECREE_TOPIC):
            decrees.append((receipt_code(leaf), event.position))  # type: ignore[arg-type]
        if len(pending) >= batch:
            size, pending = store.append(pending, size), []
    size = store.append(pending, size)
    store.add_receipts(decrees)
    return size


def migrate(app: MutasiBase) -> int:
    """Build the tree for an existing store from its events (again, from nothing); returns its size.
    The signed heads kept so far stay: verification checks them against the rebuilt tree."""
    store = TreeStore(app.stores)
    store.prepare()
    store.clear()
    return extend_tree(app, store)


@dataclass(frozen=True)
class SignedHead:
    """A tree head as kept: its size and its signed note (with any cosignatures)."""

    size: int
    note: Note

    @property
    def head(self) -> TreeHead:
        """The checkpoint's origin, size and root."""
        return tree_head(self.note)


def sign_head(app: MutasiBase, store: TreeStore | None = None) -> SignedHead | None:
    """Extend the tree and sign its head when it grew (or none was signed yet); None when up to date."""
    settings = app.settings
    store = store or TreeStore(app.stores)
    store.prepare()
    size = extend_tree(app, store)
    latest = store.head()
    if latest is not None and latest[0] >= size:
        return None
    key = load_private_key(signing_key_path(settings))
    head = TreeHead(settings.audit_log_origin, size, store.root(size), (f"time {int(time.time())}",))
    note = sign_note(head.note(), settings.audit_log_origin, key)
    store.add_head(size, note.text())
    return SignedHead(size, note)


def latest_head(store: TreeStore) -> SignedHead | None:
    """The latest signed head kept, with its cosignatures."""
    found = store.head()
    return SignedHead(found[0], parse_note(found[1])) if found else None
