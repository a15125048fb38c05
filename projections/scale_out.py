"""A rebuild shared by partitions (`projections.partitions`) that may run on several machines.

    prepare(settings, views, partitions=4)   # once: new versions, the stop position, the plan recorded
    fill_partition(settings, k)              # on any machine, once per k in 0..3, restartable
    finish(settings)                         # once every partition stopped: catch up, go live together

`prepare_catch_up` plans the same for the live versions instead, from where each stands: a runner
that was stopped for long (a year of events) is caught up by partitions, then `finish` hands the views
back at the stop position (`projections run` must stay stopped meanwhile; `finish` refuses if a view
moved). While partitions catch up, readers see each view's last position, with rows that may already
reflect later events of a faster partition.

`rebuild(settings, partitions=N)` (`projections.admin`) does all three on this machine, with the
partitions in N processes. The plan lives in the views' database (`view_rebuild_plan`), so a partition
started elsewhere finds what to build and where to stop; a partition killed at any moment is started
again and resumes from its own committed position.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import Tracking

from application.persistence.event_log import EventLog
from application.persistence.stores import Stores
from application.service import MutasiApplication
from application.settings import Settings
from projections.catalogue import VIEWS, projection_class
from projections.partitions import Partition
from projections.runner import ProjectionRunner
from projections.store import DocumentView, ViewDatabase

log = logging.getLogger("mutasi.projections")
PLAN_TABLE = "view_rebuild_plan"


class NoPlan(RuntimeError):
    """No partitioned rebuild is prepared (or the one asked about is not)."""


class PartitionsBehind(RuntimeError):
    """`finish` was asked before every partition reached the plan's stop position, or a live view
    moved during a partitioned catch-up."""


class PlanInProgress(RuntimeError):
    """A partitioned catch-up is under way: its partitions must finish (they resume) before another plan."""


@dataclass(frozen=True)
class Plan:
    """A prepared partitioned rebuild: the new version of each view, the old live one, the number
    of partitions and the store position every partition stops at."""

    versions: dict[str, int]
    old: dict[str, int | None]
    partitions: int
    until: int
    start: dict[str, int] = field(default_factory=dict)  # a catch-up: where each live view stood

    @property
    def catch_up(self) -> bool:
        """True for a catch-up of the live versions (False for new versions built from the first event)."""
        return all(self.old.get(name) == version for name, version in self.versions.items())

    @property
    def views(self) -> list[str]:
        """The views being rebuilt, in catalogue order."""
        return [name for name in VIEWS if name in self.versions]


def _plan_table(db: ViewDatabase) -> str:
    return db.table(PLAN_TABLE)


def _ensure_plan_table(db: ViewDatabase) -> None:
    db.ensure_registry()
    with db.ddl_lock(), db.transaction(commit=True) as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {_plan_table(db)} (view TEXT PRIMARY KEY, version INTEGER NOT NULL, "
            "old INTEGER, partitions INTEGER NOT NULL, until BIGINT NOT NULL, start BIGINT NOT NULL DEFAULT 0)"
        )


def load_plan(db: ViewDatabase) -> Plan:
    """The prepared plan (`NoPlan` when there is none)."""
    _ensure_plan_table(db)
    rows = db.fetchall(f"SELECT view, version, old, partitions, until, start FROM {_plan_table(db)}")
    if not rows:
        raise NoPlan("no partitioned rebuild is prepared: run `mutasi projections rebuild --partitions N --prepare`")
    counts = {(int(r["partitions"]), int(r["until"])) for r in rows}
    if len(counts) != 1:  # pragma: no cover - written in one transaction by `prepare`
        raise NoPlan(f"the recorded plan is inconsistent: {sorted(counts)}")
    [(partitions, until)] = counts
    return Plan(
        versions={r["view"]: int(r["version"]) for r in rows},
        old={r["view"]: (int(r["old"]) if r["old"] is not None else None) for r in rows},
        partitions=partitions,
        until=until,
        start={r["view"]: int(r["start"]) for r in rows},
    )


def prepare(settings: Settings, names: Iterable[str] | None = None, partitions: int = 2) -> Plan:
    """Record a partitioned rebuild of `names` (all views by default): a new version of each beside
    the live one (leftovers of an interrupted rebuild dropped) and the store's current head as the
    position every partition stops at. A plan prepared earlier is replaced."""
    names = _checked(names, partitions)
    with Stores(settings) as stores:
        db = ViewDatabase(stores)
        _ensure_plan_table(db)
        live = db.live_versions()
        previous = _previous_plan(db)
        # never version 1, which a runner starting on a store with no live views would take
        versions = {name: max(live.get(name, 1), previous.get(name, 0)) + 1 for name in names}
        for name in set(names) | set(previous):  # what an interrupted rebuild left
            for version in {versions.get(name), previous.get(name)} - {None, live.get(name)}:
                assert version is not None
                DocumentView(db, name, version, projection_class(name).tables).drop_tables()
        plan = Plan(versions, {name: live.get(name) for name in names}, partitions, _head(stores))
        _record(db, plan)
        for name in names:  # created once here, not raced by the partitions
            DocumentView(db, name, versions[name], projection_class(name).tables).create_tables(indexes=False)
    log.info("prepared a rebuild of %s in %s partitions up to position %s", versions, partitions, plan.until)
    return plan


def prepare_catch_up(settings: Settings, names: Iterable[str] | None = None, partitions: int = 2) -> Plan:
    """Record a partitioned catch-up of the live versions of `names` (all views by default), each from
    the position it stands at, up to the store's current head. Stop `projections run` first."""
    names = _checked(names, partitions)
    with Stores(settings) as stores:
        db = ViewDatabase(stores)
        _ensure_plan_table(db)
        abandoned = _previous_plan(db)  # refuses while a catch-up is under way
        live = db.live_versions()
        for name, version in abandoned.items():  # a rebuild prepared and never finished
            if version != live.get(name):
                _view(db, name, version).drop_tables()
        missing = [name for name in names if name not in live]
        if missing:
            raise NoPlan(f"never built, nothing to catch up: {', '.join(missing)} (rebuild them)")
        start = {name: _view(db, name, live[name]).position for name in names}
        plan = Plan({n: live[n] for n in names}, {n: live[n] for n in names}, partitions, _head(stores), start)
        with db.transaction(commit=True) as cursor:
            _record(db, plan, cursor)
            for name in names:  # each partition starts where the view stands
                for k in range(partitions):
                    view = _view(db, name, live[name], Partition(k, partitions))
                    db.tracking.forget_in(cursor, view.tracking_key)
                    if start[name]:
                        view.write(cursor, {}, Tracking(view.tracking_key, start[name]), None)
    log.info("prepared a catch-up of %s in %s partitions up to position %s", start, partitions, plan.until)
    return plan


