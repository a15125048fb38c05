"""Our projection runner: catch up in batches, then follow live, on SQLite and PostgreSQL alike.

Each batch is read once from the notification log, decoded once, and applied to every view that is
behind; the rows and tracking positions of all those views then commit in ONE transaction, so an
event lands exactly once in each view, also across crashes. Following: PostgreSQL
LISTEN wakes the runner when events are written, polling every `poll_interval` is the safety net
(SQLite only polls). Any database error closes everything, waits with back-off, reconnects and
resumes from the tracked positions.

Gaps: PostgreSQL may hand out notification ids that commit later than higher ids (a writer that does
not take the library's table lock, or a rolled-back insert, which leaves a gap forever). A gap above
the "settled horizon" is never passed over: the runner briefly takes a SHARE lock on the events table,
which waits for every transaction that is inserting, and records the highest id then visible; every id
at or below it is decided (committed or never). Then it reads again. The lock waits at most 250 ms
(writers queue behind it meanwhile); when an insert holds the table longer, the runner applies what
lies before the gap and tries again later, backing off up to 30 s.
"""

from __future__ import annotations

import gc
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import PersistenceError, Tracking
from eventsourcing.utils import resolve_topic

from application.persistence.connections import APPLICATION_NAME
from application.persistence.event_log import EventLog
from application.persistence.stores import Stores
from application.service import MutasiApplication
from application.settings import Settings
from domain.mutation_round import MutationRound
from domain.position import Position
from projections.base import DocumentProjection, event_ids, recorded_at
from projections.catalogue import VIEWS, projection_class
from projections.directory import Directory, lookups
from projections.partitions import Partition
from projections.store import DocumentView, ViewDatabase

log = logging.getLogger("mutasi.projections")
DB_ERRORS = (PersistenceError, psycopg.Error, sqlite3.Error, OSError)


