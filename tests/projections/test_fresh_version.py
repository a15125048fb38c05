"""A version built from the first event knows which keys it holds; a second runner racing on it loses
its batch whole and, reconnected, agrees with the first."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import Tracking

from application.persistence.connections import APPLICATION_NAME
from application.persistence.stores import Stores
from application.settings import Settings
from projections.runner import DB_ERRORS, ProjectionRunner
from projections.store import DocumentView, KeyFilter, Table, ViewDatabase
from tests import scenario as sc
from tests.projections.conftest import Views, dump
from tests.projections.flow import Flow

PINNED = {"register": 9, "talent": 9}


def rows(runner: ProjectionRunner) -> dict[str, list[dict]]:
    out = {}
    for name, projection in runner.projections.items():
        with projection.view.reading() as snap:
            out.update({f"{name}.{t}": snap.select(t)[0] for t in projection.view.tables})
    return out


def test_a_runner_that_lost_the_race_on_a_fresh_version_rolls_back_and_then_agrees(
    settings: Settings, app, flow: Flow
) -> None:
    first = ProjectionRunner(settings, list(PINNED), batch_size=7, versions=PINNED)
    second = ProjectionRunner(settings, list(PINNED), batch_size=7, versions=PINNED)
    try:
        second.open()  # loads the empty version at position 0, as the first one will
        assert first.catch_up() == flow.position
        expected = rows(first)
        with pytest.raises(DB_ERRORS):
            second.step()  # applies the first batch again: the position does not advance, nothing lands
        assert rows(first) == expected
        second.close()
        assert second.catch_up() == flow.position  # reconnected, as `run` does after an error
        sc.employee(app, 40, sc.position(app, "Analis Kepegawaian", formasi=3))
        second.catch_up()
        first.close()
        assert first.catch_up() == second.position
        assert rows(first) == rows(second)
    finally:
        first.close()
        second.close()


def test_a_fresh_version_built_in_small_batches_equals_the_live_one(
    settings: Settings, views: Views, app, flow: Flow
) -> None:
    views.catch_up()
    fresh = ProjectionRunner(settings, batch_size=3, versions={n: 9 for n in views.runner.names})
    try:
        fresh.catch_up()
        for name, projection in fresh.projections.items():
            with projection.view.reading() as snap:
                got = {t: snap.select(t)[0] for t in projection.view.tables}
            assert got == dump(views.read, [name])[name], name
    finally:
        fresh.close()


def test_rows_deleted_and_written_again_in_a_fresh_version_read_back_as_stored(settings: Settings) -> None:
    stores = Stores(settings)
    db = ViewDatabase(stores)
    try:
        view = DocumentView(db, "scratch", 1, [Table("row", {"n": "INTEGER"})])
        view.create_tables()
        view.track_keys()
        assert view.take("row", "a") is None
        view.commit({("row", "a"): {"n": 1}, ("row", "b"): {"n": 2}}, Tracking(APPLICATION_NAME, 1), None)
        view.commit({("row", "a"): None}, Tracking(APPLICATION_NAME, 2), None)
        view.commit({("row", "a"): {"n": 3}}, Tracking(APPLICATION_NAME, 3), None)
        view._cache.clear()  # as when rows have been pushed out of the cache: read from the table
        assert (view.take("row", "a"), view.load("row", "b")) == ({"n": 3}, {"n": 2})
        view.commit({("row", "b"): None}, Tracking(APPLICATION_NAME, 4), None)
        view._cache.clear()
        assert view.load("row", "b") is None
        with view.reading() as snap:
            assert snap.select("row") == ([{"n": 3}], 1)
        view.drop_tables()
    finally:
        stores.close()


def test_keys_that_share_a_bit_of_the_filter_are_read_from_the_table(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(KeyFilter, "bits", 8)  # ten keys over eight bits: most lookups must ask the table
    stores = Stores(settings)
    db = ViewDatabase(stores)
    try:
        view = DocumentView(db, "scratch", 2, [Table("row", {})])
        view.create_tables()
        view.track_keys()
        keys = [f"k{n}" for n in range(10)]
        view.commit({("row", k): {"n": n} for n, k in enumerate(keys)}, Tracking(APPLICATION_NAME, 1), None)
        view.commit({("row", "k3"): {"n": 33}}, Tracking(APPLICATION_NAME, 2), None)  # written again
        view._cache.clear()
        assert [view.take("row", k) for k in keys] == [{"n": 33 if k == "k3" else n} for n, k in enumerate(keys)]
        assert [view.load("row", f"x{n}") for n in range(10)] == [None] * 10  # never written
        with view.reading() as snap:
            assert snap.select("row")[1] == 10
        view.drop_tables()
    finally:
        stores.close()