def _checked(names: Iterable[str] | None, partitions: int) -> list[str]:
    names = list(names) if names is not None else list(VIEWS)
    for name in names:
        projection_class(name)
    Partition(0, partitions)  # refuses a count below 1
    return names


def _view(db: ViewDatabase, name: str, version: int, partition: Partition | None = None) -> DocumentView:
    return DocumentView(db, name, version, projection_class(name).tables, partition.label if partition else "")


def _head(stores: Stores) -> int:
    """The store's head, every position below it decided (no gap left to fill)."""
    reader = MutasiApplication(stores)
    try:
        return EventLog(reader.recorder).settle()
    finally:
        reader.close()


def _record(db: ViewDatabase, plan: Plan, cursor: Any | None = None) -> None:
    """The plan, replacing any other, in the caller's transaction (or its own)."""
    if cursor is None:
        with db.transaction(commit=True) as own:
            _record(db, plan, own)
        return
    cursor.execute(f"DELETE FROM {_plan_table(db)}")
    for name in plan.views:
        cursor.execute(
            db.sql(
                f"INSERT INTO {_plan_table(db)} (view, version, old, partitions, until, start) "
                "VALUES (%s, %s, %s, %s, %s, %s)"
            ),
            [name, plan.versions[name], plan.old[name], plan.partitions, plan.until, plan.start.get(name, 0)],
        )


