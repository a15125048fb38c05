"""Use cases for bulk loading (the roster import): which aggregates exist, and one save of many.

`save_batch` writes the pending events of many aggregates in ONE transaction with every guarantee of
the normal save: events go through the same mapper (metadata, hash chain); on PostgreSQL the batch
takes the library's EXCLUSIVE lock on the events table before any notification id is drawn and holds
it through commit (notification order equals commit order), sends the library's NOTIFY to listeners,
and the table's primary key still refuses a version that exists (`ConcurrentChange`, nothing saved).
Only the transport differs: binary `COPY` instead of an `INSERT` of an array of composite values,
which psycopg builds in Python per event. Other stores insert through the library's recorder. On
every store the batch's events are recorded with each aggregate's first event ahead of the rest, so
nothing in the notification log refers to an aggregate before the event that created it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg import sql

from application.base import MutasiBase
from application.context import Actor, EventMetadata, recording_metadata
from application.errors import StoreUnavailable


class BulkUseCases(MutasiBase):
    """Loading many aggregates at once."""

    def stored_ids(self, ids: Iterable[UUID]) -> set[UUID]:
        """Those of `ids` that have events in the store (one indexed query for all of them)."""
        ids = list(ids)
        if not ids:
            return set()
        recorder: Any = self.recorder
        with self._store_errors():
            if isinstance(recorder, PostgresApplicationRecorder):
                query = sql.SQL("SELECT DISTINCT originator_id FROM {} WHERE originator_id = ANY(%s)").format(
                    sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
                )
                with recorder.datastore.transaction(commit=False) as cursor:
                    cursor.execute(query, (ids,))
                    return {UUID(str(row["originator_id"])) for row in cursor.fetchall()}
            if isinstance(recorder, SQLiteApplicationRecorder):
                marks = ",".join("?" * len(ids))
                with recorder.datastore.transaction(commit=False) as cursor:
                    cursor.execute(
                        f"SELECT DISTINCT originator_id FROM {recorder.events_table_name} "  # noqa: S608
                        f"WHERE originator_id IN ({marks})",
                        [i.hex for i in ids],  # the library stores SQLite ids as 32 hex digits
                    )
                    return {UUID(str(row[0])) for row in cursor.fetchall()}
        return {i for i in ids if self._exists(i)}

    def save_batch(self, actor: Actor, aggregates: Sequence[Aggregate]) -> int | None:
        """Save the pending events of all `aggregates` atomically; returns the last notification id.

        Meant for large batches (thousands of events). Raises `ConcurrentChange` when any of the
        events' versions is already stored: then nothing of the batch is saved.
        """
        recorder: Any = self.recorder
        postgres = isinstance(recorder, PostgresApplicationRecorder)
        if self.snapshots or self.repository.cache or (postgres and recorder.datastore.enable_db_functions):
            return self._save(actor, *aggregates)
        token = recording_metadata.set(EventMetadata.now(actor))
        try:
            events = _creations_first([aggregate.collect_events() for aggregate in aggregates])
            stored = [self.mapper.to_stored_event(event) for event in events]
            with self._store_errors():
                if not stored:
                    return None
                if postgres:
                    return _copy_events(recorder, stored)
                ids = recorder.insert_events(stored)  # one transaction (SQLite: its single writer)
                return ids[-1] if ids else None
        except BaseException:
            self.mapper.chain.forget(aggregate.id for aggregate in aggregates)
            raise
        finally:
            recording_metadata.reset(token)


def _creations_first(pending: Sequence[Sequence[Any]]) -> list[Any]:
    """The events of a batch with every aggregate's first event before all the others (each aggregate's
    own events stay in order): whatever refers to an aggregate of the batch (a holder added to a new
    position, an employee placed in it) then comes after the event that created it, so a reader of
    the notification log never meets a reference before its subject."""
    created = [events[0] for events in pending if events and events[0].originator_version == 1]
    rest = [event for events in pending for event in events if event.originator_version != 1]
    return created + rest


def _copy_events(recorder: PostgresApplicationRecorder, stored: list[StoredEvent]) -> int:
    """COPY `stored` in one transaction under the library's table lock and NOTIFY; the last id."""
    table = sql.Identifier(recorder.datastore.schema, recorder.events_table_name)
    copy = sql.SQL("COPY {} (originator_id, originator_version, topic, state) FROM STDIN (FORMAT binary)")
    with recorder.datastore.transaction(commit=True) as cursor:
        for statement in recorder.lock_table_statements:  # SET LOCAL lock_timeout; LOCK ... EXCLUSIVE
            cursor.execute(statement)
        cursor.execute(sql.SQL("NOTIFY {}").format(sql.Identifier(recorder.channel_name)))
        with cursor.copy(copy.format(table)) as rows:
            rows.set_types([recorder.datastore.originator_id_type, "int8", "text", "bytea"])
            for event in stored:
                rows.write_row((event.originator_id, event.originator_version, event.topic, event.state))
        # The lock is ours until commit: the highest id in the table is the last one we drew.
        cursor.execute(sql.SQL("SELECT max(notification_id) AS last FROM {}").format(table))
        row = cursor.fetchone()
    if row is None:  # an aggregate query always answers one row
        raise StoreUnavailable("the event store gave no highest notification id after the COPY")
    return int(row["last"])
