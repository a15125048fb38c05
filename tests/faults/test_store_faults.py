"""Database faults answer fast and clearly (PostgreSQL): 503 `store-unavailable` with Retry-After,
never a 500; a bounded wait for a pooled connection; `/health/live` untouched, `/health/ready`
bounded; service back within ~2 s of the database, without a restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from api.http.roles import Role
from application.settings import Settings
from tests.api.support import Api, running_api
from tests.faults.support import Gate, backends, terminate
from tests.scenario import nip

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("settings", ["postgres"], indirect=True)]
EMPLOYEE = {"nip": nip(3), "name": "Pegawai 3", "rank": "III/b"}


def _timed(call) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def _unavailable(response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["Retry-After"]


def _requests_of_every_kind(api: Api, employee_id: str, n: int) -> list:
    """A keyed command, a command, a read of the store, and readiness (both stores)."""
    return [
        api.call(
            Role.OPERATOR,
            "POST",
            f"/employees/{employee_id}/development-plans",
            {"activity": "training", "title": f"Diklat {n}", "jp_hours": 8, "due_on": "2026-09-30"},
            Idempotency_Key=f"k-{n}",
        ),
        api.call(
            Role.OPERATOR,
            "POST",
            f"/employees/{employee_id}/development-plans",
            {"activity": "coaching", "title": f"Coaching {n}", "jp_hours": 8, "due_on": "2026-09-30"},
        ),
        api.call(Role.OPERATOR, "GET", f"/employees/{employee_id}"),
        api.call(Role.PUBLIC, "GET", "/health/ready"),
    ]


def test_after_every_backend_of_the_service_is_terminated_the_next_requests_succeed(
    pg_api: Api,
    settings: Settings,
    tag: str,
) -> None:
    employee_id = pg_api.ok(Role.OPERATOR, "POST", "/employees", EMPLOYEE)["id"]
    assert all(r.status_code < 300 for r in _requests_of_every_kind(pg_api, employee_id, 1))
    for round_ in range(2, 4):
        assert terminate(settings, tag) >= 2  # the event store's pool and the views' pool
        answers, seconds = _timed(lambda n=round_: _requests_of_every_kind(pg_api, employee_id, n))
        assert [r.status_code for r in answers] == [201, 201, 200, 200], [r.text for r in answers]
        assert seconds < 2.0
    assert backends(settings, tag) >= 1


@contextmanager
def _held(pool) -> Iterator[None]:
    """Every connection of `pool` taken (as under load), then given back."""
    conns = [pool.getconn() for _ in range(pool.max_size)]
    try:
        yield
    finally:
        for conn in conns:
            pool.putconn(conn)


def test_a_blocked_pool_refuses_within_its_bound_before_running_anything(settings: Settings, clock) -> None:
    small = settings.model_copy(
        update={"postgres_pool_size": 1, "postgres_max_overflow": 0, "postgres_pool_timeout": 0.5}
    )
    with running_api(small, clock) as api:
        employee_id = api.ok(Role.OPERATOR, "POST", "/employees", EMPLOYEE)["id"]
        head = api.app.check_store()
        with _held(api.app.recorder.datastore.pool):  # type: ignore[attr-defined]
            for key in (None, "blocked-1"):
                extra = {"Idempotency_Key": key} if key else {}
                response, seconds = _timed(
                    lambda extra=extra: api.call(
                        Role.OPERATOR,
                        "POST",
                        f"/employees/{employee_id}/development-plans",
                        {"activity": "training", "title": "Diklat", "jp_hours": 8, "due_on": "2026-09-30"},
                        **extra,
                    )
                )
                _unavailable(response)
                assert response.json()["code"] == "store-unavailable"
                assert 0.4 < seconds < 1.5
            live, seconds = _timed(lambda: api.call(Role.PUBLIC, "GET", "/health/live"))
            assert live.status_code == 200 and seconds < 0.2
            ready, seconds = _timed(lambda: api.call(Role.PUBLIC, "GET", "/health/ready"))
            _unavailable(ready)
            assert ready.json()["checks"]["events"]["status"] == "down" and seconds < 1.5
        assert api.app.check_store() == head  # nothing was executed
        assert api.app.answered("operator-bkpsdm", "blocked-1") is None


def test_ready_answers_within_its_bound_and_live_stays_fast_while_every_worker_waits(
    settings: Settings,
    clock,
) -> None:
    small = settings.model_copy(update={"postgres_pool_size": 1, "postgres_max_overflow": 0})  # 2 s wait
    with running_api(small, clock) as api:
        employee_id = api.ok(Role.OPERATOR, "POST", "/employees", EMPLOYEE)["id"]
        with _held(api.app.recorder.datastore.pool):  # type: ignore[attr-defined]
            waiting = [
                threading.Thread(target=api.call, args=(Role.OPERATOR, "GET", f"/employees/{employee_id}"))
                for _ in range(60)
            ]  # more than the worker threads (40)
            for thread in waiting:
                thread.start()
            time.sleep(0.3)
            lives = [_timed(lambda: api.call(Role.PUBLIC, "GET", "/health/live")) for _ in range(5)]
            assert all(r.status_code == 200 for r, _ in lives)
            assert max(seconds for _, seconds in lives) < 0.25
            ready, seconds = _timed(lambda: api.call(Role.PUBLIC, "GET", "/health/ready"))
            _unavailable(ready)
            assert 0.9 < seconds < 1.4, seconds  # its own bound (1 s), not the pool's (2 s)
            assert ready.json()["checks"]["events"]["detail"] == "no answer within 1 s"
        for thread in waiting:
            thread.join(timeout=30)
        assert api.call(Role.PUBLIC, "GET", "/health/ready").status_code == 200


def test_a_command_that_passed_its_deadline_while_waiting_is_not_executed(settings: Settings, clock) -> None:
    short = settings.model_copy(update={"postgres_pool_size": 1, "postgres_max_overflow": 0, "command_deadline": 0.5})
    with running_api(short, clock) as api:
        employee_id = api.ok(Role.OPERATOR, "POST", "/employees", EMPLOYEE)["id"]
        head = api.app.check_store()
        pool = api.app.recorder.datastore.pool  # type: ignore[attr-defined]
        conn = pool.getconn()
        threading.Timer(1.0, pool.putconn, args=(conn,)).start()  # the connection comes back after 1 s
        response = api.call(
            Role.OPERATOR,
            "POST",
            f"/employees/{employee_id}/development-plans",
            {"activity": "training", "title": "Late", "jp_hours": 8, "due_on": "2026-09-30"},
            Idempotency_Key="late-1",
        )
        _unavailable(response)
        assert response.json()["code"] == "deadline-passed"
        assert api.app.check_store() == head and api.app.answered("operator-bkpsdm", "late-1") is None


def test_while_the_database_is_gone_every_route_says_503_and_service_resumes_within_2_s(
    settings: Settings,
    clock,
) -> None:
    gate = Gate(settings.postgres_host, settings.postgres_port)
    try:
        gated = settings.model_copy(update={"postgres_port": gate.port})
        with running_api(gated, clock) as api:
            employee_id = api.ok(Role.OPERATOR, "POST", "/employees", EMPLOYEE)["id"]
            gate.cut()
            gone_at = time.monotonic()
            answers, seconds = _timed(lambda: _requests_of_every_kind(api, employee_id, 1))
            for response in answers:
                _unavailable(response)
            assert [r.json()["code"] for r in answers] == ["store-unavailable"] * 4
            assert seconds < 4 * 2.5
            live, seconds = _timed(lambda: api.call(Role.PUBLIC, "GET", "/health/live"))
            assert live.status_code == 200 and seconds < 0.2
            while time.monotonic() - gone_at < 8:  # long enough for psycopg_pool's own backoff to reach 4-8 s
                time.sleep(0.2)
            gate.restore()
            back_at = time.monotonic()
            while True:
                answers = _requests_of_every_kind(api, employee_id, 2)
                if [r.status_code for r in answers] == [201, 201, 200, 200]:
                    break
                assert time.monotonic() - back_at < 10, [r.text for r in answers]
                time.sleep(0.1)
            assert time.monotonic() - back_at < 2.5
    finally:
        gate.close()
