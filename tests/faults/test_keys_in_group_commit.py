"""Keys in group commit (PostgreSQL): each save's key is in its transaction, and in its savepoint when
the saves of a shared transaction must be told apart; a refused key refuses its save's events."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from application.context import Recorded
from application.idempotency import KeyedRequest, key_record, replayed
from application.persistence.group_commit import LARGE_SAVE, GroupCommitRecorder, _Save
from application.persistence.keys import SAVE_KWARG, KeyRecord

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("settings", ["postgres"], indirect=True)]


@pytest.fixture
def recorder(app) -> GroupCommitRecorder:
    assert isinstance(app.recorder, GroupCommitRecorder)
    return app.recorder


def _events(originator_id: UUID, *versions: int) -> list[StoredEvent]:
    return [StoredEvent(originator_id, v, "tests:Thing.Event", b"{}") for v in versions]


def _key(key: str, aggregate_id: UUID, version: int) -> KeyRecord:
    return key_record(KeyedRequest("siti", key, f"f-{key}"), Recorded(aggregate_id, version, None))


def _answer(recorder: GroupCommitRecorder, key: str) -> Recorded:
    stored = recorder.select_key("siti", key)
    assert stored is not None
    return replayed(stored).answer


def test_a_shared_transaction_records_each_saves_key_with_its_last_events_position(recorder) -> None:
    a, b = uuid4(), uuid4()
    batch = [_Save(_events(a, 1, 2), _key("k-a", a, 2)), _Save(_events(b, 1), _key("k-b", b, 1))]
    recorder._commit(batch)
    assert _answer(recorder, "k-a").position == batch[0].ids[-1]
    assert _answer(recorder, "k-b") == Recorded(b, 1, batch[1].ids[-1])


def test_a_save_whose_key_is_taken_fails_alone_and_records_none_of_its_events(recorder) -> None:
    a, b, c = uuid4(), uuid4(), uuid4()
    batch = [
        _Save(_events(a, 1), _key("k-1", a, 1)),
        _Save(_events(b, 1), _key("k-1", b, 1)),
        _Save(_events(c, 1), _key("k-3", c, 1)),
    ]
    recorder._commit(batch)
    assert batch[0].error is None and batch[2].error is None
    assert isinstance(batch[1].error, IntegrityError) and batch[1].ids == []
    assert recorder.select_events(b) == []  # its events went with its savepoint
    assert _answer(recorder, "k-1").aggregate_id == a
    assert _answer(recorder, "k-3").position == batch[2].ids[-1]


def test_a_large_save_keeps_its_key_in_its_transaction(recorder) -> None:
    large, again = uuid4(), uuid4()
    ids = recorder.insert_events(_events(large, *range(1, LARGE_SAVE + 2)), **{SAVE_KWARG: _key("big", large, 1)})
    assert _answer(recorder, "big").position == ids[-1]
    with pytest.raises(IntegrityError):  # the same key again: refused, with all of its events
        recorder.insert_events(_events(again, *range(1, LARGE_SAVE + 2)), **{SAVE_KWARG: _key("big", again, 1)})
    assert recorder.select_events(again) == []


def test_a_key_of_a_command_that_recorded_nothing_is_kept_alone(recorder) -> None:
    nothing = uuid4()
    assert recorder.insert_events([], **{SAVE_KWARG: _key("empty", nothing, 3)}) == []
    assert _answer(recorder, "empty") == Recorded(nothing, 3, None)
