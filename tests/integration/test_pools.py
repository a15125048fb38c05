"""The PostgreSQL pools hand out the connection given back last, so a lone caller keeps one server
process busy instead of waking each of the pool's in turn."""

from __future__ import annotations

import psycopg
import pytest

from application.bootstrap import open_application
from application.persistence.connections import postgres_conninfo
from application.persistence.pools import WarmFirstPool, warm_first
from tests.conftest import postgres_settings, require_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture
def conninfo() -> str:
    settings = postgres_settings("public")
    require_postgres(settings)
    return postgres_conninfo(settings)


def _backend(pool) -> int:
    with pool.connection() as conn:
        return conn.info.backend_pid


def test_a_lone_caller_gets_the_same_connection_each_time(conninfo: str) -> None:
    with WarmFirstPool(conninfo, min_size=4, open=True) as pool:
        pool.wait()
        pids = {_backend(pool) for _ in range(10)}
    assert len(pids) == 1


def test_the_plain_pool_would_have_taken_them_in_turn(conninfo: str) -> None:
    """The contrast that makes the test above mean something: psycopg_pool's own order is FIFO."""
    from psycopg_pool import ConnectionPool

    with ConnectionPool(conninfo, min_size=4, open=True) as pool:
        pool.wait()
        pids = {_backend(pool) for _ in range(10)}
    assert len(pids) == 4


def test_connections_in_use_are_never_handed_out_twice(conninfo: str) -> None:
    with WarmFirstPool(conninfo, min_size=3, open=True) as pool:
        pool.wait()
        with pool.connection() as first, pool.connection() as second, pool.connection() as third:
            assert len({first.info.backend_pid, second.info.backend_pid, third.info.backend_pid}) == 3
        assert _backend(pool) == first.info.backend_pid  # given back last: the innermost exits first


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_the_library_pool_of_the_application_reuses_its_newest_connection(settings) -> None:
    app = open_application(settings)
    try:
        datastore = app.recorder.datastore  # type: ignore[attr-defined]
        datastore.pool.open()
        datastore.pool.wait()
        with datastore.get_connection() as conn:
            pid = conn.info.backend_pid
        for _ in range(5):
            with datastore.get_connection() as conn:
                assert conn.info.backend_pid == pid
        warm_first(datastore.pool)  # idempotent
        with datastore.get_connection() as conn:
            assert conn.info.backend_pid == pid
    finally:
        app.close()


def test_a_broken_connection_is_still_replaced(conninfo: str) -> None:
    with WarmFirstPool(conninfo, min_size=2, open=True, check=WarmFirstPool.check_connection) as pool:
        pool.wait()
        victim = _backend(pool)
        with psycopg.connect(conninfo, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (victim,))
        with pool.connection() as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
            assert conn.info.backend_pid != victim
