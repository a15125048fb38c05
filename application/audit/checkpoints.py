"""The checkpointer: extend the log-wide tree with the events recorded since, and sign its head.

The signed tree head (a C2SP checkpoint: origin, size, root, time, signed with the audit key) is the
one thing signed going forward. Every event is checked against its own hash before its leaf is
appended (`application.audit.tlog.log.event_leaf`), so tampering is never signed over. The segment
checkpoints of earlier versions (`mutasi_audit_checkpoints`) are no longer made; those kept are still
read and verified (`application.audit.verify`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from application.audit.tlog.log import SignedHead, sign_head
from application.base import MutasiBase


def checkpoint(app: MutasiBase) -> SignedHead | None:
    """Extend the tree and sign its head when it grew (or none was signed yet); None when up to date."""
    return sign_head(app)


def checkpoint_periodically(
    app: MutasiBase,
    every: float,
    stop: threading.Event,
    made: Callable[[SignedHead | None], None] = lambda _: None,
) -> None:
    """Checkpoint now and then every `every` seconds until `stop` is set (run beside the service)."""
    while True:
        made(checkpoint(app))
        if stop.wait(every):
            return
