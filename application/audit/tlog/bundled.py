"""The tree half of a `mutasi-audit-bundle/2`: one signed tree head, and per event its leaf index and
RFC 9162 inclusion proof into it; which of the given witnesses cosigned that head. No database."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.tlog.checks import cosigners
from application.audit.tlog.note import BadNote, parse_note, signed_by, tree_head
from application.audit.tlog.proofs import leaf_hash, verify_inclusion
from application.audit.tlog.store import leaf_data


@dataclass(frozen=True)
class TreeOutcome:
    """The first failure (bundle line, why) or None, the head's size and the witnesses that cosigned it."""

    failure: tuple[int | None, str] | None
    size: int | None = None
    cosigners: list[str] = field(default_factory=list)


def tree_outcome(
    head_line: dict[str, Any] | None,
    events: Sequence[tuple[int, dict[str, Any]]],
    key: Ed25519PublicKey,
    witnesses: Sequence[str] = (),
    quorum: int = 0,
) -> TreeOutcome:
    """Check the bundle's tree head and each event's inclusion proof (`events`: (line number, line))."""
    if head_line is None:
        return TreeOutcome((None, "a mutasi-audit-bundle/2 carries a signed tree head; this one has none"))
    try:
        note = parse_note(str(head_line["checkpoint"]))
        head = tree_head(note)
    except (KeyError, BadNote) as error:
        return TreeOutcome((None, f"the bundle's tree head is not a signed checkpoint ({error})"))
    if not signed_by(note, head.origin, key):
        return TreeOutcome((None, "the bundle's tree head is not signed by this public key"))
    for number, line in events:
        try:
            index = int(line["leaf_index"])
            proof = [base64.b64decode(h, validate=True) for h in line["tree_proof"]]
            leaf = leaf_hash(leaf_data(int(line["position"]), str(line["state"]["__chain__"]["hash"])))
        except (KeyError, TypeError, ValueError):
            return TreeOutcome((number, "the event carries no readable leaf index and tree proof"), head.size)
        if not verify_inclusion(index, head.size, leaf, proof, head.root):
            return TreeOutcome(
                (number, f"the event is not in the signed tree head of size {head.size} (its inclusion proof fails)"),
                head.size,
            )
    found = cosigners(note, witnesses) if witnesses else []
    if len(found) < quorum:
        return TreeOutcome(
            (
                None,
                f"the bundle's tree head is cosigned by {len(found)} of the configured "
                f"witnesses ({', '.join(found) or 'none'}); the quorum is {quorum}",
            ),
            head.size,
            found,
        )
    return TreeOutcome(None, head.size, found)
