"""Use cases for bulk loading (the roster import): which aggregates exist, and one save of many.

`save_batch` is the commands' own save (`MutasiBase._recorded`: the mapper, the hash chain, the
metadata, optimistic concurrency) given many aggregates: their events go in ONE transaction, each
aggregate's first event ahead of the rest (`application.persistence.event_store`), and on PostgreSQL
the recorder writes a bulk save with binary `COPY` under the library's table lock
(`application.persistence.group_commit`). A version that exists already refuses the whole batch
(`ConcurrentChange`, nothing saved).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.base import MutasiBase
from application.context import Actor
from application.persistence.event_log import EventLog


class BulkUseCases(MutasiBase):
    """Loading many aggregates at once."""

    def stored_ids(self, ids: Iterable[UUID]) -> set[UUID]:
        """Those of `ids` that have events in the store (one indexed query for all of them)."""
        with self._store_errors():
            return EventLog(self.recorder).stored_ids(ids)

    def save_batch(self, actor: Actor, aggregates: Sequence[Aggregate]) -> int | None:
        """Save the pending events of all `aggregates` atomically; returns the last notification id.

        Meant for large batches (thousands of events). Raises `ConcurrentChange` when any of the
        events' versions is already stored: then nothing of the batch is saved.
        """
        if not aggregates:
            return None
        return self._recorded(actor, *aggregates, bulk=True).position
