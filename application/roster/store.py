"""Which aggregates the event store already holds, asked for many ids in one query."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from application.base import MutasiBase


def stored_ids(app: MutasiBase, ids: Sequence[UUID]) -> set[UUID]:
    """The ids among `ids` that have events (one indexed query on SQLite and PostgreSQL)."""
    if not ids:
        return set()
    recorder = app.recorder
    table = getattr(recorder, "events_table_name", None)
    settings = app.settings
    if settings.store == "postgres" and table:
        from psycopg import sql

        query = sql.SQL("SELECT DISTINCT originator_id FROM {}.{} WHERE originator_id = ANY(%s)").format(
            sql.Identifier(recorder.datastore.schema), sql.Identifier(table))  # type: ignore[attr-defined]
        with recorder.datastore.get_connection() as conn, conn.cursor() as cursor:  # type: ignore[attr-defined]
            cursor.execute(query, (list(ids),))
            return {row["originator_id"] for row in cursor.fetchall()}
    if settings.store == "sqlite" and table:
        marks = ",".join("?" * len(ids))
        with recorder.datastore.transaction(commit=False) as cursor:  # type: ignore[attr-defined]
            cursor.execute(
                f"SELECT DISTINCT originator_id FROM {table} WHERE originator_id IN ({marks})",  # noqa: S608
                [i.hex for i in ids],  # the library stores SQLite ids as 32 hex digits
            )
            return {UUID(str(row[0])) for row in cursor.fetchall()}
    return {i for i in ids if app.exists(i)}