def _previous_plan(db: ViewDatabase) -> dict[str, int]:
    """The versions of the plan recorded before, which a new plan replaces, unless it is a catch-up
    under way (its partitions changed the live views: only they may finish it)."""
    try:
        plan = load_plan(db)
    except NoPlan:
        return {}
    if plan.catch_up:
        raise PlanInProgress(
            "a partitioned catch-up is under way: run its partitions to the end (they resume), then `finish`"
        )
    return plan.versions


def fill_partition(
    settings: Settings,
    index: int,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Apply partition `index` (0-based) of the prepared plan's events to the new versions, up to the
    plan's stop position; returns the position reached. Safe to start again after any interruption."""
    with Stores(settings) as stores:
        plan = load_plan(ViewDatabase(stores))
        runner = ProjectionRunner(
            stores,
            plan.views,
            batch_size=batch_size,
            versions=plan.versions,
            indexes=False,
            partition=Partition(index, plan.partitions),
            until=plan.until,
        )
        try:
            return runner.drain(progress)
        finally:
            runner.close()


def partition_positions(db: ViewDatabase, plan: Plan) -> dict[str, list[int]]:
    """Each view's position in each partition (0 before its first batch)."""
    return {
        name: [
            DocumentView(
                db, name, plan.versions[name], projection_class(name).tables, Partition(k, plan.partitions).label
            ).position
            for k in range(plan.partitions)
        ]
        for name in plan.views
    }


def finish(settings: Settings, batch_size: int = 5000, grace: float = 2.0) -> dict[str, tuple[int | None, int, int]]:
    """When every partition has reached the plan's stop position: record that position as each new
    version's own, catch the new versions up to the store's head (indexes created first), make them
    live in ONE transaction, drop the old versions `grace` seconds later and forget the plan.
    `PartitionsBehind` names the partitions still short of it. Returns {view: (old, new, position)}."""
    with Stores(settings) as stores:
        db = ViewDatabase(stores)
        plan = load_plan(db)
        positions = partition_positions(db, plan)
        behind = {
            f"{name} {Partition(k, plan.partitions).label}": at
            for name, ats in positions.items()
            for k, at in enumerate(ats)
            if at != plan.until
        }
        if behind:
            raise PartitionsBehind(f"partitions not at position {plan.until} yet: {behind}")
        moved = {
            name: at
            for name in plan.start
            if plan.catch_up and (at := _view(db, name, plan.versions[name]).position) != plan.start[name]
        }
        if moved:  # a runner applied events the partitions applied too: the views cannot be trusted
            raise PartitionsBehind(f"views moved during the catch-up (was `projections run` stopped?): {moved}")
        with db.transaction(commit=True) as cursor:
            for name in plan.views:
                view = DocumentView(db, name, plan.versions[name], projection_class(name).tables)
                view.adopt_partitions(cursor, plan.until)
        runner = ProjectionRunner(stores, plan.views, batch_size=batch_size, versions=plan.versions)  # indexes
        try:
            runner.catch_up()  # what was written since the plan was made
            with db.transaction(commit=True) as cursor:
                for name in plan.views:
                    db.set_live(name, plan.versions[name], cursor)
                cursor.execute(f"DELETE FROM {_plan_table(db)}")
            position = runner.position
        finally:
            runner.close()
        time.sleep(grace)  # let reads that started on the old versions finish before they go
        for name in plan.views:
            old = plan.old.get(name)
            if old is not None and old != plan.versions[name]:
                DocumentView(db, name, old, projection_class(name).tables).drop_tables()
        log.info("rebuilt %s in %s partitions at position %s", plan.versions, plan.partitions, position)
        return {name: (plan.old.get(name), plan.versions[name], position) for name in plan.views}
