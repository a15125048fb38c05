"""What the store keeps beside the checkpoints that lets verification say *which* event went missing.

- Each checkpoint's segment, as the (position, event hash) pairs it signed, in `mutasi_audit_segments`.
  Unsigned, so trusted only when the pairs give the checkpoint's signed Merkle root: then a root that
  no longer matches the store is traced to the first event that differs.
- The last position the store has handed out, where the store remembers it beyond its rows: on
  PostgreSQL the notification id sequence (deleting the last events does not wind it back). SQLite
  gives a new row the highest rowid plus one, so a deleted tail leaves no trace there.
"""

from __future__ import annotations

import sqlite3
import struct
from collections.abc import Sequence

import psycopg

from application.audit.storage import AuditStorage

SEGMENTS = "mutasi_audit_segments"
_PAIR = struct.Struct(">Q32s")


class AuditTraces(AuditStorage):
    """Reads and writes the kept segments, and reads the store's issued positions."""

    def keep_segment(self, sequence: int, pairs: Sequence[tuple[int, str]]) -> None:
        """Keep the (position, hash) pairs checkpoint `sequence` signed."""
        blob = b"".join(_PAIR.pack(position, bytes.fromhex(digest)) for position, digest in pairs)
        kind = "INTEGER" if self.settings.store == "sqlite" else "bigint"
        data = "BLOB" if self.settings.store == "sqlite" else "bytea"
        self._execute(
            f"CREATE TABLE IF NOT EXISTS {{t}} (sequence {kind} PRIMARY KEY, pairs {data} NOT NULL)", SEGMENTS, ()
        )
        self._execute(
            "INSERT INTO {t} (sequence, pairs) VALUES ({p}, {p}) "  # a checkpoint made again replaces
            "ON CONFLICT (sequence) DO UPDATE SET pairs = excluded.pairs",
            SEGMENTS,
            (sequence, blob),
        )

    def segment(self, sequence: int) -> list[tuple[int, str]] | None:
        """The pairs kept for checkpoint `sequence` (None when none were kept or they are unreadable)."""
        try:
            rows = self._fetch("SELECT pairs FROM {t} WHERE sequence = {p}", SEGMENTS, (sequence,))
        except (sqlite3.OperationalError, psycopg.errors.UndefinedTable):
            return None
        if len(rows) != 1 or len(bytes(rows[0][0])) % _PAIR.size:
            return None
        return [(position, digest.hex()) for position, digest in _PAIR.iter_unpack(bytes(rows[0][0]))]

    def issued(self) -> int | None:
        """The last position the store handed out, rows deleted or not (None where it is not known)."""
        if self.settings.store != "postgres" or self.events_table is None:
            return None
        with self.stores.postgres() as conn:
            table = self.stores.table(self.events_table).as_string(conn)
            last: int | None  # NULL before the sequence was first used
            [(last,)] = conn.execute(
                "SELECT pg_sequence_last_value(pg_get_serial_sequence(%s, 'notification_id'))", (table,)
            ).fetchall()
        return last
