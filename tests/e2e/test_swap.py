"""A swap of two full positions over HTTP, on SQLite and PostgreSQL: one transfer at a time has no
seat; executed together, both take effect in one save, and the views and the audit trail follow."""

from __future__ import annotations

from uuid import UUID

from api.http.roles import Role
from tests import scenario as sc
from tests.api.support import Api, employee, open_round, position, recommended_proposal

DECREE = {"signed_on": "2026-02-20", "effective_on": "2026-03-01"}


def _decide(api: Api, round_id: str, proposal_id: str, **extra) -> None:
    api.ok(
        Role.PPK,
        "POST",
        f"/rounds/{round_id}/proposals/{proposal_id}/decision",
        {"approve": True, "reason": "a swap agreed by both units", **extra},
    )


def _swap(api: Api) -> tuple[str, str, str, str, str, str, str]:
    left, right = position(api, "Analis Anggaran", formasi=1), position(api, "Analis Keuangan", formasi=1)
    first, second = employee(api, 1, left), employee(api, 2, right)
    round_id = open_round(api)
    there = recommended_proposal(api, round_id, first, right)
    back = recommended_proposal(api, round_id, second, left)
    _decide(
        api,
        round_id,
        there,
        overrides=[
            {  # the other half of the swap is not approved yet
                "rule": "vacancy",
                "justification": "a swap: the holder moves to this employee's seat",
                "authorised_by": {"user": "walikota"},
            }
        ],
    )
    _decide(api, round_id, back)  # the seat is freed by the approved first half
    api.ok(Role.PPK, "POST", f"/rounds/{round_id}/announcement", {"announced_on": str(sc.DECIDED_ON)})
    sc.advance(api.app, sc.SIGNED_ON)  # the objection window has closed
    for number, proposal_id in enumerate((there, back), 1):
        api.ok(
            Role.PPK,
            "POST",
            f"/rounds/{round_id}/proposals/{proposal_id}/decree",
            {"number": f"821.2/00{number}/BKPSDM/2026", **DECREE},
        )
    sc.advance(api.app, sc.TMT)
    return round_id, left, right, first, second, there, back


def test_a_swap_executes_together_and_not_one_transfer_at_a_time(api: Api) -> None:
    round_id, left, right, first, second, there, back = _swap(api)
    before = api.app.check_store()

    alone = api.call(Role.OPERATOR, "POST", f"/rounds/{round_id}/proposals/{there}/execution")
    assert alone.status_code == 422 and alone.json()["type"] == "urn:mutasi:problem:formasi-exceeded"
    assert api.app.check_store() == before  # nothing recorded

    done = api.ok(Role.OPERATOR, "POST", f"/rounds/{round_id}/executions", {"proposal_ids": [there, back]})

    assert done["id"] == round_id and done["position"] > before
    assert api.ok(Role.AUDITOR, "GET", f"/employees/{first}")["position_id"] == right
    assert api.ok(Role.AUDITOR, "GET", f"/employees/{second}")["position_id"] == left
    for seat in (left, right):
        assert api.ok(Role.AUDITOR, "GET", f"/positions/{seat}")["free_seats"] == 0
    statuses = {p["proposal_id"]: p["status"] for p in api.ok(Role.AUDITOR, "GET", f"/rounds/{round_id}")["proposals"]}
    assert statuses == {there: "executed", back: "executed"}
    moved = [e for e in api.app.events.get(UUID(first)) if type(e).__name__ == "Transferred"]
    assert len(moved) == 1 and moved[0].metadata.actor == "operator-bkpsdm"


def test_transfers_together_are_refused_whole(api: Api) -> None:
    round_id, left, right, first, second, there, back = _swap(api)
    before = api.app.check_store()

    twice = api.call(Role.OPERATOR, "POST", f"/rounds/{round_id}/executions", {"proposal_ids": [there, there]})
    assert twice.status_code == 409 and "listed twice" in twice.json()["detail"]
    empty = api.call(Role.OPERATOR, "POST", f"/rounds/{round_id}/executions", {"proposal_ids": []})
    assert empty.status_code == 422
    unknown = api.call(
        Role.OPERATOR,
        "POST",
        f"/rounds/{round_id}/executions",
        {"proposal_ids": [there, "00000000-0000-4000-8000-000000000000"]},
    )
    assert unknown.status_code == 404
    assert (
        api.call(Role.PPK, "POST", f"/rounds/{round_id}/executions", {"proposal_ids": [there, back]}).status_code == 403
    )
    assert api.app.check_store() == before
    assert api.ok(Role.AUDITOR, "GET", f"/employees/{first}")["position_id"] == left
