"""Partitions of a rebuild: the views' work shared by aggregate among processes, on one machine or many.

A partition `k` of `n` reads every event in store order (as every runner does) and applies to each view
only the events whose `DocumentProjection.partition_key` hashes to `k` (a stable hash: CRC-32 of the
key's text, the same in every process and on every machine). Each view declares a key such that every
row an event touches or reads belongs to that key's partition (an employee's rows follow the employee,
a unit's row gathers its positions, an agency's row its positions and rounds), so partitions never
write the same row and each row sees exactly the events an unpartitioned runner would apply to it, in
the same order. Each partition records its own position (`<view>@v<version>#k/n`) with its rows, in
one transaction per batch: a partition killed mid-batch and started again resumes where it committed.

A partitioned rebuild (`projections.scale_out`) records its plan in the views' database: the new
version of each view, the number of partitions and the store position all partitions stop at. The
partitions may run anywhere the database is reachable; when every partition has reached that
position, one step catches the new versions up to the store's head and makes them live together.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any
from uuid import UUID


@dataclass(frozen=True)
class Partition:
    """Partition `index` (0-based) of `count`."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"no partition {self.index + 1} of {self.count}")

    @property
    def label(self) -> str:
        """How positions of this partition are named: `#k/n`, 1-based as people count."""
        return f"#{self.index + 1}/{self.count}"

    def owns(self, key: Any) -> bool:
        """True when events with this partition key belong to this partition."""
        return self.count == 1 or stable_hash(key) % self.count == self.index


def stable_hash(key: Any) -> int:
    """The same number for the same key in every process and on every machine (Python's `hash` of
    text differs between processes): a UUID's own 128 bits (also when it comes as text, with or
    without hyphens, as SQLite stores it), else CRC-32 of the key's text."""
    if type(key) is UUID:
        return key.int
    text = str(key)
    if len(text) in (32, 36):
        try:
            return UUID(text).int
        except ValueError:
            pass
    return zlib.crc32(text.encode())
