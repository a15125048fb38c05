"""A keyed command whose database connections are terminated at each point of its path is recorded
exactly once, answered, and its retry replays that answer (PostgreSQL, `pg_terminate_backend`)."""

from __future__ import annotations

import threading
import time
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from api.http.roles import Role
from application.persistence.connections import postgres_conninfo
from application.settings import Settings
from tests.api.support import Api
from tests.faults.support import terminate
from tests.scenario import nip

pytestmark = pytest.mark.postgres
POINTS = ["before-lookup", "after-lookup", "saving", "committing", "committed"]


def _plan(api: Api, employee_id: str, title: str, key: str):
    body = {"activity": "training", "title": title, "jp_hours": 24, "due_on": "2026-09-30"}
    return api.call(Role.OPERATOR, "POST", f"/employees/{employee_id}/development-plans", body, Idempotency_Key=key)


def _plans_titled(api: Api, employee_id: str, title: str) -> int:
    employee = api.app.get_employee(UUID(employee_id))
    return sum(plan.title == title for plan in employee.development.values())


class Breaker:
    """Terminates the service's backends once, at one point of a command's path."""

    def __init__(self, settings: Settings, tag: str, point: str) -> None:
        self.settings, self.tag, self.point, self.fired = settings, tag, point, 0

    def at(self, point: str, conn: Any) -> None:
        if point != self.point or self.fired:
            return
        self.fired += 1
        terminate(self.settings, self.tag)
        if point == "committed":  # the transaction committed, but its answer never reaches us
            raise psycopg.OperationalError("server closed the connection unexpectedly (injected)")


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
@pytest.mark.parametrize("point", POINTS)
def test_a_keyed_command_is_recorded_once_wherever_its_connection_dies(
    pg_api: Api,
    settings: Settings,
    tag: str,
    point: str,
) -> None:
    employee_id = pg_api.ok(Role.OPERATOR, "POST", "/employees", {"nip": nip(1), "name": "Pegawai 1", "rank": "III/b"})[
        "id"
    ]
    breaker = Breaker(settings, tag, point)
    recorder: Any = pg_api.app.recorder
    if point == "before-lookup":
        breaker.at(point, None)
    elif point == "after-lookup":
        lookup = recorder.select_key
        recorder.select_key = lambda *args: (lookup(*args), breaker.at(point, None))[0]
    else:
        recorder.fault_point = breaker.at
    try:
        first = _plan(pg_api, employee_id, "Diklat 1", "plan-1")
    finally:
        recorder.__dict__.pop("select_key", None)
        recorder.fault_point = None
    assert breaker.fired == 1
    assert first.status_code == 201, first.text
    assert ("Idempotent-Replayed" in first.headers) == (point == "committed")  # its own answer, replayed
    again = _plan(pg_api, employee_id, "Diklat 1", "plan-1")
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _plans_titled(pg_api, employee_id, "Diklat 1") == 1
    stored = pg_api.app.answered("operator-bkpsdm", "plan-1")
    assert stored is not None and str(stored.answer.plan_id) == first.json()["plan_id"]
    assert stored.answer.position == first.json()["position"]


@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_a_save_cut_off_inside_its_transaction_leaves_neither_events_nor_key(
    pg_api: Api,
    settings: Settings,
    tag: str,
) -> None:
    """The save waits in its transaction for the events table's lock (held here) and its backend is
    terminated there: nothing of it commits. The recorder retries on a new connection once the lock
    is free, so the command is answered, recorded once, and its retry replays it."""
    employee_id = pg_api.ok(Role.OPERATOR, "POST", "/employees", {"nip": nip(2), "name": "Pegawai 2", "rank": "III/b"})[
        "id"
    ]
    table = sql.Identifier(settings.postgres_schema, pg_api.app.recorder.events_table_name)  # type: ignore[attr-defined]
    answers: list[Any] = []
    with psycopg.connect(postgres_conninfo(settings), application_name="mutasi-admin") as admin:
        admin.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table))
        thread = threading.Thread(target=lambda: answers.append(_plan(pg_api, employee_id, "Diklat 2", "plan-2")))
        thread.start()
        deadline = time.monotonic() + 10
        while not _waiting_for_a_lock(admin, tag):
            assert time.monotonic() < deadline, "the save never waited for the lock"
            time.sleep(0.02)
        assert terminate(settings, tag) >= 1
        admin.commit()  # the lock is free again
    thread.join(timeout=30)
    assert answers and answers[0].status_code == 201, answers and answers[0].text
    retry = _plan(pg_api, employee_id, "Diklat 2", "plan-2")
    assert retry.status_code == 201 and retry.json() == answers[0].json()
    assert _plans_titled(pg_api, employee_id, "Diklat 2") == 1


def _waiting_for_a_lock(admin: psycopg.Connection, tag: str) -> bool:
    with psycopg.connect(admin.info.dsn, autocommit=True, application_name="mutasi-admin") as probe:
        return (
            probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'", (tag,)
            ).fetchone()[0]
            > 0
        )
