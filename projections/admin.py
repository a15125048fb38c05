"""Operating the views: their status (position, lag) and rebuilding them without downtime."""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, wait
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from application.persistence.stores import Stores
from application.service import MutasiApplication
from application.settings import Settings
from projections import scale_out
from projections.base import recorded_at
from projections.catalogue import VIEWS, projection_class
from projections.runner import ProjectionRunner
from projections.store import DocumentView, ViewDatabase

log = logging.getLogger("mutasi.projections")


class ViewStatus(BaseModel):
    """Where one view stands against the event store."""

    view: str
    version: int | None = Field(description="live version (None: never built)")
    position: int = Field(description="notification id of the last event applied")
    as_of: datetime | None = Field(None, description="when the event at `position` was recorded")
    latest: int = Field(description="the store's latest notification id")
    latest_at: datetime | None = Field(None, description="when the latest event was recorded")
    lag_events: int = Field(description="notification ids not yet applied (latest - position)")
    lag_seconds: float | None = Field(
        description="recording time of the latest event minus that of `position` (None: unknown)"
    )
    up_to_date: bool


def store_head(reader: MutasiApplication) -> tuple[int, datetime | None]:
    """The latest notification id and when its event was recorded."""
    latest = reader.recorder.max_notification_id() or 0
    if not latest:
        return 0, None
    notifications = reader.recorder.select_notifications(latest, 1)
    when = recorded_at(reader.mapper.to_domain_event(notifications[0])) if notifications else None
    return latest, datetime.fromisoformat(when) if when else None


def view_status(db: ViewDatabase, reader: MutasiApplication) -> list[ViewStatus]:
    """The status of every view."""
    latest, latest_at = store_head(reader)
    live = db.live_versions()
    statuses = []
    for name, cls in VIEWS.items():
        version = live.get(name)
        position, as_of = 0, None
        if version is not None:
            position, when = DocumentView(db, name, version, cls.tables).head()
            as_of = datetime.fromisoformat(when) if when else None
        lag = max(latest - position, 0)
        seconds = 0.0 if not lag else (latest_at - as_of).total_seconds() if latest_at and as_of else None
        statuses.append(
            ViewStatus(
                view=name,
                version=version,
                position=position,
                as_of=as_of,
                latest=latest,
                latest_at=latest_at,
                lag_events=lag,
                lag_seconds=seconds,
                up_to_date=lag == 0,
            )
        )
    return statuses


def status(stores: Stores) -> list[ViewStatus]:
    """The status of every view."""
    reader = MutasiApplication(stores)
    try:
        return view_status(ViewDatabase(stores), reader)
    finally:
        reader.close()


def rebuild(
    settings: Settings,
    names: Iterable[str] | None = None,
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    grace: float = 2.0,
    workers: int = 1,
    partitions: int = 1,
) -> dict[str, tuple[int | None, int, int]]:
    """Build a new version of each view beside the live one, from the first event; when it has caught
    up, make it live in one transaction and drop the old version. Readers and a running `projections
    run` switch to the new version by themselves; the old one is dropped `grace` seconds later.

    The new versions are filled without their indexes (created once, before they go live). With
    `workers` above 1 the views are shared among that many processes, each reading the events once
    for its views (on 2 cores, 2 workers rebuild all views about 1.4 times as fast as 1).
    With `partitions` above 1 the events are shared instead, by aggregate (`projections.partitions`):
    one process per partition, each applying its share of every view, then one swap (`workers` is
    then ignored; to run the partitions on several machines, see `projections.scale_out`).
    Returns {view: (old, new version, position)}.
    """
    names = list(names) if names is not None else list(VIEWS)
    if partitions > 1:
        return run_plan(settings, scale_out.prepare(settings, names, partitions), batch_size, progress, grace)
    with Stores(settings) as stores:  # closed before worker processes start: no connection crosses a fork
        db = ViewDatabase(stores)
        live = db.live_versions()
        new = {name: live.get(name, 0) + 1 for name in names}
        for name in names:  # leftovers of an interrupted rebuild
            DocumentView(db, name, new[name], projection_class(name).tables).drop_tables()
    groups = share(names, workers)
    if len(groups) == 1:
        fill(settings, names, new, batch_size, progress)
    else:
        _fill_in_processes(settings, groups, new, batch_size, progress)
    with Stores(settings) as stores:
        db = ViewDatabase(stores)
        runner = ProjectionRunner(stores, names, batch_size=batch_size, versions=new)  # creates indexes
        try:
            runner.catch_up()  # what was written meanwhile
            with db.transaction(commit=True) as cursor:
                for name in names:
                    db.set_live(name, new[name], cursor)
            position = runner.position
        finally:
            runner.close()
        time.sleep(grace)  # let reads that started on the old version finish before it goes
        for name in names:
            if live.get(name) is not None:
                DocumentView(db, name, live[name], projection_class(name).tables).drop_tables()
        log.info("rebuilt %s at position %s", new, position)
        return {name: (live.get(name), new[name], position) for name in names}


