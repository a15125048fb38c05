"""The Merkle tree of the legacy segment checkpoints (one per checkpoint's segment of the global order),
kept to verify the checkpoints and format-1 bundles earlier versions signed; new statements are signed
over the RFC 9162 tree of `application.audit.tlog`.

Leaf = SHA-256(0x00 || "<position>:<event hash>"); node = SHA-256(0x01 || left || right); an odd
node at the end of a level is carried up unchanged. A proof is the list of siblings from the leaf
up, each marked "L" (sibling on the left) or "R", so a single event can be checked against a root.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def leaf(position: int, digest: str) -> bytes:
    """The leaf of the event at `position` (notification id) with chain hash `digest`."""
    return hashlib.sha256(b"\x00" + f"{position}:{digest}".encode()).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def levels(leaves: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaves first, root last (one empty level for no leaves)."""
    tree = [list(leaves)]
    while len(tree[-1]) > 1:
        below = tree[-1]
        above = [_node(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        tree.append(above)
    return tree


def root(leaves: Sequence[bytes]) -> str:
    """The root (hex) over `leaves`; the hash of nothing for an empty segment."""
    tree = levels(leaves)
    return tree[-1][0].hex() if tree[-1] else hashlib.sha256(b"").hexdigest()


def included(leaf_hash: bytes, path: Sequence[str], expected_root: str) -> bool:
    """True when `path` leads from `leaf_hash` to `expected_root`."""
    current = leaf_hash
    for step in path:
        side, sibling = step[:1], bytes.fromhex(step[1:])
        current = _node(sibling, current) if side == "L" else _node(current, sibling)
    return current.hex() == expected_root
