"""RFC 9162 tree hashing and proofs against the vectors published with transparency-dev/merkle
(its `testonly` leaves, node and root hashes, and `proof/verify_test.go` proofs), and their tampering."""

from __future__ import annotations

import random

import pytest

from application.audit.tlog.proofs import (
    EMPTY_ROOT,
    Prover,
    leaf_hash,
    node_hash,
    subtrees,
    verify_consistency,
    verify_inclusion,
)

LEAVES = [
    bytes.fromhex(h)
    for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    bytes.fromhex(h)
    for h in (
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]


def h(*hexes: str) -> list[bytes]:
    return [bytes.fromhex(x) for x in hexes]


INCLUSION = [  # (leaf index, tree size, proof)
    (
        0,
        8,
        h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        5,
        8,
        h(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (2, 3, h("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        1,
        5,
        h(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
]
CONSISTENCY = [  # (old size, new size, proof)
    (
        1,
        8,
        h(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        h(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
    (
        6,
        7,
        h(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
]


class MemoryTree:
    """Every complete subtree of a list of leaf hashes, computed naively (a reference to test against)."""

    def __init__(self, leaves: list[bytes]) -> None:
        self.nodes = {(0, i): leaf for i, leaf in enumerate(leaves)}
        level, width = 0, len(leaves)
        while width > 1:
            for i in range(width // 2):
                self.nodes[(level + 1, i)] = node_hash(self.nodes[(level, 2 * i)], self.nodes[(level, 2 * i + 1)])
            level, width = level + 1, width // 2
        self.prover = Prover(lambda wanted: {node: self.nodes[node] for node in wanted})


def reference_root(leaves: list[bytes]) -> bytes:
    """MTH by the RFC's recursive definition."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1 << ((len(leaves) - 1).bit_length() - 1)
    return node_hash(reference_root(leaves[:k]), reference_root(leaves[k:]))


TREE = MemoryTree([leaf_hash(data) for data in LEAVES])


def test_roots_of_every_size_match_the_published_ones():
    assert TREE.prover.root(0) == EMPTY_ROOT
    for size, root in enumerate(ROOTS, 1):
        assert TREE.prover.root(size) == root


@pytest.mark.parametrize("index,size,proof", INCLUSION)
def test_inclusion_proofs_match_the_published_ones_and_verify(index, size, proof):
    assert TREE.prover.inclusion(index, size) == proof
    leaf = leaf_hash(LEAVES[index])
    assert verify_inclusion(index, size, leaf, proof, ROOTS[size - 1])


@pytest.mark.parametrize("old,new,proof", CONSISTENCY)
def test_consistency_proofs_match_the_published_ones_and_verify(old, new, proof):
    assert TREE.prover.consistency(old, new) == proof
    assert verify_consistency(old, new, ROOTS[old - 1], ROOTS[new - 1], proof)


@pytest.mark.parametrize("index,size,proof", INCLUSION)
def test_a_tampered_inclusion_proof_fails(index, size, proof):
    leaf, root = leaf_hash(LEAVES[index]), ROOTS[size - 1]
    probes = [
        (index + 1, size, leaf, proof, root),
        (index, size * 2, leaf, proof, root),
        (index, size, leaf_hash(b"other"), proof, root),
        (index, size, leaf, proof, EMPTY_ROOT),
        (index, size, leaf, proof + [root], root),
        (index, size, leaf, [root] + proof, root),
        (index, size, leaf, proof[:-1], root),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, leaf, flipped, root))
    for probe in probes:
        assert not verify_inclusion(*probe), probe


@pytest.mark.parametrize("old,new,proof", CONSISTENCY)
def test_a_tampered_consistency_proof_fails(old, new, proof):
    r1, r2 = ROOTS[old - 1], ROOTS[new - 1]
    probes = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new, r2, r1, proof),
        (old, new, EMPTY_ROOT, r2, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, proof + [r1]),
        (old, new, r1, r2, [r2] + proof),
        (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((old, new, r1, r2, flipped))
    for probe in probes:
        assert not verify_consistency(*probe), probe[:2]


def test_trivial_consistency():
    assert verify_consistency(0, 5, EMPTY_ROOT, ROOTS[4], [])
    assert verify_consistency(3, 3, ROOTS[2], ROOTS[2], [])
    assert not verify_consistency(3, 3, ROOTS[2], ROOTS[3], [])
    assert not verify_consistency(4, 3, ROOTS[3], ROOTS[2], [])


def test_every_proof_of_a_larger_tree_verifies_against_the_recursive_definition():
    rng = random.Random(9162)
    leaves = [leaf_hash(rng.randbytes(rng.randrange(0, 20))) for _ in range(70)]
    tree = MemoryTree(leaves)
    for size in range(1, 71):
        root = reference_root(leaves[:size])
        assert tree.prover.root(size) == root
        for index in range(size):
            assert verify_inclusion(index, size, leaves[index], tree.prover.inclusion(index, size), root)
        for old in range(1, size):
            proof = tree.prover.consistency(old, size)
            assert verify_consistency(old, size, reference_root(leaves[:old]), root, proof)


def test_subtrees_decompose_a_range_into_aligned_complete_subtrees():
    assert subtrees(0, 7) == [(2, 0), (1, 2), (0, 6)]
    assert subtrees(4, 8) == [(2, 1)]
    assert subtrees(0, 0) == []
