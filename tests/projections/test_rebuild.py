"""Rebuild equals live: a view rebuilt from the first event is identical to the one kept up to date,
and the rebuilt version replaces the live one without a moment where readers find nothing."""

from __future__ import annotations

import gc
from datetime import date

import pytest

from application.settings import Settings
from projections.admin import fill, rebuild, share, status
from projections.catalogue import VIEWS
from tests import scenario as sc
from tests.audit.support import Tamper
from tests.projections.conftest import Views, dump
from tests.projections.flow import Flow


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "two-processes"])
def test_rebuilt_views_equal_the_views_kept_live(
    settings: Settings, views: Views, app, flow: Flow, workers: int
) -> None:
    views.catch_up()  # live, in batches of 7 cutting through the flow, then more events one at a time
    desk = sc.position(app, "Pengadministrasi Umum", formasi=10)
    for seq in range(20, 24):
        sc.employee(app, seq, desk)
        views.catch_up()
    app.change_rank(sc.OPERATOR, flow.employees[2], "III/c", date(2026, 4, 1), "SK-pangkat")
    last = app.retire_employee(sc.OPERATOR, flow.employees[3], date(2026, 5, 1), "pensiun dini").position
    views.catch_up()
    live = dump(views.read)
    result = rebuild(settings, batch_size=500, grace=0, workers=workers)
    assert {name: (old, new) for name, (old, new, _) in result.items()} == {n: (1, 2) for n in VIEWS}
    assert all(position == last for _, _, position in result.values())
    assert dump(views.read) == live
    statuses = {s.view: (s.version, s.position, s.lag_events) for s in status(app.stores)}
    assert statuses == {n: (2, last, 0) for n in VIEWS}


def test_a_running_runner_follows_the_swap_to_the_rebuilt_version(
    settings: Settings, views: Views, app, flow: Flow
) -> None:
    views.catch_up()
    rebuild(settings, ["talent"], grace=0)
    later = sc.employee(app, 30, sc.position(app, "Pengadministrasi Umum", formasi=10))
    views.runner._follow_registry()  # what `run` does whenever it is idle
    views.catch_up()
    assert views.runner.projections["talent"].view.version == 2
    page = views.read.employees(nip_prefix=sc.nip(30))
    assert page.items[0].employee_id == later
    [row] = [r for r in views.reports.talent(2026).section("employees").rows if r["nip"] == sc.nip(30)]
    assert row["box"] == 8


def test_the_live_version_answers_while_the_new_one_is_built(settings: Settings, views: Views, flow: Flow) -> None:
    views.catch_up()
    before = views.read.employees()
    seen: list[int] = []

    def during(position: int) -> None:  # called after each batch of the new version
        page = views.read.employees()
        assert (page.total, page.stamp.position) == (before.total, flow.position)
        assert views.read.view("register").version == 1
        seen.append(position)

    rebuild(settings, ["register"], batch_size=5, progress=during, grace=0)
    assert len(seen) > 5 and seen[-1] == flow.position
    assert views.read.view("register").version == 2
    assert views.read.employees().items == before.items


def test_views_are_shared_among_workers_by_their_work() -> None:
    groups = share(list(VIEWS), 2)
    assert sorted(n for group in groups for n in group) == sorted(VIEWS)  # each view exactly once
    work = [sum(VIEWS[n].cost for n in group) for group in groups]
    assert max(work) - min(work) <= max(cls.cost for cls in VIEWS.values())
    assert share(["talent"], 4) == [["talent"]]
    assert len(share(list(VIEWS), 1)) == 1


def test_a_view_rebuilt_in_processes_reports_progress_and_goes_live(
    settings: Settings, views: Views, flow: Flow
) -> None:
    views.catch_up()
    before = dump(views.read, ["register", "talent"])
    seen: list[int] = []
    rebuild(settings, ["register", "talent"], batch_size=5, progress=seen.append, grace=0, workers=2)
    assert seen and seen[-1] == flow.position
    assert {views.read.view(n).version for n in ("register", "talent")} == {2}
    assert dump(views.read, ["register", "talent"]) == before


def test_filling_a_version_leaves_the_garbage_collector_as_it_found_it(settings: Settings, flow: Flow) -> None:
    assert gc.isenabled()
    assert fill(settings, ["merit"], {"merit": 5}, 3) == flow.position
    assert gc.isenabled()


@pytest.mark.parametrize("workers", [1, 2], ids=["one-process", "two-processes"])
def test_a_rebuild_that_fails_half_way_leaves_the_live_views_and_a_later_one_succeeds(
    settings: Settings, views: Views, app, flow: Flow, workers: int
) -> None:
    views.catch_up()
    live = dump(views.read)
    tamper = Tamper(settings, app.recorder.events_table_name)
    original = tamper.row(flow.employees[1], 1)[2]
    tamper.edit(flow.employees[1], 1, lambda state: state.update(name={"not": "a name"}))  # cannot decode
    with pytest.raises(Exception, match="name"):
        rebuild(settings, batch_size=5, grace=0, workers=workers)
    assert {n: views.read.view(n).version for n in VIEWS} == {n: 1 for n in VIEWS}
    assert dump(views.read) == live  # readers never saw the half-built versions
    tamper.edit(flow.employees[1], 1, lambda state: state.update(name=original["name"]))
    rebuild(settings, batch_size=5, grace=0, workers=workers)  # the leftovers are dropped first
    assert {n: views.read.view(n).version for n in VIEWS} == {n: 2 for n in VIEWS}
    assert dump(views.read) == live
