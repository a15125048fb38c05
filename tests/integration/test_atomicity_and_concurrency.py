"""All-or-nothing saves, optimistic concurrency and refused commands leaving no trace."""

from __future__ import annotations

import threading

import pytest

from application.bootstrap import open_application
from application.context import Actor
from application.errors import AlreadyExists, ConcurrentChange, VersionMismatch
from domain.errors import InvalidValue
from domain.mutation_round import DecreeMissing
from domain.nip import InvalidNip
from domain.vocabulary import Rank
from tests import scenario as s


def _decreed(app):
    origin = s.position(app, "Analis Keuangan", formasi=2)
    target = s.position(app, "Analis Anggaran", unit="Dinas Pendidikan", formasi=1)
    employee_id = s.employee(app, 1, origin)
    round_id = s.mutation_round(app)
    proposal_id = s.approved(app, round_id, employee_id, target)
    s.announce_and_decree(app, round_id, [proposal_id])
    s.advance(app, s.TMT)
    return round_id, proposal_id, employee_id, origin, target


def test_a_transfer_that_fails_half_way_leaves_nothing_behind(app, settings, clock):
    round_id, proposal_id, employee_id, origin, target = _decreed(app)
    before = app.recorder.max_notification_id()
    other = open_application(settings, clock=clock)
    original_put = app.events.put

    def put_after_a_concurrent_change(events, **kwargs):
        # Another operator revises the target position between our read and our write.
        other.revise_formasi(s.OPERATOR, target, 3, "ABK revision")
        return original_put(events, **kwargs)

    app.events.put = put_after_a_concurrent_change
    try:
        with pytest.raises(ConcurrentChange):
            app.execute_transfer(s.OPERATOR, round_id, proposal_id)
    finally:
        app.events.put = original_put
        other.close()
    assert app.recorder.max_notification_id() == before + 1  # only the other operator's event
    assert app.get_employee(employee_id).position_id == origin
    assert app.get_round(round_id).proposals[proposal_id].status.value == "decreed"
    assert employee_id in app.get_position(origin).holders
    assert app.get_position(target).holders == {}
    app.execute_transfer(s.OPERATOR, round_id, proposal_id)  # a retry succeeds
    assert app.get_employee(employee_id).position_id == target


def test_two_concurrent_decisions_give_one_success_and_one_conflict(app, settings, clock):
    origin = s.position(app, "Analis Keuangan", formasi=2)
    target = s.position(app, "Analis Anggaran", unit="Dinas Pendidikan", formasi=1)
    employee_id = s.employee(app, 1, origin)
    round_id = s.mutation_round(app)
    proposal_id = app.propose(s.OPERATOR, round_id, employee_id, target, "needed").proposal_id
    app.recommend(s.COMMITTEE, round_id, proposal_id, True, "fits")
    apps = [open_application(settings, clock=clock) for _ in range(2)]
    barrier, outcomes = threading.Barrier(2), []

    def decide(application, approve):
        mutation_round = application.get_round(round_id)  # both read the same version ...
        barrier.wait()  # ... before either writes
        try:
            application.decide(
                s.PPK, round_id, proposal_id, approve, "decision", expected_version=mutation_round.version
            )
            outcomes.append("ok")
        except ConcurrentChange:  # the store refused the second save, or (VersionMismatch, a kind of
            outcomes.append("conflict")  # ConcurrentChange) the winner had saved before it loaded

    threads = [
        threading.Thread(target=decide, args=(a, approve)) for a, approve in zip(apps, (True, False), strict=False)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    for application in apps:
        application.close()
    assert sorted(outcomes) == ["conflict", "ok"]
    decided = [e for e in app.events.get(round_id) if type(e).__name__ == "Decided"]
    assert len(decided) == 1


def test_an_expected_version_that_moved_is_refused(app):
    origin = s.position(app, "Analis Keuangan")
    version = app.get_position(origin).version
    app.revise_formasi(s.OPERATOR, origin, 4, "ABK 2026", expected_version=version)
    with pytest.raises(VersionMismatch) as refused:
        app.revise_formasi(s.OPERATOR, origin, 5, "stale form", expected_version=version)
    assert (refused.value.expected, refused.value.actual) == (version, version + 1)
    assert app.get_position(origin).formasi == 4


def test_registering_a_nip_twice_is_refused(app):
    app.register_employee(s.OPERATOR, s.nip(7), "Siti", Rank.III_A)
    with pytest.raises(AlreadyExists):
        app.register_employee(s.OPERATOR, s.nip(7), "Siti again", Rank.III_A)


@pytest.mark.parametrize(
    "command",
    [
        lambda app, ids: app.register_employee(s.OPERATOR, "19850230" + "201003" + "1001", "X", Rank.III_A),
        lambda app, ids: app.revise_formasi(s.OPERATOR, ids["origin"], -1, "bad"),
        lambda app, ids: app.propose(s.OPERATOR, ids["round"], ids["employee"], ids["target"], "   "),
        lambda app, ids: app.execute_transfer(s.OPERATOR, ids["round"], ids["proposal"]),
    ],
    ids=["impossible-nip", "negative-formasi", "empty-reason", "execute-before-decree"],
)
def test_a_refused_command_records_no_event(app, command):
    origin = s.position(app, "Analis Keuangan")
    target = s.position(app, "Analis Anggaran", unit="Dinas Pendidikan", formasi=1)
    employee_id = s.employee(app, 1, origin)
    other_id = s.employee(app, 2, origin)
    round_id = s.mutation_round(app)
    proposal_id = s.approved(app, round_id, other_id, target)
    ids = dict(origin=origin, target=target, employee=employee_id, round=round_id, proposal=proposal_id)
    before = app.recorder.max_notification_id()
    with pytest.raises((InvalidNip, InvalidValue, DecreeMissing)):
        command(app, ids)
    assert app.recorder.max_notification_id() == before


def test_each_concurrent_writer_s_events_carry_its_own_actor(app):
    writers, each = 8, 12

    def register(writer: int) -> None:
        actor = Actor(f"writer-{writer}", correlation_id=f"corr-{writer}", agencies=s.AGENCIES)
        for i in range(each):
            app.register_employee(actor, s.nip(300 + writer * each + i), f"Pegawai {writer}-{i}", Rank.III_A)

    threads = [threading.Thread(target=register, args=(w,)) for w in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    notifications = app.recorder.select_notifications(1, 1000)
    assert len(notifications) == writers * each  # every writer's registrations were saved
    for notification in notifications:
        meta = app.mapper.stored_state(notification)["__meta__"]
        writer = int(app.mapper.to_domain_event(notification).name.split()[1].split("-")[0])
        assert (meta["actor"], meta["correlation_id"]) == (f"writer-{writer}", f"corr-{writer}")
