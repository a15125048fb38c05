"""Fixtures of the fault tests: a service on PostgreSQL whose connections carry a tag of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from application.settings import Settings
from tests.api.support import Api, running_api
from tests.faults.support import new_tag


@pytest.fixture
def tag(monkeypatch: pytest.MonkeyPatch) -> str:
    """The application_name of every connection this test opens (libpq reads PGAPPNAME)."""
    value = new_tag()
    monkeypatch.setenv("PGAPPNAME", value)
    return value


@pytest.fixture
def pg_api(settings: Settings, tag: str, clock) -> Iterator[Api]:
    """The REST API on a fresh PostgreSQL schema, its connections tagged."""
    with running_api(settings, clock) as api:
        yield api
