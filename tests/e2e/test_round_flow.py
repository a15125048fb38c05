"""A whole mutation round through HTTP, on SQLite and PostgreSQL: proposal to evaluation and closing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from api.http.roles import Role
from tests.api.support import Api, employee, open_round, position, recommended_proposal
from tests.scenario import nip


def test_a_round_walks_from_proposal_to_evaluation_over_http(api: Api, clock) -> None:
    origin = position(api, "Analis Anggaran", formasi=2)
    target = position(api, "Analis Keuangan", formasi=1)
    employee_id = employee(api, 1, origin)
    round_id = open_round(api)
    before_proposals = datetime.now(UTC)

    check = api.ok(
        Role.COMMITTEE,
        "POST",
        f"/rounds/{round_id}/eligibility-checks",
        {"employee_id": employee_id, "target_position_id": target},
    )
    assert check["passed"] and len(check["outcomes"]) == 10

    proposal_id = recommended_proposal(api, round_id, employee_id, target)
    read = api.call(Role.PPK, "GET", f"/rounds/{round_id}")
    proposal = read.json()["proposals"][0]
    assert proposal["jpm"] == "100.00" and proposal["jpm_category"] == "MS"
    assert [o["rule"] for o in proposal["eligibility"]][0] == "tenure"
    assert all(o["passed"] for o in proposal["eligibility"])

    decided = api.call(
        Role.PPK,
        "POST",
        f"/rounds/{round_id}/proposals/{proposal_id}/decision",
        {"approve": True, "reason": "approved on the committee's recommendation"},
        If_Match=read.headers["ETag"],
        X_Correlation_ID="decide-0001",
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["version"] == int(read.headers["ETag"].strip('"')) + 1
    assert decided.json()["position"] > 0 and decided.headers["ETag"] == f'"{decided.json()["version"]}"'

    assert api.call(Role.PUBLIC, "GET", f"/public/rounds/{round_id}/announcement").status_code == 404
    api.ok(Role.PPK, "POST", f"/rounds/{round_id}/announcement", {"announced_on": "2026-02-10"})
    public = api.ok(Role.PUBLIC, "GET", f"/public/rounds/{round_id}/announcement")
    assert public["transfers"] == [
        {
            "masked_nip": "*" * 14 + nip(1)[14:],
            "name": "Pegawai 1",
            "from_unit": "BPKAD",
            "from_title": "Analis Anggaran",
            "to_unit": "BPKAD",
            "to_title": "Analis Keuangan",
            "decree_number": None,
            "effective_on": None,
        }
    ]

    proposal_path = f"/rounds/{round_id}/proposals/{proposal_id}"
    early = api.call(
        Role.PPK,
        "POST",
        proposal_path + "/decree",
        {"number": "821.2/001/BKPSDM/2026", "signed_on": "2026-02-10", "effective_on": "2026-03-01"},
    )
    assert early.status_code == 409 and early.json()["code"] == "objection-window-open"
    clock.today = date(2026, 2, 20)  # the objection window closed on Friday 13 February
    api.ok(
        Role.PPK,
        "POST",
        proposal_path + "/decree",
        {"number": "821.2/001/BKPSDM/2026", "signed_on": "2026-02-20", "effective_on": "2026-03-01"},
    )
    clock.today = date(2026, 3, 1)
    executed = api.ok(Role.OPERATOR, "POST", proposal_path + "/execution")
    assert executed["proposal_id"] == proposal_id
    moved = api.ok(Role.AUDITOR, "GET", f"/employees/{employee_id}")
    assert moved["position_id"] == target and moved["placements"][-1]["round_id"] == round_id
    assert api.ok(Role.AUDITOR, "GET", f"/positions/{target}")["free_seats"] == 0
    assert api.ok(Role.AUDITOR, "GET", f"/positions/{origin}")["free_seats"] == 2

    clock.today = date(2026, 6, 2)
    api.ok(
        Role.ASSESSOR,
        "POST",
        proposal_path + "/evaluations",
        {
            "months_after": 3,
            "evaluated_on": "2026-06-02",
            "performance_after": "Baik",
            "adaptation": "as_expected",
            "service_quality": "as_expected",
            "notes": "settled in",
        },
    )
    api.ok(Role.PPK, "POST", f"/rounds/{round_id}/closure", {"closed_on": "2026-06-02"})

    final = api.ok(Role.AUDITOR, "GET", f"/rounds/{round_id}")
    assert final["status"] == "closed"
    assert final["proposals"][0]["status"] == "executed"
    assert len(final["proposals"][0]["evaluations"]) == 1
    assert api.ok(Role.AUDITOR, "GET", f"/employees/{employee_id}")["evaluations"][0]["proposal_id"] == proposal_id
    as_of = api.ok(Role.AUDITOR, "GET", f"/rounds/{round_id}?as_of={before_proposals.isoformat()}".replace("+", "%2B"))
    assert as_of["version"] == 1 and as_of["proposals"] == []

    actors = {e.metadata.actor for e in api.app.events.get(UUID(round_id))}
    assert actors == {"operator-bkpsdm", "ketua-tpk", "walikota", "asesor-upt"}
    decision_event = next(e for e in api.app.events.get(UUID(round_id)) if type(e).__name__ == "Decided")
    assert decision_event.metadata.correlation_id == "decide-0001"
    assert decided.headers["X-Correlation-ID"] == "decide-0001"
