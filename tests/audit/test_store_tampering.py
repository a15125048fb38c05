"""Tampering directly in SQL is detected and located; an untouched store verifies clean (SQLite, PostgreSQL)."""

from __future__ import annotations

import base64

import pytest

from application.audit.checkpoints import checkpoint
from application.audit.records import UnsoundEvent
from application.audit.storage import AuditStorage
from application.audit.tlog.store import TreeStore
from application.audit.verify import verify_aggregate, verify_store
from tests import scenario as s
from tests.audit.support import Tamper, back_dated_transfer, public_key


@pytest.fixture
def register(app, settings):
    """A register with a transfer, wholly covered by a signed tree head, and the tools to tamper with it."""
    transfer = back_dated_transfer(app)
    checkpoint(app)
    return transfer, Tamper(settings, app.recorder.events_table_name)


def _verify(app, settings):
    return verify_store(app, AuditStorage(settings).checkpoints(), public_key(settings))


def test_an_untouched_store_verifies_clean(app, settings, register) -> None:
    transfer, tamper = register
    result = _verify(app, settings)
    assert result.ok and result.events == tamper.max_position() and result.checkpoints == 0
    assert result.uncovered == 0 and TreeStore(settings).size()[0] == result.events
    s.position(app, "Arsiparis")
    assert _verify(app, settings).uncovered == 1
    assert verify_aggregate(app, transfer.employee_id).ok


def test_a_changed_field_is_located_at_its_event(app, settings, register) -> None:
    transfer, tamper = register
    version = tamper.last_version(transfer.employee_id)  # the Transferred event
    position, _, _ = tamper.row(transfer.employee_id, version)
    tamper.edit(transfer.employee_id, version, lambda state: state.update(effective_on="2025-01-01"))
    failure = _verify(app, settings).failure
    assert (failure.position, failure.originator_id, failure.version) == (position, transfer.employee_id, version)
    assert "content does not match" in failure.reason
    assert verify_aggregate(app, transfer.employee_id).failure.version == version


def test_a_changed_field_with_a_recomputed_hash_breaks_the_next_link(app, settings, register) -> None:
    from application.persistence.chain import event_hash

    transfer, tamper = register
    _, topic, _ = tamper.row(transfer.employee_id, 2)

    def forge(state):
        state["decree_number"] = "SK-FORGED"
        state["__chain__"]["hash"] = event_hash(state["__chain__"]["previous"], topic, transfer.employee_id, 2, state)

    tamper.edit(transfer.employee_id, 2, forge)
    failure = _verify(app, settings).failure
    assert (failure.originator_id, failure.version) == (transfer.employee_id, 3)
    assert "previous-hash link" in failure.reason


def test_a_deleted_event_is_located_at_the_gap(app, settings, register) -> None:
    transfer, tamper = register
    tamper.delete(transfer.employee_id, 3)
    failure = _verify(app, settings).failure
    assert (failure.originator_id, failure.version) == (transfer.employee_id, 4)
    assert "version 3 of this aggregate is missing" in failure.reason


def test_a_deleted_last_event_is_caught_by_the_tree_head(app, settings, register) -> None:
    transfer, tamper = register
    version = tamper.last_version(transfer.round_id)
    position, _, _ = tamper.row(transfer.round_id, version)
    size = tamper.max_position()
    tamper.delete(transfer.round_id, version)
    failure = _verify(app, settings).failure
    assert failure.head == size and "deleted" in failure.reason
    assert failure.position == position


def test_an_inserted_event_is_located(app, settings, register) -> None:
    transfer, tamper = register
    version = tamper.last_version(transfer.employee_id)
    position, topic, state = tamper.row(transfer.employee_id, version)
    tamper.insert(transfer.employee_id, version + 1, topic, state)  # a copy, replayed as a new version
    failure = _verify(app, settings).failure
    assert (failure.position, failure.originator_id, failure.version) == (
        tamper.max_position(),
        transfer.employee_id,
        version + 1,
    )


def test_two_swapped_events_are_located(app, settings, register) -> None:
    transfer, tamper = register
    tamper.swap(transfer.employee_id, 3, 4)
    failure = _verify(app, settings).failure
    assert (failure.originator_id, failure.version) == (transfer.employee_id, 3)


def test_two_events_swapped_in_the_global_order_are_caught_by_the_tree_head(app, settings, register) -> None:
    transfer, tamper = register
    assert tamper.row(transfer.origin_id, 1)[0] == 1 and tamper.row(transfer.target_id, 1)[0] == 2
    tamper.swap_positions(1, 2)  # each aggregate's own order is intact
    failure = _verify(app, settings).failure
    assert failure.head == tamper.max_position() and "reordered" in failure.reason
    assert (failure.position, failure.originator_id) == (1, transfer.target_id)


def test_a_truncated_tail_is_detected_and_located(app, settings, register) -> None:
    _, tamper = register
    head = tamper.max_position()
    tamper.truncate_after(head - 3)
    failure = _verify(app, settings).failure
    assert failure.head == head and "deleted" in failure.reason and "tail truncated" in failure.reason
    assert failure.position == head - 2  # the first event deleted
    assert f"positions {head - 2}-{head}" in failure.reason


def test_a_forged_tree_head_fails_its_signature(app, settings, register) -> None:
    store = TreeStore(settings)
    size, text = store.head()
    lines = text.split("\n")
    lines[2] = base64.b64encode(bytes(32)).decode()  # another root, the signature left as it was
    store.add_head(size, "\n".join(lines))
    failure = _verify(app, settings).failure
    assert failure.head == size and "not signed by the published key" in failure.reason


def test_tampered_events_are_never_signed_over(app, settings, register) -> None:
    _, tamper = register
    new = s.position(app, "Arsiparis")  # recorded after the last tree head
    tamper.edit(new, 1, lambda state: state.update(formasi=99))
    with pytest.raises(UnsoundEvent):
        checkpoint(app)


def test_periodic_checkpoints_cover_what_was_recorded_until_stopped(app, settings) -> None:
    import threading

    from application.audit.checkpoints import checkpoint_periodically

    s.position(app, "Arsiparis")
    stop = threading.Event()
    rounds: list[list] = []

    def made(head) -> None:
        rounds.append(head)
        if len(rounds) == 1:
            s.position(app, "Pranata Komputer")
        else:
            stop.set()

    worker = threading.Thread(target=checkpoint_periodically, args=(app, 0.01, stop, made))
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert [head.size for head in rounds[:2]] == [1, 2]
    assert [size for size, _ in TreeStore(settings).heads()] == [1, 2]
    assert _verify(app, settings).ok
