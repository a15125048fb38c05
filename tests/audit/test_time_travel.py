"""Replay from the event store: histories with metadata, as recorded at a moment vs as effective on a date."""

from __future__ import annotations

from datetime import date

import pytest

from application.audit import replay
from application.errors import NotFoundError
from tests import scenario as s
from tests.audit.support import back_dated_transfer

APRIL = date(2026, 4, 1)


@pytest.fixture
def transfer(app):
    """A transfer effective 1 March 2026, recorded after that date."""
    return back_dated_transfer(app)


def _held(read):
    return [(h.employee_id, h.position_id) for h in read.held_on]


def test_as_recorded_and_as_effective_differ_for_a_back_dated_decree(app, transfer) -> None:
    now = replay.employee_placements(app, transfer.employee_id, on=APRIL)
    then = replay.employee_placements(app, transfer.employee_id, transfer.before_execution, APRIL)
    assert _held(now) == [(transfer.employee_id, transfer.target_id)]
    assert _held(then) == [(transfer.employee_id, transfer.origin_id)]
    assert then.version < now.version
    assert [h.until for h in then.stretches] == [None]


def test_the_effective_date_is_the_first_day_in_the_new_position(app, transfer) -> None:
    day_before = replay.employee_placements(app, transfer.employee_id, on=date(2026, 2, 28))
    first_day = replay.employee_placements(app, transfer.employee_id, on=date(2026, 3, 1))
    assert _held(day_before) == [(transfer.employee_id, transfer.origin_id)]
    assert _held(first_day) == [(transfer.employee_id, transfer.target_id)]


def test_who_held_a_position_on_a_date_as_known_now_and_as_recorded_then(app, transfer) -> None:
    target_now = replay.position_holders(app, transfer.target_id, on=APRIL)
    target_then = replay.position_holders(app, transfer.target_id, transfer.before_execution, APRIL)
    origin_then = replay.position_holders(app, transfer.origin_id, transfer.before_execution, APRIL)
    assert [h.employee_id for h in target_now.held_on] == [transfer.employee_id]
    assert target_then.held_on == []
    assert transfer.employee_id in [h.employee_id for h in origin_then.held_on]
    assert transfer.employee_id not in [
        h.employee_id for h in replay.position_holders(app, transfer.origin_id, on=APRIL).held_on
    ]


def test_who_held_which_position_of_a_unit_on_a_date(app, transfer) -> None:
    bappeda_now = replay.unit_holders(app, s.AGENCY, "bappeda", APRIL)
    bappeda_then = replay.unit_holders(app, s.AGENCY, "Bappeda", APRIL, transfer.before_execution)
    bpkad_now = replay.unit_holders(app, s.AGENCY, "BPKAD", APRIL)
    assert [(p.title, [h.employee_id for h in p.holders]) for p in bappeda_now] == [
        ("Analis Anggaran", [transfer.employee_id])
    ]
    assert [(p.title, p.holders) for p in bappeda_then] == [("Analis Anggaran", [])]
    assert [p.title for p in bpkad_now] == ["Analis Keuangan"]
    assert transfer.employee_id not in [h.employee_id for h in bpkad_now[0].holders]


def test_a_round_history_lists_every_event_in_order_with_its_metadata(app, transfer) -> None:
    events = replay.history(app, transfer.round_id, "MutationRound")
    assert [e.version for e in events] == list(range(1, len(events) + 1))
    assert [e.name for e in events][:2] == ["MutationRound.Opened", "MutationRound.Proposed"]
    assert events[-1].name == "MutationRound.TransferExecuted"
    assert {e.metadata["actor"] for e in events} >= {s.OPERATOR.user, s.COMMITTEE.user, s.PPK.user}
    assert all(e.metadata["correlation_id"] and e.recorded_at for e in events)


def test_a_history_of_the_wrong_kind_is_not_found(app, transfer) -> None:
    with pytest.raises(NotFoundError):
        replay.history(app, transfer.round_id, "Employee")
