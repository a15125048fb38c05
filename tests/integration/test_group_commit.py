"""Concurrent saves (grouped into shared transactions on PostgreSQL) keep every guarantee of single saves."""

from __future__ import annotations

import threading
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from application.audit.verify import verify_aggregate
from application.errors import AlreadyExists
from application.persistence.group_commit import GroupCommitRecorder, _Save
from domain.employee import Employee
from domain.vocabulary import Expectation, Rank
from tests import scenario as s

WRITERS, EACH = 8, 12


def _in_threads(writers: int, work) -> list[BaseException]:
    """Run work(writer) in `writers` threads started together; the errors they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def run(writer: int) -> None:
        start.wait()
        try:
            work(writer)
        except BaseException as error:  # noqa: BLE001 - reported to the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_concurrent_saves_are_each_recorded_once_in_commit_order(app):
    def register_and_rate(writer: int) -> None:
        for i in range(EACH):
            k = writer * EACH + i
            app.register_employee(s.OPERATOR, s.nip(k), f"Pegawai {k}", Rank.III_A)
            app.rate_performance(
                s.OPERATOR, Employee.create_id(s.nip(k)), 2025, Expectation.ABOVE, Expectation.AS_EXPECTED
            )

    assert _in_threads(WRITERS, register_and_rate) == []
    notifications = app.recorder.select_notifications(1, 10_000)
    assert len(notifications) == 2 * WRITERS * EACH
    ids = [n.id for n in notifications]
    assert ids == sorted(set(ids))
    for k in range(WRITERS * EACH):
        employee_id = Employee.create_id(s.nip(k))
        mine = [n for n in notifications if n.originator_id == employee_id]
        assert [n.originator_version for n in mine] == [1, 2]  # each version once, in order
        assert verify_aggregate(app, employee_id).ok  # the hash chain holds across shared transactions


def test_of_concurrent_registrations_of_one_nip_exactly_one_is_recorded(app):
    outcomes: list[str] = []

    def register(writer: int) -> None:
        try:
            app.register_employee(s.OPERATOR, s.nip(1), f"Siti {writer}", Rank.III_A)
            outcomes.append("ok")
        except AlreadyExists:
            outcomes.append("refused")
        app.register_employee(s.OPERATOR, s.nip(100 + writer), "Other", Rank.III_A)  # others unaffected

    assert _in_threads(WRITERS, register) == []
    assert sorted(outcomes) == ["ok"] + ["refused"] * (WRITERS - 1)
    assert len(list(app.events.get(Employee.create_id(s.nip(1))))) == 1
    for writer in range(WRITERS):
        assert app.exists(Employee.create_id(s.nip(100 + writer)))


# Group commit is PostgreSQL's (SQLite has one writer at a time anyway).
postgres_only = pytest.mark.parametrize("settings", ["postgres"], indirect=True)


@pytest.fixture
def recorder(app) -> GroupCommitRecorder:
    assert isinstance(app.recorder, GroupCommitRecorder)
    return app.recorder


def _events(*versions: tuple[object, int]) -> list[StoredEvent]:
    return [StoredEvent(originator_id, version, "tests:Thing.Event", b"{}") for originator_id, version in versions]


@pytest.mark.postgres
@postgres_only
def test_a_save_that_conflicts_in_a_shared_transaction_fails_alone(recorder):
    taken, a, b, c = uuid4(), uuid4(), uuid4(), uuid4()
    recorder.insert_events(_events((taken, 1)))
    before = recorder.max_notification_id()
    batch = [_Save(_events((a, 1), (a, 2))), _Save(_events((b, 1), (taken, 1))), _Save(_events((c, 1)))]
    recorder._commit(batch)
    assert isinstance(batch[1].error, IntegrityError) and batch[1].ids == []
    assert recorder.select_events(b) == []  # the conflicting save recorded nothing, not even (b, 1)
    assert batch[0].error is None and batch[2].error is None
    recorded = recorder.select_notifications(before + 1, 10)
    assert [(n.originator_id, n.originator_version) for n in recorded] == [(a, 1), (a, 2), (c, 1)]
    assert [n.id for n in recorded] == batch[0].ids + batch[2].ids


@pytest.mark.postgres
@postgres_only
def test_the_saves_of_one_shared_transaction_keep_their_order_and_atomicity(recorder):
    a, b, c = uuid4(), uuid4(), uuid4()
    batch = [_Save(_events((a, 1))), _Save(_events((b, 1), (c, 1))), _Save(_events((a, 2)))]
    recorder._commit(batch)
    assert [len(save.ids) for save in batch] == [1, 2, 1]
    ids = [i for save in batch for i in save.ids]
    assert ids == sorted(ids)
    recorded = recorder.select_notifications(ids[0], 10)
    assert [(n.originator_id, n.originator_version) for n in recorded] == [(a, 1), (b, 1), (c, 1), (a, 2)]


@pytest.mark.postgres
@postgres_only
def test_a_lone_refused_save_raises_the_stores_integrity_error(recorder):
    taken = uuid4()
    recorder.insert_events(_events((taken, 1)))
    with pytest.raises(IntegrityError):
        recorder.insert_events(_events((taken, 1)))
    assert recorder.insert_events([]) == []


@pytest.mark.postgres
@postgres_only
def test_a_large_save_is_recorded_alone_in_order(recorder):
    from application.persistence.group_commit import LARGE_SAVE

    small, large = uuid4(), uuid4()
    before = recorder.max_notification_id() or 0
    recorder.insert_events(_events((small, 1)))
    ids = recorder.insert_events(_events(*((large, v) for v in range(1, LARGE_SAVE + 2))))
    assert len(ids) == LARGE_SAVE + 1 and list(ids) == sorted(ids) and ids[0] > before + 1
    assert [e.originator_version for e in recorder.select_events(large)] == list(range(1, LARGE_SAVE + 2))
    with pytest.raises(IntegrityError):  # the library's path refuses a conflict just the same
        recorder.insert_events(_events(*((large, v) for v in range(LARGE_SAVE + 1, 2 * LARGE_SAVE + 2))))


@pytest.mark.postgres
@postgres_only
def test_reading_an_aggregate_gives_what_the_library_reads_for_every_shape_of_query(recorder):
    from eventsourcing.postgres import PostgresApplicationRecorder

    thing, other = uuid4(), uuid4()
    recorder.insert_events(_events(*((thing, v) for v in range(1, 6)), (other, 1)))
    shapes = [
        {},
        {"gt": 2},
        {"lte": 3},
        {"gt": 1, "lte": 4},
        {"desc": True},
        {"desc": True, "limit": 2},
        {"gt": 1, "lte": 5, "desc": True, "limit": 3},
        {"limit": 1},
        {"gt": 5},
    ]
    for shape in shapes:
        ours = recorder.select_events(thing, **shape)
        assert ours == PostgresApplicationRecorder.select_events(recorder, thing, **shape), shape
        assert all(isinstance(event.state, bytes) for event in ours)
    assert [e.originator_version for e in recorder.select_events(thing, gt=1, lte=5, desc=True, limit=3)] == [5, 4, 3]
