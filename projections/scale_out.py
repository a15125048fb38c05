"""A rebuild shared by partitions (`projections.partitions`) that may run on several machines.

    prepare(settings, views, partitions=4)   # once: new versions, the stop position, the plan recorded
    fill_partition(settings, k)              # on any machine, once per k in 0..3, restartable
    finish(settings)                         # once every partition stopped: catch up, go live together

`rebuild(settings, partitions=N)` (`projections.admin`) does all three on this machine, with the
partitions in N processes. The plan lives in the views' database (`view_rebuild_plan`), so a partition
started elsewhere finds what to build and where to stop; a partition killed at any moment is started
again and resumes from its own committed position.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from application.persistence.event_log import EventLog
from application.persistence.stores import Stores
from application.service import MutasiApplication
from application.settings import Settings
from projections.catalogue import VIEWS, projection_class
from projections.partitions import Partition
from projections.runner import ProjectionRunner, collecting_young_only
from projections.store import DocumentView, ViewDatabase

log = logging.getLogger("mutasi.projections")
PLAN_TABLE = "view_rebuild_plan"


class NoPlan(RuntimeError):
    """No partitioned rebuild is prepared (or the one asked about is not)."""


class PartitionsBehind(RuntimeError):
    """`finish` was asked before every partition reached the plan's stop position."""


@dataclass(frozen=True)
class Plan:
    """A prepared partitioned rebuild: the new version of each view, the old live one, the number
    of partitions and the store position every partition stops at."""

    versions: dict[str, int]
    old: dict[str, int | None]
    partitions: int
    until: int

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
            "old INTEGER, partitions INTEGER NOT NULL, until BIGINT NOT NULL)"
        )


def load_plan(db: ViewDatabase) -> Plan:
    """The prepared plan (`NoPlan` when there is none)."""
    _ensure_plan_table(db)
    rows = db.fetchall(f"SELECT view, version, old, partitions, until FROM {_plan_table(db)}")
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
    )


def prepare(settings: Settings, names: Iterable[str] | None = None, partitions: int = 2) -> Plan:
    """Record a partitioned rebuild of `names` (all views by default): a new version of each beside
    the live one (leftovers of an interrupted rebuild dropped) and the store's current head as the
    position every partition stops at. A plan prepared earlier is replaced."""
    names = list(names) if names is not None else list(VIEWS)
    for name in names:
        projection_class(name)
    Partition(0, partitions)  # refuses a count below 1
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
        reader = MutasiApplication(stores)
        try:
            until = EventLog(reader.recorder).settle()
        finally:
            reader.close()
        with db.transaction(commit=True) as cursor:
            cursor.execute(f"DELETE FROM {_plan_table(db)}")
            for name in names:
                cursor.execute(
                    db.sql(
                        f"INSERT INTO {_plan_table(db)} (view, version, old, partitions, until) "
                        "VALUES (%s, %s, %s, %s, %s)"
                    ),
                    [name, versions[name], live.get(name), partitions, until],
                )
        for name in names:  # created once here, not raced by the partitions
            DocumentView(db, name, versions[name], projection_class(name).tables).create_tables(indexes=False)
    log.info("prepared a rebuild of %s in %s partitions up to position %s", versions, partitions, until)
    return Plan(versions, {name: live.get(name) for name in names}, partitions, until)


def _previous_plan(db: ViewDatabase) -> dict[str, int]:
    try:
        return load_plan(db).versions
    except NoPlan:
        return {}


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
            while True:
                with collecting_young_only():
                    if not runner.step():
                        return runner.position
                if progress:
                    progress(runner.position)
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