class ProjectionRunner:
    """Runs some views (all by default). `versions` pins view versions and `indexes=False` leaves
    their indexes to the caller (both used by rebuild). With `partition` it applies only that
    partition's share of each view's events (`projections.partitions`), under positions of its own;
    with `until` it reads no event after that position."""

    def __init__(
        self,
        stores: Stores | Settings,
        views: Iterable[str] | None = None,
        *,
        batch_size: int = 1000,
        poll_interval: float = 1.0,
        versions: dict[str, int] | None = None,
        indexes: bool = True,
        read_ahead: bool | None = None,
        partition: Partition | None = None,
        until: int | None = None,
    ) -> None:
        self._own_stores = isinstance(stores, Settings)  # then each `open` opens them, `close` closes them
        self.settings = settings = stores if isinstance(stores, Settings) else stores.settings
        self._stores = None if isinstance(stores, Settings) else stores
        self.names = list(views) if views is not None else list(VIEWS)
        for name in self.names:
            projection_class(name)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.pinned = dict(versions or {})
        self.indexes = indexes  # False: a rebuild creates the indexes itself before going live
        # Read each batch's rows and facts ahead (`_read_ahead`): by default on PostgreSQL, where a read
        # is a round trip; SQLite reads in process (a read one by one costs ~15 µs), and there the read
        # ahead measured slower for a rebuild (bench/projection_rebuild.py, README "Benchmarks").
        self.read_ahead = settings.store == "postgres" if read_ahead is None else read_ahead
        self.projections: dict[str, DocumentProjection] = {}
        self.positions: dict[str, int] = {}
        self.db: ViewDatabase | None = None
        self.reader: MutasiApplication | None = None
        self.log: EventLog | None = None
        self._listener: psycopg.Connection[Any] | None = None
        self._horizon = 0
        self._settle_after, self._settle_backoff = 0.0, 0.5
        self._nudge = threading.Event()
        self._catching_up = False
        self.partition = partition
        self.until = until
        self.directory = Directory(self._first_event, events_of=self._events_of)

    # -- connecting --------------------------------------------------------------

    def open(self) -> None:
        """Connect to the store and the views; load the live (or pinned) version of each view."""
        if self.reader is not None:
            return
        try:
            if self._stores is None:
                self._stores = Stores(self.settings)
            self.db = ViewDatabase(self._stores)
            self.reader = MutasiApplication(self._stores)
            self.log = EventLog(self.reader.recorder)
            self._load()
        except BaseException:
            self.close()
            raise

    def _load(self) -> None:
        assert self.db is not None
        live = self.db.live_versions()
        self.projections, self.positions = {}, {}
        for name in self.names:
            cls = projection_class(name)
            version = self.pinned.get(name) or live.get(name) or 1
            label = self.partition.label if self.partition is not None else ""
            view = DocumentView(self.db, name, version, cls.tables, partition=label)
            if self.partition is not None:
                view.partition_share(self.partition.count)
            view.create_tables(indexes=self.indexes)
            view.track_keys()
            if name not in self.pinned and name not in live:
                self.db.set_live(name, version)
            self.projections[name] = cls(view, self.directory)
            self.positions[name] = view.position
        self._routes: dict[str, list[tuple[str, Any]]] = {}
        self._by_aggregate: dict[str, bool] = {}  # topic -> every view running it partitions it by aggregate
        self._live = {n: v for n, v in live.items() if n in self.names}

    def close(self) -> None:
        """Disconnect (the runner can open again)."""
        for closing in (self._listener, self.reader):
            if closing is not None:
                try:
                    closing.close()
                except Exception:  # pragma: no cover - closing a broken connection
                    log.debug("error while closing", exc_info=True)
        self._listener, self.reader, self.db, self.log = None, None, None, None
        if self._own_stores and self._stores is not None:
            self._stores.close()
            self._stores = None

    # -- processing --------------------------------------------------------------

    @property
    def position(self) -> int:
        """The lowest position among the views run."""
        return min(self.positions.values(), default=0)

    def step(self) -> int:
        """Apply one batch to every view that is behind; returns the number of events read."""
        self.open()
        assert self.reader is not None
        start = self.position
        notifications = self._read(start)
        if not notifications:
            return 0
        last = notifications[-1]
        behind = {name: self.positions[name] for name in self.projections if self.positions[name] < last.id}
        work, when = self._route_batch(notifications, behind)
        projections = [self.projections[name] for name in work]
        assert self.db is not None
        try:  # every view behind: its rows and its position, all in ONE transaction per batch
            if self.read_ahead:
                self._read_ahead(work)
            for projection, applying in zip(projections, work.values(), strict=False):
                for handler, domain_event, event_tracking in applying:
                    handler(projection, domain_event, event_tracking)
            tracking, recorded = Tracking(APPLICATION_NAME, last.id), recorded_at(when)
            with self.db.transaction(commit=True) as cursor:
                self.db.relax_commit(cursor)
                for projection in projections:
                    projection.flush(tracking, recorded, cursor)
        except BaseException:
            for projection in projections:
                projection.discard()
            raise
        finally:
            self.directory.end_batch()
        for name, projection in zip(work, projections, strict=False):
            projection.committed()
            self.positions[name] = last.id
        return len(notifications)

    def _route_batch(
        self,
        notifications: Sequence[Any],
        behind: dict[str, int],
    ) -> tuple[dict[str, list[tuple[Any, Any, Tracking]]], Any]:
        """Decode each event once and route it only to the views behind it that handle it (noting the
        directory's facts on the way); also the last event, for the batch's recording time."""
        assert self.reader is not None
        work: dict[str, list[tuple[Any, Any, Tracking]]] = {name: [] for name in behind}
        decode, routes, when = self.reader.mapper.decode, self._routes, None
        directory, facts, last = self.directory, self.directory.topics, notifications[-1]
        decoded = []
        partition, projections = self.partition, self.projections
        owned: dict[Any, bool] = {}
        for n in notifications:
            targets = routes.get(n.topic)
            if targets is None:
                targets = routes[n.topic] = self._route(n.topic)
                self._by_aggregate[n.topic] = all(
                    (otherwise := projections[name].partitioned_otherwise) is not None
                    and resolve_topic(n.topic) not in otherwise
                    for name, _ in targets
                )
            noted = n.topic in facts
            if not targets and not noted and n is not last:
                continue
            if partition is not None and not noted and n is not last and self._by_aggregate[n.topic]:
                mine = owned.get(n.originator_id)
                if mine is None:
                    mine = owned[n.originator_id] = partition.owns(n.originator_id)
                if not mine:  # another partition's event for every view: not even decoded
                    continue
            domain_event = decode(n.topic, n.state, n.originator_id, n.originator_version, remember=False)
            if noted:
                directory.note(domain_event)
            when = domain_event
            if targets:
                decoded.append((n.id, domain_event, targets))
        if partition is not None:  # a position's or a round's partition may take its facts: read them at once
            directory.prefetch(
                (e.originator_id for _, e, _ in decoded if isinstance(e, (Position.Event, MutationRound.Event))),
                self._first_events,
            )
        for notification_id, domain_event, targets in decoded:
            tracking = Tracking(APPLICATION_NAME, notification_id)
            for name, handler in targets:
                if name in behind and notification_id > behind[name]:
                    if partition is not None:
                        key = projections[name].partition_key(domain_event)
                        mine = owned.get(key)
                        if mine is None:
                            mine = owned[key] = partition.owns(key)
                        if not mine:
                            continue
                    work[name].append((handler, domain_event, tracking))
        return work, when

    def _read_ahead(self, work: dict[str, list[tuple[Any, Any, Tracking]]]) -> None:
        """Before a batch is applied: the facts its events may look up in the directory, in one read of
        the event store, then, for each view, the rows its events may touch, in one query per table
        (see `DocumentProjection.keys_of`). A row or fact missed here is read when needed."""
        ids: dict[int, list[tuple[str, UUID]]] = {}
        keys: dict[int, list[str]] = {}
        wanted: set[UUID] = set()
        for applying in work.values():
            for _, domain_event, _ in applying:
                if id(domain_event) not in ids:
                    carried = ids[id(domain_event)] = event_ids(domain_event)
                    keys[id(domain_event)] = [str(value) for _, value in carried]
                    wanted.update(lookups(domain_event, carried))
        self.directory.prefetch(wanted, self._first_events)
        for name, applying in work.items():
            if not applying:
                continue
            projection = self.projections[name]
            keys_of = projection.keys_of
            anywhere: set[str] = set()  # the events' ids, in every table
            declared: dict[str, set[str]] = {}  # keys a view's `keys_of` names, by table
            for _, domain_event, _ in applying:
                said = keys_of(domain_event, ids[id(domain_event)])
                if said is None:
                    anywhere.update(keys[id(domain_event)])
                else:
                    for table, table_keys in said.items():
                        declared.setdefault(table, set()).update(table_keys)
            projection.prefetch(
                {
                    table: anywhere | declared.get(table, set()) if declared else anywhere
                    for table in projection.view.tables
                }
            )

    def _first_events(self, aggregate_ids: list[UUID]) -> dict[UUID, Any]:
        """The first event of each aggregate, by id, in ONE query (those that have events)."""
        self.open()
        assert self.reader is not None and self.log is not None
        decode = self.reader.mapper.decode
        firsts = {}
        for row in self.log.first_events(aggregate_ids):
            first = decode(row.topic, row.state, row.originator_id, row.originator_version, remember=False)
            firsts[first.originator_id] = first
        return firsts

    def _first_event(self, aggregate_id: UUID) -> Any:
        """An aggregate's first event, read from the store (for facts the directory has not seen)."""
        self.open()
        assert self.reader is not None
        stored = self.reader.recorder.select_events(aggregate_id, limit=1)
        if not stored:
            return None
        first = stored[0]
        return self.reader.mapper.decode(
            first.topic, first.state, first.originator_id, first.originator_version, remember=False
        )

    def _events_of(self, aggregate_id: UUID) -> list[Any]:
        """Every event of an aggregate, decoded (for a proposal the directory has not seen)."""
        self.open()
        assert self.reader is not None
        decode = self.reader.mapper.decode
        return [
            decode(s.topic, s.state, s.originator_id, s.originator_version, remember=False)
            for s in self.reader.recorder.select_events(aggregate_id)
        ]

    def _route(self, topic: str) -> list[tuple[str, Any]]:
        """The views (in catalogue order) that handle events of `topic`, with their handler."""
        cls = resolve_topic(topic)
        return [(name, p.handlers()[cls]) for name, p in self.projections.items() if cls in p.handlers()]

    def _read(self, start: int) -> Sequence[Any]:
        notifications = self.select(start)
        if self.settings.store != "postgres" or self._open_gap(start, notifications) is None:
            return notifications
        if time.monotonic() >= self._settle_after:
            try:
                self._horizon = max(self._horizon, self._settle())
            except DB_ERRORS as error:  # a long insert (a bulk import?) holds the table: back off
                self._settle_backoff = min(self._settle_backoff * 2, 30.0)
                self._settle_after = time.monotonic() + self._settle_backoff
                log.info("gap after %s not settled yet (%s); next try in %.1fs", start, error, self._settle_backoff)
            else:
                self._settle_backoff, self._settle_after = 0.5, 0.0
                notifications = self.select(start)
        cut = self._open_gap(start, notifications)
        return notifications if cut is None else notifications[:cut]

    def select(self, start: int) -> Sequence[Any]:
        """The next batch of notifications after `start` (see `EventLog.after`), none after `until`."""
        assert self.log is not None
        until = self.until
        if until is not None and start >= until:
            return []
        notifications = self.log.after(start, self.batch_size)
        if until is not None and notifications and (notifications[-1].id or 0) > until:
            notifications = [n for n in notifications if (n.id or 0) <= until]
        return notifications

    def _open_gap(self, start: int, notifications: Sequence[Any]) -> int | None:
        """Index of the first notification after a gap that may still fill, if any."""
        previous = start
        for index, notification in enumerate(notifications):
            if notification.id != previous + 1 and notification.id - 1 > self._horizon:
                return index
            previous = notification.id
        return None

    def _settle(self) -> int:
        """Wait (briefly) for every inserting transaction to end; the highest id then visible."""
        assert self.log is not None
        return self.log.settle()

    def drain(self, progress: Callable[[int], None] | None = None) -> int:
        """Apply batches until none is left (a rebuild's fill: automatic full collections off, see
        `collecting_young_only`), calling `progress` with the position after each; the position."""
        while True:
            with collecting_young_only():
                if not self.step():
                    return self.position
            if progress:
                progress(self.position)

    def catch_up(self, until: int | None = None) -> int:
        """Apply batches until no event is left (or `until` is reached); returns the position."""
        while self.step() and (until is None or self.position < until):
            pass
        return self.position

    # -- following ---------------------------------------------------------------

    def nudge(self) -> None:
        """Tell an idle runner that events were written (in-process use)."""
        self._nudge.set()

    def run(self, stop: threading.Event) -> None:
        """Catch up, then follow new events until `stop` is set; survives the database going away."""
        backoff = 0.2
        try:
            while not stop.is_set():
                try:
                    self.open()
                    with collecting_young_only(enabled=self._catching_up):
                        read = self.step()
                    self._catching_up = read >= self.batch_size
                    backoff = 0.2
                    if read < self.batch_size:
                        self._follow_registry()
                        if read == 0:
                            self._wait_for_news(stop)
                except DB_ERRORS as error:
                    log.warning("projection runner lost the database (%s); reconnecting in %.1fs", error, backoff)
                    self.close()
                    stop.wait(backoff)
                    backoff = min(backoff * 2, 5.0)
        finally:
            self.close()

    def _follow_registry(self) -> None:
        """Switch to a view version that a rebuild made live."""
        assert self.db is not None
        live = {n: v for n, v in self.db.live_versions().items() if n in self.names}
        if any(live.get(n) != self._live.get(n) for n in self.names if n not in self.pinned):
            log.info("live view versions changed to %s; switching", live)
            self._load()

    def _wait_for_news(self, stop: threading.Event) -> None:
        if self.settings.store != "postgres":
            self._nudge.wait(self.poll_interval)
            self._nudge.clear()
            return
        if self._listener is None:
            assert self.log is not None
            channel = self.log.channel
            assert self._stores is not None
            self._listener = self._stores.postgres()
            self._listener.execute(f'LISTEN "{channel}"')
            return  # read once more: events may have come before LISTEN
        for _ in self._listener.notifies(timeout=self.poll_interval, stop_after=1):
            pass


