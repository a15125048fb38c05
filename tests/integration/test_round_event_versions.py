"""Old round events stay readable: a decision without its day (Decided v1) and a decree without the
rules judged on its TMT (DecreeIssued v1) are upcast, and new ones store their class version."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import uuid4

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import get_topic

from application.persistence.chain import canonical_json
from domain.mutation_round import MutationRound
from tests import scenario as s

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC).isoformat()
META = {"actor": "walikota", "correlation_id": "c0ffee", "recorded_at": NOW}


def _stored(cls: type, state: dict) -> StoredEvent:
    return StoredEvent(uuid4(), 3, get_topic(cls), canonical_json({**state, "timestamp": NOW, "__meta__": META}))


def test_a_decision_recorded_before_its_day_was_kept_is_upcast(app):
    proposal_id = uuid4()
    old = _stored(
        MutationRound.Decided,
        {
            "proposal_id": str(proposal_id),
            "decision": {
                "approved": True,
                "decided_by": {"user": "walikota", "nip": None},
                "reason": "ok",
                "eligibility": [],
                "overrides": [],
                "jpm": "82.50",
            },
        },
    )

    decided = app.mapper.to_domain_event(old)

    assert decided.proposal_id == proposal_id
    assert decided.decision.decided_on is None
    assert (decided.decision.decided_by.user, decided.decision.decided_by.agencies) == ("walikota", ())


def test_a_decree_recorded_before_it_was_judged_again_is_upcast(app):
    old = _stored(
        MutationRound.DecreeIssued,
        {
            "proposal_id": str(uuid4()),
            "decree": {
                "number": "821.2/001/2025",
                "signed_on": "2025-02-20",
                "effective_on": "2025-03-01",
                "signed_by": {"user": "walikota", "nip": None},
            },
        },
    )

    decree = app.mapper.to_domain_event(old).decree

    assert (decree.number, decree.effective_on) == ("821.2/001/2025", date(2025, 3, 1))
    assert decree.eligibility == () and decree.overrides == ()


def test_new_decisions_and_decrees_store_their_class_version_and_read_back(app):
    origin, target = s.position(app, "Analis Keuangan"), s.position(app, "Analis Anggaran", unit="Bappeda")
    employee_id = s.employee(app, 1, origin)
    round_id = s.mutation_round(app)
    proposal_id = s.approved(app, round_id, employee_id, target)
    s.announce_and_decree(app, round_id, [proposal_id])

    stored = {
        app.mapper.stored_state(e).get("class_version"): e.topic
        for e in app.recorder.select_events(round_id)
        if e.topic.endswith(("Decided", "DecreeIssued"))
    }
    assert set(stored) == {2}
    proposal = app.get_round(round_id).proposal(proposal_id)
    assert proposal.decision.decided_on == s.DECIDED_ON
    assert proposal.decision.decided_by.agencies == s.AGENCIES
    assert [o.rule for o in proposal.decree.eligibility][-1] == "decree_dates"
