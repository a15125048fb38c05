"""The log-wide tree kept beside the events: its leaves and its complete subtrees, proofs from them.

- `mutasi_audit_leaves` (index, position, hash): leaf `index` is the event at store `position`, its
  hash SHA-256(0x00 || "<position>:<event hash>") (the leaf data of `leaf_data`).
- `mutasi_audit_nodes` (level, index, hash) for level >= 1: every complete subtree, written once
  when its last leaf arrives and never changed. A proof or root of any size needs at most 2 log2(n)
  of them, read in one query: proofs take milliseconds at tens of millions of events.

The tree is extended by the checkpointer (`extend`), which already reads the new events in store
order and checks each against its hash before signing over it; the events table and the writers are
left as they are (no extra work inside the write transactions, which are the service's bottleneck).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from typing import Any

import psycopg
from psycopg import sql

from application.audit.tlog.proofs import Node, Prover, node_hash, subtrees
from application.errors import ConcurrentChange
from application.persistence.stores import Stores
from application.settings import Settings

LEAVES, NODES, HEADS, RECEIPTS = (
    "mutasi_audit_leaves",
    "mutasi_audit_nodes",
    "mutasi_audit_heads",
    "mutasi_audit_receipts",
)


def leaf_data(position: int, event_hash: str) -> bytes:
    """What a leaf commits to: the event's store position and its chain hash."""
    return f"{position}:{event_hash}".encode()


class TreeConflict(ConcurrentChange):
    """Another process extended the tree at the same time."""


