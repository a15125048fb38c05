"""Reads that wait for `min_position`: beyond the store's head they are refused at once (409), and
only `max_waiting_reads` wait at a time, so they never hold every worker thread."""

from __future__ import annotations

import threading
import time

import pytest

from api.http.roles import Role
from application.settings import Settings
from projections.queries import NotYetUpToDate, PositionBeyondHead, ReadModels
from tests.api.support import running_api
from tests.scenario import nip


@pytest.fixture
def read(sqlite_settings: Settings):
    models = ReadModels(sqlite_settings.model_copy(update={"max_waiting_reads": 2}), head=lambda: 5)
    models.db.ensure_registry()  # once, before the threads (two first creations on SQLite race)
    yield models
    models.close()


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    from application.bootstrap import initialise_store

    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "events.sqlite3")
    initialise_store(settings)
    return settings


def test_a_position_beyond_the_head_is_refused_at_once(read: ReadModels) -> None:
    started = time.monotonic()
    with pytest.raises(PositionBeyondHead) as refused:
        read.wait_for("register", 6, timeout=5)
    assert time.monotonic() - started < 0.5 and refused.value.head == 5
    with pytest.raises(NotYetUpToDate) as waited:  # at the head: a real wait (the view is not built)
        read.wait_for("register", 5, timeout=0.2)
    assert not isinstance(waited.value, PositionBeyondHead)


def test_only_so_many_reads_wait_at_once(read: ReadModels) -> None:
    waiting = [threading.Thread(target=_wait_quietly, args=(read, 1.0)) for _ in range(2)]
    for thread in waiting:
        thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    with pytest.raises(NotYetUpToDate):
        read.wait_for("register", 5, timeout=1.0)
    assert time.monotonic() - started < 0.1  # refused at once: two wait already
    for thread in waiting:
        thread.join()
    started = time.monotonic()
    with pytest.raises(NotYetUpToDate):
        read.wait_for("register", 5, timeout=0.3)
    assert time.monotonic() - started >= 0.3  # a place is free again: this one waits


def _wait_quietly(read: ReadModels, timeout: float) -> None:
    try:
        read.wait_for("register", 5, timeout=timeout)
    except NotYetUpToDate:
        pass


def test_over_http_a_far_position_is_a_409_and_waiting_reads_do_not_starve_the_rest(
    sqlite_settings: Settings,
    clock,
) -> None:
    with running_api(sqlite_settings.model_copy(update={"max_waiting_reads": 2}), clock) as api:
        api.ok(Role.OPERATOR, "POST", "/employees", {"nip": nip(5), "name": "Pegawai 5", "rank": "III/b"})
        far = api.call(Role.OPERATOR, "GET", f"/reports/staffing?min_position={2**60}")
        assert far.status_code == 409 and far.json()["code"] == "position-beyond-head"
        answers = []
        side = api.client.app.state.read_side  # type: ignore[attr-defined]
        side.read_models._head = lambda: 2**62  # every position "recorded": each read must wait
        side.background.stop()  # and the views no longer follow
        storm = [
            threading.Thread(
                target=lambda: answers.append(api.call(Role.OPERATOR, "GET", f"/reports/staffing?min_position={2**40}"))
            )
            for _ in range(80)
        ]
        started = time.monotonic()
        for thread in storm:
            thread.start()
        live = api.call(Role.PUBLIC, "GET", "/health/live")
        assert live.status_code == 200 and time.monotonic() - started < 1.0
        for thread in storm:
            thread.join(timeout=30)
        assert time.monotonic() - started < 6  # 2 waited ~2 s; the other 78 were answered at once
        assert sorted({r.status_code for r in answers}) == [503]
        assert all(r.headers["Retry-After"] for r in answers)