@contextmanager
def collecting_young_only(enabled: bool = True) -> Iterator[None]:
    """Around a batch: automatic garbage collection off, the young generations collected at the end.
    Catching up keeps many rows cached, and full collections walked them all again and again (40 %
    of a rebuild's CPU); reference counting frees nearly everything, the young collections the rest."""
    if not enabled or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect(1)


class BackgroundProjections:
    """The runner in a thread of the service (embedded SQLite mode): `start()`, `stop()`, `nudge()`."""

    def __init__(self, stores: Stores | Settings, poll_interval: float = 0.2, **options: Any) -> None:
        self.runner = ProjectionRunner(stores, poll_interval=poll_interval, **options)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start following in a daemon thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="mutasi-projections", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.runner.run(self._stop)
        except BaseException as error:  # a bug in a projection: views stop advancing, status shows lag
            self.error = error
            log.exception("the projections stopped: views will lag until the service restarts")
            self.runner.close()

    @property
    def running(self) -> bool:
        """True while the runner thread follows the events."""
        return self._thread is not None and self._thread.is_alive()

    def nudge(self) -> None:
        """Wake the runner after a write, so views follow without waiting for the next poll."""
        self.runner.nudge()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and wait for it."""
        self._stop.set()
        self.runner.nudge()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
