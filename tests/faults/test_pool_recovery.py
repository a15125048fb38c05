"""The pools' contract with psycopg_pool (`application.persistence.pools` is the one place using its private
names) and our recorders' retries on a dropped connection, as the library's own methods have them."""

from __future__ import annotations

import time
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import InterfaceError, OperationalError, PersistenceError

from application.persistence.connections import postgres_conninfo
from application.persistence.pools import RECONNECT_DELAY_MAX, PoolExhausted, WarmFirstPool
from application.service import MutasiApplication
from application.settings import Settings
from domain.vocabulary import Rank
from tests.conftest import postgres_settings, require_postgres
from tests.faults.support import Gate, backends, new_tag, terminate
from tests.scenario import OPERATOR, nip

pytestmark = pytest.mark.postgres


@pytest.fixture
def server() -> Settings:
    settings = postgres_settings("public")
    require_postgres(settings)
    return settings


def _pool(settings: Settings, tag: str, **options) -> WarmFirstPool:
    conninfo = psycopg.conninfo.make_conninfo(postgres_conninfo(settings), application_name=tag)
    return WarmFirstPool(conninfo, open=True, check=WarmFirstPool.check_connection, **options)


def test_waiting_for_a_connection_ends_with_pool_exhausted_which_no_retry_repeats(server: Settings) -> None:
    assert issubclass(PoolExhausted, PersistenceError)
    assert not issubclass(PoolExhausted, (OperationalError, InterfaceError, psycopg.Error))
    with _pool(server, new_tag(), min_size=1, max_size=1, timeout=0.3) as pool, pool.connection():
        started = time.monotonic()
        with pytest.raises(PoolExhausted):
            pool.getconn()
        assert 0.25 < time.monotonic() - started < 0.6


def test_dead_idle_connections_are_skipped_at_once(server: Settings) -> None:
    tag = new_tag()
    with _pool(server, tag, min_size=8, max_size=8, timeout=2) as pool:
        pool.wait()
        assert terminate(server, tag) == 8
        started = time.monotonic()
        with pool.connection() as conn:  # psycopg_pool alone sleeps 1 + 2 + 4 s between dead ones
            assert conn.execute("SELECT 1").fetchone() == (1,)
        assert time.monotonic() - started < 1.0


def test_a_server_back_after_a_long_outage_is_reconnected_within_the_short_delay(server: Settings) -> None:
    gate = Gate(server.postgres_host, server.postgres_port)
    try:
        gated = server.model_copy(update={"postgres_port": gate.port})
        with _pool(gated, new_tag(), min_size=2, max_size=2, timeout=0.5) as pool:
            pool.wait()
            gate.cut()
            time.sleep(6)  # psycopg_pool's own backoff would now wait 4 s and then 8 s
            gate.restore()
            back = time.monotonic()
            while True:
                try:
                    with pool.connection() as conn:
                        conn.execute("SELECT 1")
                    break
                except PoolExhausted:
                    assert time.monotonic() - back < 5
            assert time.monotonic() - back < RECONNECT_DELAY_MAX + 1.0
    finally:
        gate.close()


def _until_connected(settings: Settings, tag: str) -> None:
    deadline = time.monotonic() + 10
    while backends(settings, tag) < 1:
        assert time.monotonic() < deadline, "the pool did not reconnect"
        time.sleep(0.01)


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_our_recorder_reads_and_writes_retry_a_dropped_connection(
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tag = new_tag()
    monkeypatch.setenv("PGAPPNAME", tag)
    app = MutasiApplication(settings)
    try:
        employee_id = app.register_employee(OPERATOR, nip(6), "Pegawai 6", Rank.III_B).aggregate_id
        pool = app.recorder.datastore.pool  # type: ignore[attr-defined]
        monkeypatch.setattr(pool, "_check", None)  # no pre-ping: a dead connection reaches the query
        pool.wait()
        assert terminate(settings, tag) >= 1
        with pytest.raises(OperationalError):  # the contrast: without its retry, the read fails
            type(app.recorder).select_events.__wrapped__(app.recorder, employee_id)
        for call in (
            lambda: app.recorder.select_events(employee_id),
            lambda: app.recorder.select_key("nobody", uuid4().hex),  # type: ignore[attr-defined]
            lambda: app.rate_performance(OPERATOR, employee_id, 2025, "above", "above"),
        ):
            pool.wait()
            _until_connected(settings, tag)  # the pool refills in the background after a retry
            assert terminate(settings, tag) >= 1
            call()  # no error: the dropped connection was retried on a new one
        assert len(app.recorder.select_events(employee_id)) == 2
    finally:
        app.close()
