"""Witnesses (C2SP tlog-witness semantics): the log keeps a configured witness's cosignature of a tree
head after checking it; a witness cosigns a new head only after checking it extends the last one it
cosigned, and refuses, with the evidence, a head that does not (a split view)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from application.audit.tlog.checks import parse_witness_key
from application.audit.tlog.note import BadNote, Note, cosign, cosigned_at, parse_note, signed_by, tree_head
from application.audit.tlog.proofs import verify_consistency
from application.audit.tlog.store import TreeStore
from application.persistence.stores import Stores


class CosignatureRefused(ValueError):
    """The cosignature is not a configured witness's valid cosignature of the kept head."""


def add_cosignature(stores: Stores, size: int, line: str) -> str:
    """Add a witness's cosignature line to the kept head of `size`; returns the head as now kept."""

    def cosigned(text: str) -> str:
        note = parse_note(text)
        try:
            [signature] = parse_note(note.body + "\n" + line.strip() + "\n").signatures
        except (BadNote, ValueError) as error:
            raise CosignatureRefused(f"not one signature line: {error}") from None
        for vkey in stores.settings.audit_witness_keys:
            name, key = parse_witness_key(vkey)
            if name == signature.name:
                if cosigned_at(Note(note.body, (signature,)), name, key) is None:
                    raise CosignatureRefused(f"the cosignature of {name} does not verify on the head of size {size}")
                return note.with_signature(signature).text()
        raise CosignatureRefused(f"{signature.name} is not a configured witness")

    kept = TreeStore(stores).update_head(size, cosigned)
    if kept is None:
        raise CosignatureRefused(f"no tree head of size {size} is kept")
    return kept


@dataclass(frozen=True)
class SplitView(Exception):
    """The log showed a head that does not extend the one this witness cosigned last: the evidence."""

    reason: str
    cosigned: str  # the head cosigned before (signed note text)
    shown: str  # the head shown now

    def __str__(self) -> str:
        return (
            f"SPLIT VIEW: {self.reason}\n--- the head cosigned before ---\n{self.cosigned}"
            f"--- the head shown now ---\n{self.shown}"
        )


def extends(earlier: Note, later: Note, consistency: Callable[[int, int], Sequence[bytes]]) -> None:
    """Raise `SplitView` unless the tree head `later` extends (or equals) `earlier`, by the consistency
    proof between their sizes (fetched from the log: a log that forked cannot give one)."""
    first, second = tree_head(earlier), tree_head(later)
    if first.size > second.size:
        first, second, earlier, later = second, first, later, earlier
    if first.size == second.size:
        if first.root != second.root:
            raise SplitView(f"two different roots for size {first.size}", earlier.text(), later.text())
        return
    try:
        proof = list(consistency(first.size, second.size))
    except Exception as error:  # noqa: BLE001 (no proof at all is the same evidence)
        proof, why = [], f" ({error})"
    else:
        why = ""
    if not verify_consistency(first.size, second.size, first.root, second.root, proof):
        raise SplitView(
            f"the tree of size {second.size} does not extend the tree of size {first.size} "
            f"(the consistency proof fails{why})",
            earlier.text(),
            later.text(),
        )


def compare_heads(
    a: str, b: str, origin: str, key: Ed25519PublicKey, consistency: Callable[[int, int], Sequence[bytes]]
) -> None:
    """Two auditors' kept heads: both the log's, and one extends the other (`SplitView` otherwise)."""
    notes = [parse_note(text) for text in (a, b)]
    for note in notes:
        if tree_head(note).origin != origin or not signed_by(note, origin, key):
            raise BadNote("a tree head is not signed by the log's key")
    extends(notes[0], notes[1], consistency)


@dataclass
class Witness:
    """A witness: its name, key and state file (the last head it cosigned), and the log it watches."""

    name: str
    key: Ed25519PrivateKey
    state: Path
    origin: str
    log_key: Ed25519PublicKey

    def last(self) -> Note | None:
        """The head it cosigned last."""
        if not self.state.exists():
            return None
        return parse_note(json.loads(self.state.read_text())["checkpoint"])

    def witness(
        self, shown_text: str, consistency: Callable[[int, int], Sequence[bytes]], now: Callable[[], float] = time.time
    ) -> str | None:
        """Check a head and return the cosignature line to post (None when it is the same size as before).
        `SplitView` when it does not extend the head cosigned last; `BadNote` when it is not the log's."""
        shown = parse_note(shown_text)
        head = tree_head(shown)
        if head.origin != self.origin or not signed_by(shown, self.origin, self.log_key):
            raise BadNote("the tree head is not signed by the log's key")
        last = self.last()
        if last is not None:
            before = tree_head(last)
            if head.size < before.size:
                raise SplitView(
                    f"the log shows size {head.size}, smaller than {before.size} cosigned before",
                    last.text(),
                    shown.text(),
                )
            extends(last, shown, consistency)
            if head.size == before.size:
                return None
        signature = cosign(shown, self.name, self.key, int(now()))
        tmp = self.state.with_suffix(".tmp")
        tmp.write_text(json.dumps({"checkpoint": shown.with_signature(signature).text()}))
        tmp.replace(self.state)  # the state moves only forward, atomically
        return signature.line()
