"""Shared fixtures: the same tests run on SQLite and on a real PostgreSQL (one fresh schema each).

PostgreSQL is found at TEST_POSTGRES_HOST/PORT/USER/DBNAME (default 127.0.0.1:5432, postgres, test).
Outside CI an unreachable server skips the PostgreSQL cases; under CI=true it fails them instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from application.bootstrap import initialise_store, open_application
from application.persistence.connections import postgres_conninfo
from application.service import MutasiApplication
from application.settings import Settings
from tests.scenario import Clock

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def postgres_settings(schema: str) -> Settings:
    """Settings for a test schema on the test PostgreSQL server."""
    return Settings(
        _env_file=None,
        store="postgres",
        postgres_host=os.environ.get("TEST_POSTGRES_HOST", "127.0.0.1"),
        postgres_port=int(os.environ.get("TEST_POSTGRES_PORT", "5432")),
        postgres_user=os.environ.get("TEST_POSTGRES_USER", "postgres"),
        postgres_dbname=os.environ.get("TEST_POSTGRES_DBNAME", "test"),
        postgres_schema=schema,
        postgres_pool_size=4,
        postgres_max_overflow=8,
    )


def require_postgres(settings: Settings) -> None:
    """Skip (outside CI) or fail (under CI=true) when PostgreSQL cannot be reached."""
    try:
        psycopg.connect(postgres_conninfo(settings), connect_timeout=3).close()
    except psycopg.OperationalError as error:
        if IN_CI:
            pytest.fail(f"PostgreSQL must run under CI=true but is unreachable: {error}")
        pytest.skip(f"PostgreSQL unreachable: {error}")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request: pytest.FixtureRequest, tmp_path) -> Iterator[Settings]:
    """Settings for an empty, initialised store: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "events.sqlite3")
        initialise_store(settings)
        yield settings
        return
    settings = postgres_settings(f"test_{uuid4().hex[:12]}")
    require_postgres(settings)
    initialise_store(settings)
    try:
        yield settings
    finally:
        with psycopg.connect(postgres_conninfo(settings), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(settings.postgres_schema)))


@pytest.fixture
def clock() -> Clock:
    """Today is 10 February 2026 (the scenarios' decisions) unless a test moves it (`scenario.advance`)."""
    return Clock()


@pytest.fixture
def app(settings: Settings, clock: Clock) -> Iterator[MutasiApplication]:
    """The application on an empty store of each kind."""
    application = open_application(settings, clock=clock)
    yield application
    application.close()


@pytest.fixture
def memory_app(clock: Clock) -> Iterator[MutasiApplication]:
    """The application on in-memory persistence (unit tests only)."""
    application = MutasiApplication(Settings(_env_file=None, store="memory"), clock=clock)
    yield application
    application.close()
