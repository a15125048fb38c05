"""Receipts for decrees (SK): what the decree is, the event that recorded it, and the proof that the
event is in the log under a signed (and cosigned) tree head. Checking one needs no database.

A receipt (`mutasi-receipt/1`, JSON) holds
- `statement`: the decree's identity (number, dates, masked NIP, from and to positions, round) and the
  event (position, aggregate, version, chain hash), signed by the log's key over its RFC 8785 (JCS)
  bytes (`statement_signature`, base64): the operator vouches that this decree is that event;
- `leaf_index`, `tree_size`, `inclusion` (base64 hashes): the RFC 9162 inclusion proof of the leaf
  SHA-256(0x00 || "<position>:<hash>") in the tree of `tree_size` events;
- `checkpoint`: the signed tree head (C2SP checkpoint text) of that size, with the witnesses'
  cosignatures it had when the receipt was made.
Its `code` is the first 80 bits of the leaf hash in base32 (16 characters, printed in groups of four
on the decree): anyone can recompute it from the receipt.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.signing import signed_by as ed25519_signed
from application.audit.tlog.checks import cosigners
from application.audit.tlog.note import BadNote, parse_note, signed_by, tree_head
from application.audit.tlog.proofs import leaf_hash, verify_inclusion
from application.audit.tlog.store import leaf_data

FORMAT = "mutasi-receipt/1"
DECREE_TOPIC = ":MutationRound.DecreeIssued"


def receipt_code(leaf: bytes) -> str:
    """The printable code of the receipt of the event with this leaf hash: XXXX-XXXX-XXXX-XXXX."""
    text = base64.b32encode(leaf[:10]).decode()
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))


def event_receipt_code(position: int, event_hash: str) -> str:
    """The receipt code of the event stored at `position` with chain hash `event_hash` (its leaf's
    code): fixed by the event alone, so a decree can print it before a tree head includes it."""
    return receipt_code(leaf_hash(leaf_data(position, event_hash)))


def normal_code(text: str) -> str:
    """A code as typed (any case, spaces or dashes) in its printed form."""
    letters = "".join(ch for ch in text.upper() if ch.isalnum())
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def statement_bytes(statement: dict[str, Any]) -> bytes:
    """The bytes the log signs: the statement's RFC 8785 canonical JSON."""
    return rfc8785.dumps(statement)


@dataclass(frozen=True)
class ReceiptCheck:
    """The outcome of checking a receipt."""

    reason: str | None
    index: int | None = None
    size: int | None = None
    cosigners: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every check held."""
        return self.reason is None


def verify_receipt(
    receipt: dict[str, Any], key: Ed25519PublicKey, witnesses: Sequence[str] = (), quorum: int = 0
) -> ReceiptCheck:
    """Check a receipt with the log's key (and the witnesses' keys when `quorum` > 0)."""
    try:
        statement = receipt["statement"]
        event = statement["event"]
        position, digest = int(event["position"]), str(event["hash"])
        index, size = int(receipt["leaf_index"]), int(receipt["tree_size"])
        proof = [base64.b64decode(p, validate=True) for p in receipt["inclusion"]]
        note = parse_note(str(receipt["checkpoint"]))
        head = tree_head(note)
    except (KeyError, TypeError, ValueError, BadNote) as error:
        return ReceiptCheck(f"not a readable receipt ({error})")
    if receipt.get("format") != FORMAT:
        return ReceiptCheck(f"not a {FORMAT} receipt")
    if not signed_by(note, head.origin, key):
        return ReceiptCheck("the tree head is not signed by the log's public key")
    if not ed25519_signed(key, statement_bytes(statement), str(receipt.get("statement_signature", ""))):
        return ReceiptCheck("the decree statement is not signed by the log's public key: it was altered")
    leaf = leaf_hash(leaf_data(position, digest))
    if receipt.get("code") != receipt_code(leaf) or statement.get("code") != receipt_code(leaf):
        return ReceiptCheck("the receipt's code is not the code of its event")
    if head.size != size:
        return ReceiptCheck(f"the proof is for a tree of {size} events, the tree head is of {head.size}")
    if not verify_inclusion(index, size, leaf, proof, head.root):
        return ReceiptCheck("the inclusion proof does not lead to the signed root: the event is not in the log")
    found = cosigners(note, witnesses) if witnesses else []
    if len(found) < quorum:
        return ReceiptCheck(
            f"the tree head is cosigned by {len(found)} of the given witnesses "
            f"({', '.join(found) or 'none'}); {quorum} required",
            index,
            size,
            found,
        )
    return ReceiptCheck(None, index, size, found)
