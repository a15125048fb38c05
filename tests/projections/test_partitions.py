"""A rebuild partitioned by aggregate (`projections.partitions`, `projections.scale_out`) on a realistic
history equals the views kept live event by event, for 1, 2 and 4 partitions, on both stores; a
partition killed mid-batch and started again changes nothing; each view's partition key is what it
declares."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.persistence.stores import Stores
from application.roster.history import HistoryWriter
from application.sample import load_sample
from application.service import MutasiApplication
from application.settings import Settings
from projections import scale_out
from projections.admin import rebuild
from projections.catalogue import VIEWS
from projections.partitions import Partition, stable_hash
from projections.queries import ReadModels
from projections.runner import ProjectionRunner
from projections.store import DocumentView, ViewDatabase
from tests import scenario as sc
from tests.projections.conftest import dump
from tests.projections.flow import walk
from tests.projections.test_crash import ROOT, _environment

HISTORY = {"size": "city", "seed": 5, "years": 2, "employees": 60}


def _live_views(settings: Settings) -> dict[str, Any]:
    """The views kept live one event at a time, dumped."""
    runner = ProjectionRunner(settings, batch_size=1)
    try:
        runner.catch_up()
    finally:
        runner.close()
    read = ReadModels(settings)
    try:
        return dump(read)
    finally:
        read.close()


def _views(settings: Settings) -> dict[str, Any]:
    read = ReadModels(settings)
    try:
        return dump(read)
    finally:
        read.close()


@pytest.fixture
def history(app: MutasiApplication) -> MutasiApplication:
    """Two years of a city's interleaved history, then the round flow with objections (a decision
    reversed, transfers executed and evaluated, a withdrawal)."""
    HistoryWriter(app, **HISTORY).run()
    walk(app, objections=True)
    return app


@pytest.mark.parametrize("partitions", [1, 2, 4])
def test_a_partitioned_rebuild_equals_the_views_kept_live(
    settings: Settings, history: MutasiApplication, partitions: int
) -> None:
    _live_views(settings)
    plan = scale_out.prepare(settings, partitions=partitions)
    assert plan.until == history.recorder.max_notification_id()
    for k in reversed(range(partitions)):  # in any order: each partition is on its own
        assert scale_out.fill_partition(settings, k, batch_size=97) == plan.until
    sc.employee(history, 90, sc.position(history, "Pengadministrasi Umum", formasi=3))  # `finish` catches up
    live = _live_views(settings)  # the live versions catch up the same event
    result = scale_out.finish(settings, batch_size=97, grace=0)
    assert {name: (old, new) for name, (old, new, _) in result.items()} == {n: (1, 2) for n in VIEWS}
    assert _views(settings) == live


def test_partitions_in_processes_rebuild_what_is_written_meanwhile_too(
    settings: Settings, history: MutasiApplication
) -> None:
    live = _live_views(settings)
    result = rebuild(settings, batch_size=211, partitions=2, grace=0)
    assert all(position == history.recorder.max_notification_id() for _, _, position in result.values())
    assert _views(settings) == live
    with Stores(settings) as stores, pytest.raises(scale_out.NoPlan):
        scale_out.load_plan(ViewDatabase(stores))  # forgotten once live


def test_each_view_partitions_by_aggregate_all_but_the_classes_it_names(history: MutasiApplication) -> None:
    runner = ProjectionRunner(history.stores, partition=Partition(0, 2))
    try:
        runner.open()
        mapper = history.mapper
        for notification in history.recorder.select_notifications(1, 10**6):
            event = mapper.to_domain_event(notification)
            runner.directory.note(event)
            for projection in runner.projections.values():
                otherwise = projection.partitioned_otherwise
                if type(event) in projection.handlers() and otherwise is not None and type(event) not in otherwise:
                    assert projection.partition_key(event) == event.originator_id, (projection.name, event)
    finally:
        runner.close()


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "api.cli.main", "projections", *args],
        cwd=ROOT,
        env=_environment(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_partition_killed_mid_batch_and_started_again_ends_as_an_uninterrupted_rebuild(
    settings: Settings, app: MutasiApplication
) -> None:
    walk(app)
    load_sample(app, seed=7, employees=300)  # enough events for the kill to land well before the end
    live = _live_views(settings)
    prepared = _cli(settings, "rebuild", "--partitions", "2", "--prepare")
    assert prepared.returncode == 0, prepared.stderr
    assert _cli(settings, "finish").returncode == 2  # nothing filled yet: refused, one line
    with Stores(settings) as stores:
        db = ViewDatabase(stores)
        plan = scale_out.load_plan(db)
        process = subprocess.Popen(
            [sys.executable, "-m", "api.cli.main", "projections", "partition", "1", "--batch-size", "5"],
            cwd=ROOT,
            env=_environment(settings),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 120
            while scale_out.partition_positions(db, plan)["register"][0] < 40:
                assert process.poll() is None and time.monotonic() < deadline
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
        killed_at = scale_out.partition_positions(db, plan)["talent"][0]
        assert 0 < killed_at < plan.until
    for k in ("2", "1"):  # partition 1 resumes where it committed
        done = _cli(settings, "partition", k, "--batch-size", "7")
        assert done.returncode == 0, done.stderr
        assert f"done at position {plan.until}" in done.stdout
    finished = _cli(settings, "finish", "--grace", "0")
    assert finished.returncode == 0, finished.stderr
    assert _views(settings) == live


def test_partition_commands_refuse_with_one_line(settings: Settings, app: MutasiApplication) -> None:
    walk(app)
    for args in (("partition", "1"), ("finish",)):
        refused = _cli(settings, *args)
        assert refused.returncode == 2 and "no partitioned rebuild is prepared" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
    refused = _cli(settings, "catch-up", "merit")  # never built: nothing to catch up
    assert refused.returncode == 2 and "never built" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert _cli(settings, "rebuild", "--partitions", "2", "--prepare").returncode == 0
    refused = _cli(settings, "partition", "3")
    assert refused.returncode == 2 and "no partition 3 of 2" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_key_hashes_alike_in_every_process_and_as_text() -> None:
    keys = [uuid4() for _ in range(200)] + [f"Pemerintah Kabupaten {n}|Dinas {n}" for n in range(200)]
    here = [stable_hash(key) for key in keys]
    code = (
        "import sys, uuid; from projections.partitions import stable_hash; "
        "print([stable_hash(uuid.UUID(k) if len(k) == 36 else k) for k in sys.argv[1:]])"
    )
    there = subprocess.run(
        [sys.executable, "-c", code, *map(str, keys)],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "random"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert there.strip() == str(here)
    assert all(
        stable_hash(str(key)) == stable_hash(key) == stable_hash(key.hex) for key in keys if isinstance(key, UUID)
    )
    shares = [sum(Partition(k, 4).owns(key) for key in keys) for k in range(4)]
    assert sum(shares) == len(keys) and min(shares) > len(keys) / 8  # each key in one partition, spread
    with pytest.raises(ValueError):
        Partition(2, 2)


def test_the_positions_of_a_dropped_version_go_with_its_partitions(settings: Settings, app: MutasiApplication) -> None:
    walk(app)
    scale_out.prepare(settings, ["register"], partitions=2)
    scale_out.fill_partition(settings, 0)
    plan = scale_out.prepare(settings, ["register"], partitions=3)  # replaces the plan and its leftovers
    assert plan.versions == {"register": 3}
    with Stores(settings) as stores:
        db = ViewDatabase(stores)
        assert scale_out.partition_positions(db, plan) == {"register": [0, 0, 0]}
        abandoned = DocumentView(db, "register", 2, VIEWS["register"].tables, Partition(0, 2).label)
        assert abandoned.position == 0  # the interrupted plan's version and positions are gone


def _dump_version(settings: Settings, version: int) -> dict[str, Any]:
    """Every row of every table of `version` of each view (by table, ordered by key)."""
    with Stores(settings) as stores:
        db = ViewDatabase(stores)
        out: dict[str, Any] = {}
        for name, cls in VIEWS.items():
            view = DocumentView(db, name, version, cls.tables)
            with view.reading() as snap:
                out[name] = {table: snap.select(table)[0] for table in view.tables}
        return out


@pytest.mark.parametrize("seed", range(6))
def test_rows_read_ahead_for_random_batches_are_all_written_back(
    settings: Settings, history: MutasiApplication, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Property over random batches: batch sizes changing from batch to batch, a read cache of a few
    rows (most reads go to the tables, read ahead per batch), cold caches now and then, with and
    without partitions: the views equal those applied one event at a time without reading ahead. A
    row read ahead and then changed but not written back, or written back stale, would show."""
    rng = random.Random(seed)
    monkeypatch.setattr("projections.store.CACHE_LIMIT", rng.choice([4, 16, 64]))
    reference = ProjectionRunner(settings, batch_size=1, versions=dict.fromkeys(VIEWS, 50), read_ahead=False)
    try:
        reference.catch_up()
    finally:
        reference.close()
    partitions = rng.choice([1, 1, 2, 3])
    for k in range(partitions):
        runner = ProjectionRunner(
            settings,
            versions=dict.fromkeys(VIEWS, 60),
            read_ahead=True,
            partition=Partition(k, partitions) if partitions > 1 else None,
        )
        try:
            runner.open()
            while True:
                runner.batch_size = rng.choice([1, 2, 7, 50, 400])
                if rng.random() < 0.3:  # as at national size: nothing cached, every key may be in its table
                    for projection in runner.projections.values():
                        projection.view._cache.clear()
                        projection.view._written = None
                    runner.directory._facts.clear()
                if not runner.step():
                    break
        finally:
            runner.close()
    if partitions > 1:
        with Stores(settings) as stores:
            db = ViewDatabase(stores)
            with db.transaction(commit=True) as cursor:
                for name, cls in VIEWS.items():
                    DocumentView(db, name, 60, cls.tables).adopt_partitions(
                        cursor, history.recorder.max_notification_id()
                    )
    assert _dump_version(settings, 60) == _dump_version(settings, 50)