class TreeStore:
    """Reads and extends the stored tree (SQLite or PostgreSQL, beside the events)."""

    def __init__(self, stores: Stores | Settings) -> None:
        """The tree beside the events of `stores` (given `Settings`, of stores used only for its own
        connections, which `close` closes)."""
        self.stores = Stores.of(stores)
        self.settings = settings = self.stores.settings
        if settings.store not in ("sqlite", "postgres"):
            raise ValueError("the transparency tree needs a SQLite or PostgreSQL event store")
        self.sqlite = settings.store == "sqlite"
        self.prover = Prover(self.nodes)
        self._reader: psycopg.Connection[Any] | None = None

    def prepare(self) -> None:
        """Create the tables (idempotent)."""
        big, blob = ("INTEGER", "BLOB") if self.sqlite else ("bigint", "bytea")
        with self._conn() as conn:
            self._run(
                conn,
                f"CREATE TABLE IF NOT EXISTS {{t}} (idx {big} PRIMARY KEY, position {big} NOT NULL "
                f"UNIQUE, hash {blob} NOT NULL)",
                LEAVES,
            )
            self._run(
                conn,
                f"CREATE TABLE IF NOT EXISTS {{t}} (level {big} NOT NULL, idx {big} NOT NULL, "
                f"hash {blob} NOT NULL, PRIMARY KEY (level, idx))",
                NODES,
            )
            self._run(conn, f"CREATE TABLE IF NOT EXISTS {{t}} (size {big} PRIMARY KEY, note TEXT NOT NULL)", HEADS)
            self._run(
                conn, f"CREATE TABLE IF NOT EXISTS {{t}} (code TEXT PRIMARY KEY, position {big} NOT NULL)", RECEIPTS
            )

    def add_receipts(self, codes: Sequence[tuple[str, int]]) -> None:
        """Note the receipt codes of decree events (code, store position)."""
        with self._conn() as conn:
            for code, position in codes:
                self._run(
                    conn,
                    "INSERT INTO {t} (code, position) VALUES ({p}, {p}) ON CONFLICT (code) DO NOTHING",
                    RECEIPTS,
                    [code, position],
                )

    def receipt_position(self, code: str) -> int | None:
        """The store position of the decree event with this receipt code."""
        with self._conn() as conn:
            rows = self._run(conn, "SELECT position FROM {t} WHERE code = {p}", RECEIPTS, [code])
        return int(rows[0][0]) if rows else None

    def add_head(self, size: int, note: str) -> None:
        """Keep a signed tree head (its cosignatures are added to the same text later)."""
        with self._conn() as conn:
            self._run(
                conn,
                "INSERT INTO {t} (size, note) VALUES ({p}, {p}) ON CONFLICT (size) DO UPDATE SET note = excluded.note",
                HEADS,
                [size, note],
            )

    def update_head(self, size: int, change: Callable[[str], str]) -> str | None:
        """Replace the kept head of `size` by `change(note)` in one transaction, the row locked (two
        witnesses posting at once both keep their cosignature); None when no such head is kept."""
        lock = "" if self.sqlite else " FOR UPDATE"
        with self._conn(transaction=True) as conn:
            rows = self._run(conn, "SELECT note FROM {t} WHERE size = {p}" + lock, HEADS, [size])
            if not rows:
                return None
            note = change(str(rows[0][0]))
            self._run(conn, "UPDATE {t} SET note = {p} WHERE size = {p}", HEADS, [note, size])
        return note

    def heads(self) -> list[tuple[int, str]]:
        """Every kept (size, signed note), smallest first (none before the tree was made)."""
        try:
            with self._conn() as conn:
                return [
                    (int(size), str(text))
                    for size, text in self._run(conn, "SELECT size, note FROM {t} ORDER BY size", HEADS)
                ]
        except (sqlite3.OperationalError, psycopg.errors.UndefinedTable):
            return []

    def head(self, size: int | None = None) -> tuple[int, str] | None:
        """The kept head of `size` (None: the latest), if any."""
        with self._conn() as conn:
            rows = (
                self._run(conn, "SELECT size, note FROM {t} ORDER BY size DESC LIMIT 1", HEADS)
                if size is None
                else self._run(conn, "SELECT size, note FROM {t} WHERE size = {p}", HEADS, [size])
            )
        return (int(rows[0][0]), str(rows[0][1])) if rows else None

    def size(self) -> tuple[int, int]:
        """(number of leaves, store position of the last one; 0 for none)."""
        with self._conn() as conn:
            [(count, last)] = self._run(conn, "SELECT COUNT(*), COALESCE(MAX(position), 0) FROM {t}", LEAVES)
        return int(count), int(last)

    def nodes(self, wanted: Iterable[Node]) -> dict[Node, bytes]:
        """The hashes of complete subtrees (level 0: leaves), in one round trip per table."""
        wanted = list(wanted)
        leaves = [index for level, index in wanted if level == 0]
        inner = [(level, index) for level, index in wanted if level > 0]
        found: dict[Node, bytes] = {}
        with self._conn() as conn:
            if leaves:
                marks = ", ".join(["{p}"] * len(leaves))
                for index, digest in self._run(
                    conn, f"SELECT idx, hash FROM {{t}} WHERE idx IN ({marks})", LEAVES, leaves
                ):
                    found[(0, int(index))] = bytes(digest)
            rows: list[Any] = []
            if inner and self.sqlite:
                condition = " OR ".join(["(level = {p} AND idx = {p})"] * len(inner))
                params = [value for node in inner for value in node]
                rows = self._run(conn, "SELECT level, idx, hash FROM {t} WHERE " + condition, NODES, params)
            elif inner:  # one index probe per node
                rows = self._run(
                    conn,
                    "SELECT n.level, n.idx, n.hash FROM {t} n JOIN unnest({p}::bigint[], "
                    "{p}::bigint[]) AS w(level, idx) ON n.level = w.level AND n.idx = w.idx",
                    NODES,
                    [[level for level, _ in inner], [index for _, index in inner]],
                )
            for level, index, digest in rows if inner else ():
                found[(int(level), int(index))] = bytes(digest)
        missing = set(wanted) - set(found)
        if missing:
            raise LookupError(f"the stored tree lacks nodes {sorted(missing)[:3]}: run `mutasi audit migrate`")
        return found

    def leaf_index(self, position: int) -> int | None:
        """The leaf index of the event at `position` (None when it is not in the tree yet)."""
        with self._conn() as conn:
            rows = self._run(conn, "SELECT idx FROM {t} WHERE position = {p}", LEAVES, [position])
        return int(rows[0][0]) if rows else None

    def leaves(self, first: int, last: int) -> list[tuple[int, int, bytes]]:
        """(index, position, leaf hash) of leaves `first`..`last`."""
        with self._conn() as conn:
            rows = self._run(
                conn,
                "SELECT idx, position, hash FROM {t} WHERE idx >= {p} AND idx <= {p} ORDER BY idx",
                LEAVES,
                [first, last],
            )
        return [(int(i), int(p), bytes(h)) for i, p, h in rows]

    def append(self, entries: Sequence[tuple[int, bytes]], size: int) -> int:
        """Add leaves (position, leaf hash) after the first `size` leaves, with every subtree they complete,
        in one transaction; returns the new size. `TreeConflict` when the tree is no longer `size`."""
        if not entries:
            return size
        frontier: list[tuple[int, int, bytes]] = []
        stack = subtrees(0, size)
        if stack:
            known = self.nodes(stack)
            frontier = [(level, index, known[(level, index)]) for level, index in stack]
        leaf_rows, node_rows = [], []
        for offset, (position, digest) in enumerate(entries):
            index = size + offset
            leaf_rows.append((index, position, digest))
            frontier.append((0, index, digest))
            while len(frontier) > 1 and frontier[-1][0] == frontier[-2][0]:
                level, right_index, right = frontier.pop()
                _, _, left = frontier.pop()
                parent = (level + 1, right_index >> 1, node_hash(left, right))
                frontier.append(parent)
                node_rows.append(parent)
        try:
            with self._conn(transaction=True) as conn:
                self._bulk(conn, LEAVES, ("idx", "position", "hash"), leaf_rows)
                self._bulk(conn, NODES, ("level", "idx", "hash"), node_rows)
        except (sqlite3.IntegrityError, psycopg.errors.UniqueViolation):
            raise TreeConflict(
                "the tree was extended concurrently (try again), or the store hands out again "
                "positions the tree already holds: events were deleted (run `mutasi audit "
                "verify`)"
            ) from None
        return size + len(entries)

    def root(self, size: int) -> bytes:
        """The root of the tree of the first `size` leaves."""
        return self.prover.root(size)

    def inclusion(self, index: int, size: int) -> list[bytes]:
        """Inclusion proof of leaf `index` in the tree of `size` leaves."""
        return self.prover.inclusion(index, size)

    def consistency(self, old: int, new: int) -> list[bytes]:
        """Consistency proof from `old` to `new` leaves."""
        return self.prover.consistency(old, new)

    def clear(self) -> None:
        """Drop every leaf and node (before rebuilding the tree from the events)."""
        with self._conn(transaction=True) as conn:
            self._run(conn, "DELETE FROM {t}", NODES)
            self._run(conn, "DELETE FROM {t}", LEAVES)

    def _bulk(self, conn: Any, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self.sqlite:
            conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
            )
            return
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            self.stores.table(table), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        with conn.cursor().copy(statement) as copy:
            for row in rows:
                copy.write_row(row)

    def _run(self, conn: Any, query: str, table: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[Any]:
        if self.sqlite:
            cursor = conn.execute(query.format(t=table, p="?"), list(params))
            rows: list[Any] = cursor.fetchall()
            return rows
        statement = sql.SQL(query.format(t="{t}", p="%s")).format(t=self.stores.table(table))
        cursor = conn.execute(statement, list(params))
        return cursor.fetchall() if cursor.description else []

    @contextmanager
    def _conn(self, transaction: bool = False) -> Iterator[Any]:
        if self.sqlite:
            with self.stores.sqlite() as conn:
                if transaction:
                    conn.execute("BEGIN IMMEDIATE")
                    try:
                        yield conn
                    except BaseException:
                        conn.execute("ROLLBACK")
                        raise
                    conn.execute("COMMIT")
                else:
                    yield conn
            return
        if not transaction:  # reads share one autocommit connection for the life of this object
            if self._reader is None or self._reader.closed:
                self._reader = self.stores.postgres()
            yield self._reader
            return
        with self.stores.postgres(autocommit=False) as pg_conn:
            yield pg_conn  # psycopg commits on a clean exit, rolls back on an exception

    def close(self) -> None:
        """Close the read connection (PostgreSQL), if one was opened."""
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def __del__(self) -> None:
        with suppress(Exception):  # at interpreter shutdown
            self.close()
