"""Benchmark: the log-wide transparency tree on PostgreSQL at a national scale.

    python -m bench.tlog [--leaves 1000000] [--batch 10000] [--samples 300] [--keep]

Appends `--leaves` leaves to the stored tree in batches of `--batch`, as the checkpointer does after
reading the new events (the leaves are hashes of synthetic "<position>:<hash>" data: the events'
own reading and hash check are the checkpointer's cost with or without the tree, measured elsewhere),
reporting the append cost per leaf as the tree grows; then the latency of a root, an inclusion proof
of a random leaf and a consistency proof between random sizes, each answered from the stored nodes
in one round trip per table, and checked with the RFC 9162 verifiers (not timed).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import time

from application.audit.tlog.proofs import leaf_hash, verify_consistency, verify_inclusion
from application.audit.tlog.store import TreeStore, leaf_data
from bench.common import fresh_store, save_result


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 3),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3),
        "max_ms": round(ordered[-1] * 1000, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rng = random.Random(9162)
    with fresh_store("tlog", args.keep) as settings:
        store = TreeStore(settings)
        store.prepare()
        size, leaves, checkpoints = 0, [], []
        started = time.perf_counter()
        while size < args.leaves:
            count = min(args.batch, args.leaves - size)
            batch = []
            for position in range(size + 1, size + count + 1):
                digest = hashlib.sha256(position.to_bytes(8, "big")).hexdigest()
                batch.append((position, leaf_hash(leaf_data(position, digest))))
            leaves.extend(h for _, h in batch)
            began = time.perf_counter()
            size = store.append(batch, size)
            checkpoints.append((size, (time.perf_counter() - began) / count))
        total = time.perf_counter() - started
        roots, inclusions, consistencies = [], [], []
        for _ in range(args.samples):
            new = rng.randrange(2, size + 1)
            old = rng.randrange(1, new)
            index = rng.randrange(new)
            began = time.perf_counter()
            root = store.root(new)
            roots.append(time.perf_counter() - began)
            began = time.perf_counter()
            proof = store.inclusion(index, new)
            inclusions.append(time.perf_counter() - began)
            assert verify_inclusion(index, new, leaves[index], proof, root)
            began = time.perf_counter()
            consistency = store.consistency(old, new)
            consistencies.append(time.perf_counter() - began)
            assert verify_consistency(old, new, store.root(old), root, consistency)
        per_leaf = [cost for _, cost in checkpoints]
        save_result(
            "tlog",
            {
                "store": "postgres",
                "leaves": size,
                "batch": args.batch,
                "append": {
                    "total_s": round(total, 1),
                    "per_leaf_us_mean": round(statistics.mean(per_leaf) * 1e6, 2),
                    "per_leaf_us_last_batch": round(per_leaf[-1] * 1e6, 2),
                    "per_leaf_us_first_batch": round(per_leaf[0] * 1e6, 2),
                },
                "root": _percentiles(roots),
                "inclusion_proof": _percentiles(inclusions),
                "consistency_proof": _percentiles(consistencies),
                "samples": args.samples,
            },
        )


if __name__ == "__main__":
    main()