@pytest.mark.parametrize("partitions", [2, 4])
def test_a_partitioned_catch_up_equals_the_views_caught_up_event_by_event(
    settings: Settings, history: MutasiApplication, partitions: int
) -> None:
    runner = ProjectionRunner(settings, batch_size=50)
    try:
        stood = runner.catch_up()  # the live views, then `projections run` stops while events go on
    finally:
        runner.close()
    load_sample(history, seed=11, employees=40)
    head = history.recorder.max_notification_id()
    reference = ProjectionRunner(settings, batch_size=1, versions=dict.fromkeys(VIEWS, 40))
    try:
        reference.catch_up()
    finally:
        reference.close()
    plan = scale_out.prepare_catch_up(settings, partitions=partitions)
    assert plan.catch_up and plan.start == dict.fromkeys(VIEWS, stood) and plan.until == head
    with pytest.raises(scale_out.PlanInProgress):  # nothing else may be planned until it is finished
        scale_out.prepare(settings, ["register"], partitions=2)
    for k in range(partitions):
        assert scale_out.fill_partition(settings, k, batch_size=113) == head
    result = scale_out.finish(settings, grace=0)
    assert result == {name: (1, 1, head) for name in VIEWS}
    assert _dump_version(settings, 1) == _dump_version(settings, 40)