def fill(
    settings: Settings,
    names: list[str],
    versions: dict[str, int],
    batch_size: int,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Apply every event to new (unindexed) versions of `names`; returns the position reached. Opens
    its own stores: it runs in a worker process of its own, too."""
    with Stores(settings) as stores:
        runner = ProjectionRunner(stores, names, batch_size=batch_size, versions=versions, indexes=False)
        try:
            return runner.drain(progress)
        finally:
            runner.close()


def share(names: list[str], workers: int) -> list[list[str]]:
    """The views split into at most `workers` groups of about equal work, heaviest views first."""
    groups: list[list[str]] = [[] for _ in range(max(1, min(workers, len(names))))]
    loads = [0.0] * len(groups)
    for name in sorted(names, key=lambda n: -VIEWS[n].cost):
        lightest = loads.index(min(loads))
        groups[lightest].append(name)
        loads[lightest] += VIEWS[name].cost
    return [group for group in groups if group]


def _fill_in_processes(
    settings: Settings,
    groups: list[list[str]],
    versions: dict[str, int],
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> None:
    tasks = [(fill, (settings, group, {n: versions[n] for n in group}, batch_size)) for group in groups]
    _in_processes(tasks, lambda: _reached(settings, versions), progress)


def run_plan(
    settings: Settings,
    plan: scale_out.Plan,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    grace: float = 2.0,
) -> dict[str, tuple[int | None, int, int]]:
    """Run a prepared partitioned rebuild or catch-up on this machine, one process per partition, then
    `finish` it. Returns {view: (old, new version, position)}."""
    tasks = [(scale_out.fill_partition, (settings, k, batch_size)) for k in range(plan.partitions)]
    _in_processes(tasks, lambda: _partitions_reached(settings, plan), progress)
    return scale_out.finish(settings, batch_size, grace)


def _in_processes(
    tasks: list[tuple[Callable[..., int], tuple[Any, ...]]],
    reached: Callable[[], int],
    progress: Callable[[int], None] | None,
) -> None:
    """Run each task in a process of its own; report `reached()` to `progress` while they run. A
    task's error is raised here (nothing went live)."""
    with ProcessPoolExecutor(len(tasks), mp_context=multiprocessing.get_context(_start_method())) as pool:
        futures = [pool.submit(task, *args) for task, args in tasks]
        while wait(futures, timeout=0.5).not_done:
            if progress:
                progress(reached())
        for future in futures:
            future.result()
    if progress:
        progress(reached())


def _partitions_reached(settings: Settings, plan: scale_out.Plan) -> int:
    """The lowest position among the partitions being filled (for progress reports)."""
    with Stores(settings) as stores:
        return min(min(ats) for ats in scale_out.partition_positions(ViewDatabase(stores), plan).values())


def _start_method() -> str:
    """fork starts at once and is safe while this process runs one thread and holds no connection;
    otherwise (a service, a test server) spawn a fresh interpreter."""
    methods = multiprocessing.get_all_start_methods()
    return "fork" if "fork" in methods and threading.active_count() == 1 else "spawn"


def _reached(settings: Settings, versions: dict[str, int]) -> int:
    """The lowest position among new versions being filled (for progress reports)."""
    with Stores(settings) as stores:
        db = ViewDatabase(stores)
        return min(DocumentView(db, n, v, projection_class(n).tables).position for n, v in versions.items())
