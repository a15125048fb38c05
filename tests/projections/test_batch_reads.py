"""Batch-level reads: before a batch is applied, the runner reads ahead every row its events touch (one
query per table) and every directory fact they look up (one read of the event store), so a row or a
fact that is not cached never costs a query per event. Nothing may change in the views for it."""

from __future__ import annotations

from datetime import date

import pytest

from application.settings import Settings
from projections.admin import rebuild
from projections.catalogue import VIEWS
from projections.queries import ReadModels
from projections.runner import ProjectionRunner
from tests import scenario as sc
from tests.projections.conftest import dump
from tests.projections.flow import Flow

# The transparency view keys some rows by agency and looks up rows it read itself: it has not declared
# those keys (`keys_of`), so a cold batch still reads a few of them one by one; it stays correct.
DECLARED = [name for name in VIEWS if name != "transparency"]


def cold(runner: ProjectionRunner) -> None:
    """As at national size, where nothing a batch needs is still cached: no cached row, no key filter
    (every key may be in its table, as for a runner catching up), no directory fact."""
    for projection in runner.projections.values():
        projection.view._cache.clear()
        projection.view._written = None
    runner.directory._facts.clear()


def cold_steps(runner: ProjectionRunner) -> list[tuple[int, int, int]]:
    """Apply every batch cold: per batch, the events read, the view reads and the event store reads."""
    runner.open()
    steps = []
    while True:
        cold(runner)
        assert runner.db is not None
        views, facts = runner.db.reads, runner.directory.reads
        read = runner.step()
        if not read:
            return steps
        steps.append((read, runner.db.reads - views, runner.directory.reads - facts))


def staff(app) -> tuple[list, list]:
    """Thirty more employees on two more positions (registered and placed)."""
    desks = [sc.position(app, title, formasi=20) for title in ("Pengadministrasi Umum", "Pengelola Arsip")]
    return [sc.employee(app, seq, desks[seq % 2]) for seq in range(20, 50)], desks


def scatter(app, employees: list, positions: list) -> int:
    """Events on rows that exist already, each employee's and position's far apart from the others."""
    for year in (2024, 2025):
        for employee_id in employees:
            app.rate_performance(sc.OPERATOR, employee_id, year, "above", "above")
    for employee_id in employees:
        app.change_rank(sc.OPERATOR, employee_id, "III/c", date(2026, 4, 1), "SK-pangkat")
    for position_id in positions:
        app.revise_formasi(sc.OPERATOR, position_id, 25, "ABK 2026")
    return 3 * len(employees) + len(positions)


@pytest.mark.parametrize("read_ahead", [True, False], ids=["read-ahead", "one-by-one"])
def test_a_cold_batch_reads_each_table_once_not_once_per_event(
    settings: Settings, app, flow: Flow, read_ahead: bool
) -> None:
    people, desks = staff(app)
    runner = ProjectionRunner(settings, DECLARED, batch_size=40, read_ahead=read_ahead)
    read = ReadModels(settings)
    try:
        runner.open()
        tables = sum(len(p.view.tables) for p in runner.projections.values())
        followed = 1  # the talent view's second step: the employees of the proposals decided
        walked = cold_steps(runner)  # the whole round flow, cold, in batches of 40
        assert sum(n for n, _, _ in walked) == app.recorder.max_notification_id()
        runner.batch_size = 1000
        scattered = scatter(app, flow.employees + people, flow.positions + desks)
        ((events, view_reads, fact_reads),) = cold_steps(runner)  # one batch of scattered events
        assert events == scattered > tables + followed
        if read_ahead:
            assert all(v <= tables + followed and f <= 1 for _, v, f in walked), walked
            assert view_reads <= tables and fact_reads <= 1, (view_reads, fact_reads)
        else:  # for contrast: a query per row the events touch (each employee's rows, each position's)
            assert view_reads >= len(flow.employees + people) + len(flow.positions + desks)
            assert view_reads > 2 * (tables + followed)
        live = dump(read, DECLARED)
        rebuild(settings, DECLARED, batch_size=500, grace=0)  # from the first event, warm
        assert dump(read, DECLARED) == live
    finally:
        runner.close()
        read.close()


def test_rows_read_ahead_are_for_one_batch_and_a_failed_batch_forgets_them(settings: Settings, app, flow: Flow) -> None:
    names = ["register", "talent"]
    runner = ProjectionRunner(settings, names, batch_size=1000, read_ahead=True)
    read = ReadModels(settings)
    try:
        runner.catch_up()
        scatter(app, flow.employees, flow.positions)
        cold(runner)
        handlers = type(runner.projections["register"]).handlers()
        saved = dict(handlers)

        def failing(*args: object) -> None:
            raise RuntimeError("a bug in a handler")

        handlers.update({kind: failing for kind in handlers})
        runner._routes = {}
        try:
            with pytest.raises(RuntimeError):
                runner.step()
        finally:
            handlers.update(saved)
            runner._routes = {}
        assert all(not p.view._batch for p in runner.projections.values())
        assert not runner.directory._batch
        before = dump(read, names)
        assert runner.step() > 0
        assert all(not p.view._batch for p in runner.projections.values())
        live = dump(read, names)
        assert live != before
        rebuild(settings, names, batch_size=500, grace=0)
        assert dump(read, names) == live
    finally:
        runner.close()
        read.close()
