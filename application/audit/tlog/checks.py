"""Checking signed tree heads against the events (no database): their signatures, that each root is
the tree over the events as they are now, that they only grow, and which witnesses cosigned them."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from application.audit.tlog.note import (
    COSIGNATURE_V1,
    BadNote,
    Note,
    cosigned_at,
    key_id,
    parse_note,
    signed_by,
    tree_head,
)
from application.audit.tlog.proofs import fold, node_hash


class RootsAt:
    """The tree's root at chosen sizes, from its leaves in order, in O(log n) memory (a compact range)."""

    def __init__(self, sizes: Iterable[int]) -> None:
        self.sizes = set(sizes)
        self.frontier: list[tuple[int, bytes]] = []  # (level, hash) of the complete subtrees so far
        self.count = 0
        self.roots: dict[int, bytes] = {}

    def add(self, leaf: bytes) -> None:
        """The next leaf."""
        self.frontier.append((0, leaf))
        while len(self.frontier) > 1 and self.frontier[-1][0] == self.frontier[-2][0]:
            level, right = self.frontier.pop()
            _, left = self.frontier.pop()
            self.frontier.append((level + 1, node_hash(left, right)))
        self.count += 1
        if self.count in self.sizes:
            self.roots[self.count] = fold([digest for _, digest in self.frontier])

    def finish(self) -> None:
        """Also keep the root of all the leaves added (the size the store holds now)."""
        if self.count:
            self.roots[self.count] = fold([digest for _, digest in self.frontier])


def parse_witness_key(text: str) -> tuple[str, Ed25519PublicKey]:
    """A witness's verifier key "<name>+<hex key id>+base64(0x04 || key)" (or type 0x01), checked."""
    try:
        name, identity, encoded = text.strip().split("+", 2)
        blob = base64.b64decode(encoded, validate=True)
        key = Ed25519PublicKey.from_public_bytes(blob[1:])
    except ValueError:
        raise ValueError(f"not a witness verifier key: {text[:40]!r}") from None
    if len(blob) != 33 or blob[0] not in (0x01, COSIGNATURE_V1) or key_id(name, key, blob[0]).hex() != identity:
        raise ValueError(f"the witness verifier key of {name} does not match its key id")
    return name, key


def cosigners(note: Note, witnesses: Sequence[str]) -> list[str]:
    """The names of the configured witnesses whose cosignature on `note` verifies."""
    named = [parse_witness_key(text) for text in witnesses]
    return [name for name, key in named if cosigned_at(note, name, key) is not None]


def quorum_failure(note: Note, witnesses: Sequence[str], quorum: int) -> str | None:
    """Why `note` lacks the cosignatures the policy requires (None when it has them, or none are required)."""
    if quorum <= 0:
        return None
    found = cosigners(note, witnesses)
    if len(found) >= quorum:
        return None
    return (
        f"the tree head of size {tree_head(note).size} is cosigned by {len(found)} of the configured "
        f"witnesses ({', '.join(found) or 'none'}); the quorum is {quorum}"
    )


def head_failure(
    heads: Sequence[tuple[int, str]], roots: dict[int, bytes], key: Ed25519PublicKey, origin: str
) -> tuple[int, str] | None:
    """The first kept head (size, why) that is not signed by `key` for `origin`, does not grow, or whose
    root is not the tree over the store's events (`roots`: size -> recomputed root); None when all hold."""
    previous = 0
    for size, text in heads:
        try:
            note = parse_note(text)
            head = tree_head(note)
        except BadNote as error:
            return size, f"the tree head kept for size {size} is not a checkpoint: {error}"
        if head.origin != origin or not signed_by(note, origin, key) or head.size != size:
            return size, f"the tree head of size {size} is not signed by the published key for {origin}"
        if size < previous:
            return size, f"the tree head of size {size} follows one of size {previous}: the log shrank"
        previous = size
        if size not in roots:
            return size, (
                f"the signed tree head of size {size} covers {size} events; the store holds only "
                f"{max(roots, default=0)} events: events it signed were deleted"
            )
        if roots[size] != head.root:
            return size, (
                f"the signed tree head of size {size} has root {head.root.hex()[:16]}…; the store's "
                f"events give {roots[size].hex()[:16]}…: events it covers were changed, deleted, "
                "inserted or reordered"
            )
    return None
