"""The whole life of a round, on SQLite and PostgreSQL, through the application service."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from domain.mutation_round import RoundStatus
from domain.proposal import EvaluationFindings, ProposalStatus
from domain.vocabulary import Expectation, Predikat
from tests import scenario as s


def test_a_round_runs_from_opening_to_evaluation(app, clock):
    origin = s.position(app, "Analis Keuangan", formasi=2)
    target = s.position(app, "Analis Anggaran", unit="Dinas Pendidikan", formasi=1)
    employee_id = s.employee(app, 1, origin)
    round_id = s.mutation_round(app, effective_on=date(2026, 3, 1))

    proposed = app.propose(s.OPERATOR, round_id, employee_id, target, "the school office lacks a budget analyst")
    proposal = app.get_round(round_id).proposals[proposed.proposal_id]
    assert proposal.jpm == Decimal("100.00") and proposal.jpm_category.value == "MS"
    assert [o.rule for o in proposal.eligibility] == [
        "tenure",
        "senior_executive_lock",
        "election_freeze",
        "performance",
        "discipline",
        "competency_fit",
        "rank",
        "vacancy",
        "conflict_of_interest",
        "level",
    ]
    assert all(o.passed for o in proposal.eligibility)

    app.recommend(s.COMMITTEE, round_id, proposed.proposal_id, True, "fits the standard")
    app.decide(s.PPK, round_id, proposed.proposal_id, True, "approved")
    app.announce(s.PPK, round_id, s.DECIDED_ON)
    s.advance(app, date(2026, 2, 20))
    app.issue_decree(
        s.PPK, round_id, proposed.proposal_id, "821.2/017/BKPSDM/2026", date(2026, 2, 20), date(2026, 3, 1)
    )
    s.advance(app, s.TMT)
    executed = app.execute_transfer(s.OPERATOR, round_id, proposed.proposal_id)
    assert executed.position == app.recorder.max_notification_id()  # round, employee, 2 positions
    clock.today = date(2026, 6, 2)
    app.evaluate_transfer(
        s.COMMITTEE,
        round_id,
        proposed.proposal_id,
        EvaluationFindings(
            3, date(2026, 6, 1), Predikat.BAIK, Expectation.AS_EXPECTED, Expectation.ABOVE, "settled in"
        ),
    )
    app.close_round(s.PPK, round_id, date(2026, 6, 30))

    employee = app.get_employee(employee_id)
    assert employee.position_id == target
    assert [(p.position_id, p.since, p.until) for p in employee.placements] == [
        (origin, date(2020, 1, 2), date(2026, 3, 1)),
        (target, date(2026, 3, 1), None),
    ]
    assert employee.evaluations[0].performance_before is Predikat.BAIK
    assert employee_id in app.get_position(target).holders
    assert employee_id not in app.get_position(origin).holders
    final = app.get_round(round_id)
    assert final.status is RoundStatus.CLOSED
    assert final.proposals[proposed.proposal_id].status is ProposalStatus.EXECUTED


def test_every_event_carries_actor_correlation_and_recording_time(app):
    before = datetime.now(UTC)
    origin = s.position(app, "Analis Keuangan")
    employee_id = s.employee(app, 2, origin)
    for event in app.events.get(employee_id):
        assert event.metadata.actor == s.OPERATOR.user
        assert event.metadata.correlation_id == s.OPERATOR.correlation_id
        assert before <= event.metadata.recorded_at <= datetime.now(UTC)


def test_values_round_trip_exactly_through_the_store(app):
    origin = s.position(app, "Analis Keuangan")
    app.revise_standard(s.OPERATOR, origin, {"integritas": 3}, Decimal("72.50"), "ABK 2026")
    position = app.get_position(origin)
    assert position.min_jpm == Decimal("72.50") and isinstance(position.min_jpm, Decimal)
    employee_id = s.employee(app, 3, origin)
    stored = app.get_employee(employee_id)
    assert stored.placements[0].since == date(2020, 1, 2)
    assert stored.placements[0].position_id == origin
    assert stored.latest_assessment.scores == s.GOOD_SCORES
