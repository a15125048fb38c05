"""`save_batch` (the import's save of many aggregates) keeps every guarantee of the normal save."""

from __future__ import annotations

from datetime import date

import psycopg
import pytest
from psycopg import sql

from application.audit.verify import verify_aggregate
from application.bootstrap import open_application
from application.errors import ConcurrentChange, StoreNotReady
from application.persistence.connections import postgres_conninfo
from domain.employee import Employee
from domain.position import Position
from domain.transfer import place_employee
from domain.vocabulary import PositionType, Rank
from tests import scenario as sc


def seated(position: Position, *seqs: int) -> list[Employee]:
    employees = []
    for seq in seqs:
        employee = Employee.register(sc.nip(seq), f"Pegawai {seq}", Rank.III_B)
        place_employee(employee, position, date(2020, 1, 2), f"SK-{seq}/PLACE")
        employees.append(employee)
    return employees


def analysts(formasi: int = 10) -> Position:
    return Position.establish(
        sc.AGENCY,
        "BPKAD",
        "Analis Keuangan",
        PositionType.FUNGSIONAL_AHLI_PERTAMA,
        Rank.III_A,
        Rank.III_D,
        formasi,
        sc.STANDARD,
    )


def test_a_batch_is_recorded_in_order_with_its_hash_chains(app) -> None:
    before = app.check_store()
    position = analysts()
    employees = seated(position, 1, 2, 3)
    pending = [(e.originator_id, e.originator_version) for a in [*employees, position] for e in a.pending_events]
    expected = [e for e in pending if e[1] == 1] + [e for e in pending if e[1] > 1]  # creations first

    last = app.save_batch(sc.OPERATOR, [*employees, position])

    recorded = app.recorder.select_notifications(before + 1, 100)
    assert [(n.originator_id, n.originator_version) for n in recorded] == expected
    assert last == recorded[-1].id == app.check_store()
    assert all(verify_aggregate(app, a.id).failure is None for a in [*employees, position])
    later = app.place_employee(
        sc.OPERATOR,
        app.register_employee(sc.OPERATOR, sc.nip(4), "Pegawai 4", Rank.III_B).aggregate_id,
        position.id,
        date(2021, 1, 4),
        "SK-4/PLACE",
    )
    assert later.position == last + 3 and verify_aggregate(app, position.id).failure is None
    assert app.stored_ids([position.id, employees[0].id, Employee.create_id(sc.nip(9))]) == {
        position.id,
        employees[0].id,
    }


def test_a_batch_with_one_stored_version_saves_nothing(app) -> None:
    position = analysts()
    [first] = seated(position, 1)
    app.save_batch(sc.OPERATOR, [first, position])
    before = app.check_store()
    position = app.get_position(position.id)
    newcomers = seated(position, 2, 3)
    twin = Employee.register(sc.nip(1), "Pegawai 1 again", Rank.III_B)  # version 1 is stored

    with pytest.raises(ConcurrentChange):
        app.save_batch(sc.OPERATOR, [*newcomers, position, twin])  # the conflict comes last

    assert app.check_store() == before
    assert app.stored_ids([e.id for e in newcomers]) == set()
    position = app.get_position(position.id)  # the chain continues from what was stored
    app.save_batch(sc.OPERATOR, [*seated(position, 2), position])
    assert verify_aggregate(app, position.id).failure is None


@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # LISTEN/NOTIFY is PostgreSQL's
def test_a_batch_on_postgres_notifies_listeners(settings) -> None:
    # One connection, so its backend is the one that must notify (other schemas share the channel).
    app = open_application(settings.model_copy(update={"postgres_pool_size": 1, "postgres_max_overflow": 0}))
    try:
        with app.recorder.datastore.get_connection() as conn:
            writer = conn.info.backend_pid
        with psycopg.connect(postgres_conninfo(settings), autocommit=True) as listener:
            listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(app.recorder.channel_name)))
            position = analysts()
            app.save_batch(sc.OPERATOR, [*seated(position, 1, 2), position])
            for notify in listener.notifies(timeout=5):
                if notify.pid == writer:
                    break
            else:
                pytest.fail("the batch's transaction sent no notification")
    finally:
        app.close()


@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)  # the table lock is PostgreSQL's
def test_a_batch_on_postgres_takes_the_table_lock_that_orders_writers(settings, app) -> None:
    # Another writer's plain INSERT (ROW EXCLUSIVE) is in flight: a batch must wait for it, since
    # it takes the library's EXCLUSIVE lock; a short lock timeout turns that wait into an error.
    app.recorder.lock_table_statements[0] = sql.SQL("SET LOCAL lock_timeout = '100ms'")
    table = sql.Identifier(settings.postgres_schema, app.recorder.events_table_name)
    with psycopg.connect(postgres_conninfo(settings)) as other:
        other.execute(sql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(table))
        position = analysts()
        with pytest.raises(StoreNotReady):
            app.save_batch(sc.OPERATOR, [*seated(position, 1), position])
        other.rollback()
    assert app.check_store() == 0


def test_a_batch_records_every_aggregate_it_creates_before_anything_that_refers_to_it(app) -> None:
    position = analysts()
    employees = seated(position, 1, 2)
    app.save_batch(sc.OPERATOR, [*employees, position])  # the employees come first, as the import hands them
    notifications = app.recorder.select_notifications(1, 100)
    topics = [n.topic.rsplit(".", 1)[1] for n in notifications]
    assert topics[:3] == ["Registered", "Registered", "Established"]
    assert sorted(topics[3:]) == ["HolderAdded", "HolderAdded", "Placed", "Placed"]
    for aggregate in (*employees, position):  # each aggregate's own events stay in version order
        versions = [n.originator_version for n in notifications if n.originator_id == aggregate.id]
        assert versions == sorted(versions)
        assert verify_aggregate(app, aggregate.id).failure is None
