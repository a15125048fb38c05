"""Following live: many concurrent writers, ids committed out of order, and the database going away."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import psycopg
import pytest
from psycopg import sql

from application.errors import ConcurrentChange
from application.persistence.connections import postgres_conninfo
from application.persistence.mapper import EventMetadata
from application.settings import Settings
from domain.employee import Employee
from domain.vocabulary import Rank
from projections.queries import NotYetUpToDate, ReadModels
from projections.runner import ProjectionRunner
from tests import scenario as sc

WRITERS, EACH = 8, 6


@contextmanager
def following(settings: Settings, views: list[str]) -> Iterator[ProjectionRunner]:
    """A runner following live in a thread; stopped and joined afterwards."""
    runner = ProjectionRunner(settings, views, batch_size=20, poll_interval=0.05)
    stop = threading.Event()
    thread = threading.Thread(target=runner.run, args=(stop,))
    thread.start()
    try:
        yield runner
        assert thread.is_alive(), "the runner died"
    finally:
        stop.set()
        runner.nudge()
        thread.join(30)


def test_no_event_is_skipped_while_many_writers_commit(settings: Settings, app) -> None:
    desks = [sc.position(app, f"Pengadministrasi {i}", formasi=100) for i in range(3)]
    placed: list[int] = []

    def write(writer: int) -> None:
        for i in range(EACH):
            seq = 100 + writer * EACH + i
            employee_id = app.register_employee(sc.OPERATOR, sc.nip(seq), f"Pegawai {seq}", Rank.III_A).aggregate_id
            while True:  # writers race for the same positions: conflicts are retried
                try:
                    placed.append(
                        app.place_employee(
                            sc.OPERATOR, employee_id, desks[seq % 3], date(2024, 1, 1), f"SK-{seq}"
                        ).position
                    )
                    break
                except ConcurrentChange:
                    continue

    read = ReadModels(settings)
    try:
        with following(settings, ["register", "staffing"]):
            writers = [threading.Thread(target=write, args=(w,)) for w in range(WRITERS)]
            for thread in writers:
                thread.start()
            for thread in writers:
                thread.join()
            last = app.recorder.max_notification_id()
            read.wait_for("register", last, timeout=30)
            read.wait_for("staffing", last, timeout=30)
        total = WRITERS * EACH
        employees = read.employees(limit=1000)
        assert employees.total == total and all(e.position_id is not None for e in employees.items)
        positions = read.positions(limit=10).items
        assert sum(len(p.holders) for p in positions) == total
        assert {str(e.employee_id) for e in employees.items} == {str(h) for p in positions for h in p.holders}
        units = read.view("staffing")
        with units.reading() as snap:
            [unit] = snap.select("unit")[0]
        assert sum(p["holders"] for p in unit["positions"].values()) == total
    finally:
        read.close()


def _stored(app, seq: int):
    employee = Employee.register(sc.nip(seq), f"Pegawai {seq}", Rank.III_A)
    metadata = EventMetadata.now(sc.OPERATOR.user, sc.OPERATOR.correlation_id)
    return app.mapper.to_stored_event(employee.collect_events()[0], metadata)


def _insert(conn: psycopg.Connection, app, stored) -> int:
    """Insert a stored event WITHOUT the library's table lock (as a careless bulk writer would)."""
    table = sql.Identifier(app.settings.postgres_schema, app.recorder.events_table_name)
    row = conn.execute(
        sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s) RETURNING notification_id"
        ).format(table),
        (stored.originator_id, stored.originator_version, stored.topic, stored.state),
    ).fetchone()
    return row[0]


@pytest.mark.postgres  # SQLite has one writer at a time: its ids always commit in order
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_an_id_committed_after_a_higher_one_is_not_skipped(settings: Settings, app) -> None:
    sc.position(app, "Analis")
    read = ReadModels(settings)
    try:
        with (
            following(settings, ["register"]) as runner,
            psycopg.connect(postgres_conninfo(settings)) as slow,
            psycopg.connect(postgres_conninfo(settings), autocommit=True) as fast,
        ):
            read.wait_for("register", app.recorder.max_notification_id(), timeout=10)
            low = _insert(slow, app, _stored(app, 201))  # open transaction: id taken, not committed
            high = _insert(fast, app, _stored(app, 202))  # a higher id, committed first
            assert high > low
            with pytest.raises(NotYetUpToDate):
                read.wait_for("register", high, timeout=1.5)  # must not pass the open gap
            assert runner.position < low
            slow.commit()
            read.wait_for("register", high, timeout=15)
        assert {e.nip for e in read.employees().items} == {sc.nip(201), sc.nip(202)}
    finally:
        read.close()


@pytest.mark.postgres  # an embedded SQLite file does not go away
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_the_runner_reconnects_when_the_database_drops_its_connections(settings: Settings, app) -> None:
    desk = sc.position(app, "Analis")
    read = ReadModels(settings)
    try:
        with (
            following(settings, ["register"]) as runner,
            psycopg.connect(postgres_conninfo(settings), autocommit=True) as admin,
        ):
            read.wait_for("register", app.recorder.max_notification_id(), timeout=10)
            listener = runner._listener.info.backend_pid if runner._listener else -1
            killed = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                "AND datname = current_database() AND (pid = %s OR query LIKE %s)",
                (listener, f'%"{settings.postgres_schema}"%'),
            ).fetchone()[0]
            assert killed >= 1
            employee = sc.employee(app, 301, desk)
            read.wait_for("register", app.recorder.max_notification_id(), timeout=30)
        assert [e.employee_id for e in read.employees().items] == [employee]
    finally:
        read.close()
