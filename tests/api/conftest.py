"""Fixtures of the REST API tests: `api` on each store (SQLite and PostgreSQL), `sqlite_api` on SQLite only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from application.bootstrap import initialise_store
from application.settings import Settings
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
