"""What the store remembers beyond its rows, which lets verification see a deleted tail the tree does not
cover yet: on PostgreSQL the notification id sequence (deleting the last events does not wind it back).
SQLite gives a new row the highest rowid plus one, so a deleted tail leaves no trace there.

(Naming the first bad event inside a signed tree head needs nothing here: the tree's leaves are kept
per position in `mutasi_audit_leaves`.)
"""

from __future__ import annotations

from application.audit.storage import AuditStorage


class AuditTraces(AuditStorage):
    """Reads the store's issued positions."""

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
