"""Fixtures of the REST API tests: `api` on each store (SQLite and PostgreSQL), `sqlite_api` on SQLite only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from application.bootstrap import initialise_store
from application.settings import Settings
from projections.runner import BackgroundProjections
from tests.api.support import Api, running_api


@pytest.fixture
def api(settings: Settings, clock) -> Iterator[Api]:
    """The REST API on an empty store of each kind."""
    with running_api(settings, clock) as running:
        yield running


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    """An initialised SQLite store, for tests whose subject does not depend on the store."""
    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "events.sqlite3")
    initialise_store(settings)
    return settings


@pytest.fixture
def sqlite_api(sqlite_settings: Settings, clock) -> Iterator[Api]:
    """The REST API on an empty SQLite store."""
    with running_api(sqlite_settings, clock) as running:
        yield running


@pytest.fixture
def reporting_api(settings: Settings, clock) -> Iterator[Api]:
    """The service with its read side on each store: SQLite runs the projections in-process, on
    PostgreSQL a runner runs beside it (as `mutasi projections run` would)."""
    background = BackgroundProjections(settings, poll_interval=0.05) if settings.store == "postgres" else None
    if background:
        background.start()
    try:
        with running_api(settings, clock) as running:
            yield running
    finally:
        if background:
            background.stop()
