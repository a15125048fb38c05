"""The hash chain is written with every event: across aggregates of one save, several events of one
aggregate in one save, after a failed save, and from a fresh process that has cached nothing."""

from __future__ import annotations

import pytest

from application.audit.replay import history
from application.audit.verify import verify_aggregate
from application.bootstrap import open_application
from application.errors import ConcurrentChange
from application.persistence.chain import GENESIS
from domain.position import Position
from tests import scenario as s


def _links(app, aggregate_id):
    return [(e.version, e.link) for e in history(app, aggregate_id)]


def test_each_event_links_to_the_previous_event_of_its_aggregate(app) -> None:
    position = s.position(app, "Analis")
    employee = s.employee(app, 1, position)  # the placement saves employee and position together
    for aggregate_id in (position, employee):
        links = _links(app, aggregate_id)
        assert links[0][1][0] == GENESIS
        assert all(later[1][0] == earlier[1][1] for earlier, later in zip(links, links[1:], strict=False))
        assert verify_aggregate(app, aggregate_id).ok


def test_several_events_of_one_aggregate_in_one_save_chain_in_order(app) -> None:
    position = Position.establish(
        "Kota Pariaman", "BPKAD", "Analis", "fungsional_ahli_pertama", "III/a", "III/d", 2, s.STANDARD
    )
    position.revise_formasi(3, "ABK 2026")
    position.revise_formasi(4, "ABK 2027")
    app._recorded(s.OPERATOR, position)
    assert [version for version, _ in _links(app, position.id)] == [1, 2, 3]
    assert verify_aggregate(app, position.id).ok


def test_a_fresh_process_chains_on_from_one_indexed_read(app, settings) -> None:
    position = s.position(app, "Analis")
    app.revise_formasi(s.OPERATOR, position, 3, "ABK 2026")
    fresh = open_application(settings)
    try:
        assert fresh.mapper.chain.previous(position, 3) == _links(app, position)[-1][1][1]
        fresh.revise_formasi(s.OPERATOR, position, 4, "ABK 2027")
    finally:
        fresh.close()
    assert verify_aggregate(app, position).ok


def test_a_failed_save_leaves_no_stale_hash_behind(app, settings) -> None:
    position = s.position(app, "Analis")
    other = open_application(settings)
    try:
        mine, theirs = app.get_position(position), other.get_position(position)
        theirs.revise_formasi(5, "their ABK")
        other._recorded(s.OPERATOR, theirs)
        mine.revise_formasi(3, "my ABK")
        with pytest.raises(ConcurrentChange):
            app._recorded(s.OPERATOR, mine)
    finally:
        other.close()
    assert app.mapper.chain.previous(position, 3) == _links(app, position)[-1][1][1]  # theirs, not mine
    app.revise_formasi(s.OPERATOR, position, 4, "ABK again")
    assert verify_aggregate(app, position).ok
    assert [e.data.get("formasi") for e in history(app, position)][1:] == [5, 4]
