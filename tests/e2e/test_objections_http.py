"""Objections (sanggah) end to end over HTTP, on SQLite and PostgreSQL: the employee objects with their
own token and reads only their own records; the committee answers; an upheld objection reopens the
decision and the PPK reverses it; no decree while the window is open or an objection waits."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.http.roles import Role
from tests import scenario as sc
from tests.api.support import Api, bearer, employee, nip, open_round, position, recommended_proposal

OTHER_EMPLOYEE = bearer(Role.EMPLOYEE, user="pegawai-2", nip_claim=nip(2))
ANOTHER_TPK = bearer(Role.COMMITTEE, user="anggota-tpk", nip_claim="197203031998031002")


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == code, body
    return body


def _announced_round(api: Api) -> tuple[str, str, str]:
    """Employees 1 and 2 approved into new posts; the round announced on 10 February (window to the 13th)."""
    origin = position(api, "Analis Anggaran", formasi=3)
    target, other = position(api, "Analis Keuangan"), position(api, "Analis Aset", unit="Bappeda")
    first, second = employee(api, 1, origin), employee(api, 2, origin)
    round_id = open_round(api)
    mine = recommended_proposal(api, round_id, first, target)
    theirs = recommended_proposal(api, round_id, second, other)
    for proposal_id in (mine, theirs):
        api.ok(
            Role.PPK,
            "POST",
            f"/rounds/{round_id}/proposals/{proposal_id}/decision",
            {"approve": True, "reason": "approved on the committee's recommendation"},
        )
    api.ok(Role.PPK, "POST", f"/rounds/{round_id}/announcement", {"announced_on": "2026-02-10"})
    return round_id, mine, theirs


def test_an_upheld_objection_reopens_the_decision_and_the_ppk_reverses_it(api: Api) -> None:
    round_id, mine, theirs = _announced_round(api)
    path = f"/rounds/{round_id}/proposals/{mine}"
    sc.advance(api.app, date(2026, 2, 11))
    before = api.app.recorder.max_notification_id()

    _problem(
        api.client.post(path + "/objections", json={"grounds": "other", "text": "not mine"}, headers=OTHER_EMPLOYEE),
        403,
        "not-the-employee-concerned",
    )
    _problem(
        api.call(
            Role.OPERATOR, "POST", path + "/objections", {"grounds": "personal_circumstances", "text": "no letter"}
        ),
        403,
        "not-the-employee-concerned",
    )
    _problem(
        api.call(
            Role.EMPLOYEE,
            "POST",
            path + "/objections",
            {"grounds": "automated_recommendation_contested", "text": "the plan erred"},
        ),
        422,
        "invalid-value",
    )
    assert api.app.recorder.max_notification_id() == before

    filed = api.call(
        Role.EMPLOYEE,
        "POST",
        path + "/objections",
        {"grounds": "personal_circumstances", "text": "my child's school is in the old district"},
    )
    assert filed.status_code == 201, filed.text
    objection_id = filed.json()["objection_id"]
    assert filed.headers["Location"] == f"/rounds/{round_id}"

    sc.advance(api.app, date(2026, 2, 20))  # the window has closed, the objection still waits
    waiting = api.call(
        Role.PPK, "POST", path + "/decree", {"number": "SK-1", "signed_on": "2026-02-20", "effective_on": "2026-03-01"}
    )
    _problem(waiting, 409, "objection-pending")
    late = api.call(Role.EMPLOYEE, "POST", path + "/objections", {"grounds": "other", "text": "again"})
    assert "closed on 2026-02-13" in _problem(late, 409, "objection-window-closed")["detail"]

    answer = f"{path}/objections/{objection_id}/answer"
    _problem(
        api.call(Role.COMMITTEE, "POST", answer, {"upheld": True, "reasons": "mine"}), 422, "conflict-of-interest"
    )  # ketua-tpk recommended this proposal
    api.ok(
        Role.COMMITTEE,
        "POST",
        answer,
        {"upheld": True, "reasons": "family circumstances verified"},
        Authorization=ANOTHER_TPK["Authorization"],
    )
    _problem(
        api.client.post(answer, json={"upheld": False, "reasons": "twice"}, headers=ANOTHER_TPK),
        409,
        "objection-already-answered",
    )
    reversed_ = api.ok(
        Role.PPK, "POST", path + "/decision", {"approve": False, "reason": "reversed on objection: the family stays"}
    )
    assert reversed_["proposal_id"] == mine

    own = api.ok(Role.EMPLOYEE, "GET", f"/rounds/{round_id}/mine")
    assert [p["proposal_id"] for p in own["proposals"]] == [mine]
    [proposal] = own["proposals"]
    assert proposal["status"] == "rejected" and proposal["decision"]["approved"] is False
    assert [d["approved"] for d in proposal["earlier_decisions"]] == [True]
    assert proposal["objections"][0]["answer"]["upheld"] is True
    assert own["objections_until"] == "2026-02-13"
    staff = api.ok(Role.PPK, "GET", f"/rounds/{round_id}")
    assert {p["proposal_id"]: p["status"] for p in staff["proposals"]} == {mine: "rejected", theirs: "approved"}


def test_a_dismissed_objection_lets_the_decree_follow(api: Api) -> None:
    round_id, mine, _ = _announced_round(api)
    path = f"/rounds/{round_id}/proposals/{mine}"
    early = api.call(
        Role.PPK, "POST", path + "/decree", {"number": "SK-1", "signed_on": "2026-02-10", "effective_on": "2026-03-01"}
    )
    assert "open until 2026-02-13" in _problem(early, 409, "objection-window-open")["detail"]
    filed = api.ok(
        Role.OPERATOR,
        "POST",
        path + "/objections",
        {
            "grounds": "data_wrong",
            "text": "the SKP of 2024 was entered wrongly",
            "letter_reference": "Surat pegawai 800/1/2026",
        },
    )
    api.ok(
        Role.COMMITTEE,
        "POST",
        f"{path}/objections/{filed['objection_id']}/answer",
        {"upheld": False, "reasons": "the 2024 SKP matches the signed form"},
        Authorization=ANOTHER_TPK["Authorization"],
    )
    sc.advance(api.app, date(2026, 2, 20))
    api.ok(
        Role.PPK, "POST", path + "/decree", {"number": "SK-1", "signed_on": "2026-02-20", "effective_on": "2026-03-01"}
    )

    objection = api.ok(Role.EMPLOYEE, "GET", f"/rounds/{round_id}/mine")["proposals"][0]["objections"][0]
    assert objection["letter_reference"] == "Surat pegawai 800/1/2026" and objection["answer"]["upheld"] is False


def test_an_employee_reads_only_their_own_records(api: Api) -> None:
    round_id, mine, theirs = _announced_round(api)
    assert api.ok(Role.EMPLOYEE, "GET", f"/rounds/{round_id}/mine")["proposals"][0]["proposal_id"] == mine
    other = api.client.get(f"/rounds/{round_id}/mine", headers=OTHER_EMPLOYEE).json()
    assert [p["proposal_id"] for p in other["proposals"]] == [theirs]
    for path in (f"/rounds/{round_id}", "/positions", f"/reports/rounds/{round_id}/board"):
        _problem(api.call(Role.EMPLOYEE, "GET", path), 403, "forbidden")
    _problem(api.call(Role.OPERATOR, "GET", f"/rounds/{round_id}/mine"), 403, "forbidden")


def test_an_employee_token_without_a_nip_is_refused(api: Api) -> None:
    from api.http.security import mint_token
    from tests.api.support import SECRET

    token = mint_token(SECRET, Role.EMPLOYEE, "pegawai-tanpa-nip")
    response = api.client.get(
        "/rounds/00000000-0000-0000-0000-000000000000/mine", headers={"Authorization": f"Bearer {token}"}
    )
    _problem(response, 401, "unauthenticated")


def test_the_reports_show_the_objections_and_the_public_only_their_counts(reporting_api: Api) -> None:
    api = reporting_api
    round_id, mine, _ = _announced_round(api)
    path = f"/rounds/{round_id}/proposals/{mine}"
    text = "my child's school is in the old district"
    filed = api.ok(Role.EMPLOYEE, "POST", path + "/objections", {"grounds": "personal_circumstances", "text": text})
    api.ok(
        Role.COMMITTEE,
        "POST",
        f"{path}/objections/{filed['objection_id']}/answer",
        {"upheld": True, "reasons": "family circumstances verified"},
        Authorization=ANOTHER_TPK["Authorization"],
    )
    last = api.ok(Role.PPK, "POST", path + "/decision", {"approve": False, "reason": "reversed on objection"})

    report = api.ok(Role.AUDITOR, "GET", f"/reports/accountability?round_id={round_id}&min_position={last['position']}")
    sections = {s["name"]: s for s in report["sections"]}
    [objection] = sections["objections"]["rows"]
    assert (objection["grounds"], objection["text"], objection["answer"]) == ("personal_circumstances", text, "upheld")
    assert objection["answered_by"] == "anggota-tpk" and objection["reversed"] is True
    assert [r["proposal_id"] for r in sections["reversed_on_objection"]["rows"]] == [mine]

    public = api.client.get(f"/public/reports/transparency?round_id={round_id}&min_position={last['position']}")
    assert public.status_code == 200, public.text
    counts = next(s for s in public.json()["sections"] if s["name"] == "objections")["rows"]
    assert [(c["filed"], c["upheld"], c["dismissed"], c["reversed"]) for c in counts] == [(1, 1, 0, 1)]
    assert text not in public.text and "anggota-tpk" not in public.text and nip(1) not in public.text
