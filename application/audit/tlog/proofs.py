"""RFC 9162 section 2.1: the Merkle tree hash, inclusion and consistency proofs, and their verification.

Leaf hash = SHA-256(0x00 || data); node hash = SHA-256(0x01 || left || right); a tree of n > 1 leaves
splits at k, the largest power of two below n. Proofs are computed from *complete* subtrees only
(node (level, index) covers leaves [index * 2**level, (index + 1) * 2**level)), which is what the
store keeps: every hash a proof needs is one stored node or a fold of a few of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()
Node = tuple[int, int]  # (level, index) of a complete subtree


def leaf_hash(data: bytes) -> bytes:
    """The hash of a leaf with `data`."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def subtrees(lo: int, hi: int) -> list[Node]:
    """The complete subtrees that make up leaves [lo, hi) of the tree, left to right (`lo` is the start
    of a subtree of the RFC 9162 recursion, so this is how MTH(D[lo:hi]) decomposes)."""
    nodes = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        while lo % (1 << level):
            level -= 1
        nodes.append((level, lo >> level))
        lo += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a range from its complete subtrees' hashes, left to right (folded from the right)."""
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = node_hash(left, result)
    return result


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make the inclusion proof of leaf `index` in a tree of `size`, leaf
    side first (RFC 9162 2.1.3.1, PATH)."""
    ranges: list[tuple[int, int]] = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = split(hi - lo)
        if index < lo + k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo += k
    return ranges[::-1]


def consistency_ranges(old: int, new: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes make the consistency proof from `old` to `new` leaves
    (0 < old < new; RFC 9162 2.1.4.1, SUBPROOF)."""
    ranges: list[tuple[int, int]] = []
    lo, hi, m, whole = 0, new, old, True
    while m != hi - lo:
        k = split(hi - lo)
        if m <= k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            m -= k
            lo += k
            whole = False
    if not whole:
        ranges.append((lo, hi))
    return ranges[::-1]


class Prover:
    """Proofs and roots from complete-subtree hashes fetched by `fetch` (one call per answer)."""

    def __init__(self, fetch: Callable[[Iterable[Node]], Mapping[Node, bytes]]) -> None:
        self.fetch = fetch

    def _hashes(self, ranges: Sequence[tuple[int, int]]) -> list[bytes]:
        parts = [subtrees(lo, hi) for lo, hi in ranges]
        nodes = self.fetch({node for part in parts for node in part})
        return [fold([nodes[node] for node in part]) for part in parts]

    def root(self, size: int) -> bytes:
        """MTH of the first `size` leaves."""
        return self._hashes([(0, size)])[0] if size else EMPTY_ROOT

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """The inclusion proof of leaf `index` in the tree of `size` leaves."""
        if not 0 <= index < size:
            raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
        return self._hashes(inclusion_ranges(index, size))

    def consistency(self, old: int, new: int) -> list[bytes]:
        """The consistency proof between the trees of `old` and `new` leaves (empty when trivial)."""
        if not 0 <= old <= new:
            raise ValueError(f"no consistency proof from {old} to {new} leaves")
        return self._hashes(consistency_ranges(old, new)) if 0 < old < new else []


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes | None:
    """The root that `proof` gives for `leaf` at `index` (RFC 9162 2.1.3.2), None when it cannot hold."""
    if index >= size or any(len(p) != 32 for p in proof) or len(leaf) != 32:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return r if sn == 0 else None


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """Whether `proof` shows `leaf` at `index` in the tree of `size` leaves with `root`."""
    return root_from_inclusion(index, size, leaf, proof) == root


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """Whether `proof` shows the tree (`new`, `new_root`) extends (`old`, `old_root`) (RFC 9162 2.1.4.2)."""
    if old > new or any(len(p) != 32 for p in proof):
        return False
    if old == new:
        return old_root == new_root and not proof
    if old == 0:
        return not proof
    if not proof:
        return False
    path = list(proof)
    if old & (old - 1) == 0:  # an exact power of two: the old root is itself a node of the new tree
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0