def test_a_catch_up_refuses_to_finish_when_a_runner_moved_the_views(
    settings: Settings, history: MutasiApplication
) -> None:
    runner = ProjectionRunner(settings, ["merit"], batch_size=50)
    try:
        runner.catch_up()
        sc.employee(history, 91, sc.position(history, "Pengadministrasi Umum", formasi=3))
        scale_out.prepare_catch_up(settings, ["merit"], partitions=2)
        for k in range(2):
            scale_out.fill_partition(settings, k)
        runner.catch_up()  # a runner left running applies the same events again
    finally:
        runner.close()
    with pytest.raises(scale_out.PartitionsBehind, match="was `projections run` stopped"):
        scale_out.finish(settings, grace=0)


def test_mutasi_projections_catch_up_runs_the_partitions_here(settings: Settings, app: MutasiApplication) -> None:
    walk(app)
    runner = ProjectionRunner(settings)
    try:
        runner.catch_up()
    finally:
        runner.close()
    load_sample(app, seed=3, employees=30)
    caught = _cli(settings, "catch-up", "--partitions", "2", "--batch-size", "50")
    assert caught.returncode == 0, caught.stderr
    head = app.recorder.max_notification_id()
    assert f"merit: version 1 live at position {head}" in caught.stdout
    reference = ProjectionRunner(settings, batch_size=1, versions=dict.fromkeys(VIEWS, 40))
    try:
        reference.catch_up()
    finally:
        reference.close()
    assert _dump_version(settings, 1) == _dump_version(settings, 40)
