"""Errors are RFC 9457 problem documents with a stable type; nothing a client sends produces a 500."""

from __future__ import annotations

import json
import logging
from uuid import uuid4

import pytest

from api.http.roles import Role
from application.errors import StoreNotReady
from tests.api.support import Api, bearer, employee, open_round, position
from tests.scenario import nip

PROBLEM = "application/problem+json"


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"urn:mutasi:problem:{code}" and body["code"] == code
    assert body["status"] == status and body["correlation_id"] == response.headers["X-Correlation-ID"]
    return body


@pytest.mark.parametrize(
    "body",
    [
        None,
        [],
        "text",
        {"nip": 123},
        {"nip": "198501152010031001", "name": "A", "rank": "V/z"},
        {"nip": "198501152010031001", "name": "A", "rank": "III/a", "extra": 1},
    ],
    ids=["none", "list", "string", "wrong-types", "unknown-rank", "unknown-field"],
)
def test_a_malformed_body_is_a_validation_problem(sqlite_api: Api, body) -> None:
    problem = _problem(sqlite_api.call(Role.OPERATOR, "POST", "/employees", body), 422, "validation-error")
    assert problem["errors"] and problem["detail"]


def test_numbers_and_flags_are_not_guessed_from_other_types(sqlite_api: Api) -> None:
    employee_id = employee(sqlite_api, 1, position(sqlite_api, "Analis Anggaran"))
    for year in (True, "2025", 2025.5):
        response = sqlite_api.call(
            Role.OPERATOR,
            "POST",
            f"/employees/{employee_id}/ratings",
            {"year": year, "results": "above", "behaviour": "above"},
        )
        _problem(response, 422, "validation-error")


def test_an_unknown_query_parameter_is_refused_not_ignored(sqlite_api: Api) -> None:
    problem = _problem(sqlite_api.call(Role.AUDITOR, "GET", "/positions?vacnat=true"), 422, "validation-error")
    assert problem["errors"] == [
        {"loc": ["query", "vacnat"], "msg": "unknown query parameter", "type": "extra_forbidden"}
    ]
    repeated = _problem(
        sqlite_api.call(Role.AUDITOR, "GET", "/positions?unit=BPKAD&unit=Bappeda"), 422, "validation-error"
    )
    assert repeated["errors"][0]["type"] == "repeated_parameter"


def test_a_body_that_is_not_json_is_a_validation_problem(sqlite_api: Api) -> None:
    response = sqlite_api.client.post(
        "/employees", content=b"{not json", headers={**bearer(Role.OPERATOR), "Content-Type": "application/json"}
    )
    _problem(response, 422, "validation-error")


def test_domain_refusals_name_their_error(sqlite_api: Api) -> None:
    _problem(
        sqlite_api.call(
            Role.OPERATOR, "POST", "/employees", {"nip": "198513152010031001", "name": "A", "rank": "III/a"}
        ),
        422,
        "invalid-nip",
    )
    _problem(sqlite_api.call(Role.AUDITOR, "GET", f"/employees/{uuid4()}"), 404, "employee-not-found")
    _problem(
        sqlite_api.call(Role.AUDITOR, "POST", "/employees/lookup", {"nip": "198501152010031001"}),
        404,
        "employee-not-found",
    )
    _problem(sqlite_api.call(Role.AUDITOR, "GET", "/employees/not-a-uuid"), 422, "validation-error")
    _problem(sqlite_api.call(Role.AUDITOR, "GET", "/no/such/route"), 404, "no-such-route")
    _problem(sqlite_api.call(Role.AUDITOR, "DELETE", "/health/live"), 405, "method-not-allowed")


def test_a_failed_rule_is_named_and_explained(sqlite_api: Api) -> None:
    origin, target = position(sqlite_api, "Analis Anggaran"), position(sqlite_api, "Analis Keuangan")
    employee_id = employee(sqlite_api, 1, origin)
    round_id = open_round(sqlite_api)
    sqlite_api.ok(Role.OPERATOR, "POST", f"/positions/{target}/formasi", {"formasi": 0, "reason": "ABK 2026"})
    proposal_id = sqlite_api.ok(
        Role.OPERATOR,
        "POST",
        f"/rounds/{round_id}/proposals",
        {"employee_id": employee_id, "target_position_id": target, "reason": "fills a vacancy"},
    )["proposal_id"]
    path = f"/rounds/{round_id}/proposals/{proposal_id}"
    sqlite_api.ok(Role.COMMITTEE, "POST", path + "/recommendation", {"recommended": True, "notes": "ok"})
    problem = _problem(
        sqlite_api.call(Role.PPK, "POST", path + "/decision", {"approve": True, "reason": "ok"}),
        422,
        "override-required",
    )
    assert problem["rules"] == [{"rule": "vacancy", "title": problem["rules"][0]["title"]}]
    assert "vacancy" in problem["detail"] and "free" in problem["detail"]
    _problem(
        sqlite_api.call(
            Role.PPK,
            "POST",
            path + "/decree",
            {"number": "SK-1", "signed_on": "2026-03-01", "effective_on": "2026-03-01"},
        ),
        409,
        "illegal-transition",
    )


def test_a_caller_may_not_decide_their_own_transfer(sqlite_api: Api) -> None:
    origin, target = position(sqlite_api, "Analis Anggaran"), position(sqlite_api, "Analis Keuangan")
    employee_id = employee(sqlite_api, 1, origin)
    round_id = open_round(sqlite_api)
    response = sqlite_api.client.post(
        f"/rounds/{round_id}/proposals",
        headers=bearer(Role.OPERATOR, user="pegawai-1", nip_claim=nip(1)),
        json={"employee_id": employee_id, "target_position_id": target, "reason": "my own move"},
    )
    problem = _problem(response, 422, "conflict-of-interest")
    assert problem["rules"][0]["rule"] == "conflict_of_interest"


def test_an_unexpected_error_is_a_logged_500_that_echoes_the_correlation_id(
    sqlite_api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sqlite_api.app, "get_employee", broken)
    with caplog.at_level(logging.INFO, logger="mutasi.http"):
        response = sqlite_api.call(Role.AUDITOR, "GET", f"/employees/{uuid4()}", X_Correlation_ID="trace-42")
    problem = _problem(response, 500, "internal-error")
    assert problem["correlation_id"] == "trace-42" and "disk on fire" not in response.text
    logged = [r for r in caplog.records if r.name == "mutasi.http.error"]
    assert logged and json.loads(logged[0].getMessage())["correlation_id"] == "trace-42"
    assert "disk on fire" in caplog.text
    access = [json.loads(r.getMessage()) for r in caplog.records if r.name == "mutasi.http.access"]
    assert access[-1]["correlation_id"] == "trace-42" and access[-1]["status"] == 500


def test_a_generated_correlation_id_is_echoed_and_an_unsafe_one_replaced(sqlite_api: Api) -> None:
    generated = sqlite_api.call(Role.PUBLIC, "GET", "/health/live").headers["X-Correlation-ID"]
    assert len(generated) == 32
    unsafe = sqlite_api.call(Role.PUBLIC, "GET", "/health/live", X_Correlation_ID="a b\tc")
    assert unsafe.headers["X-Correlation-ID"] != "a b\tc"


def test_health(api: Api) -> None:
    assert api.ok(Role.PUBLIC, "GET", "/health/live") == {"status": "live"}
    assert api.ok(Role.PUBLIC, "GET", "/health/ready")["status"] == "ready"


def test_not_ready_when_the_store_does_not_answer(sqlite_api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable() -> int:
        raise StoreNotReady("event store unavailable")

    monkeypatch.setattr(sqlite_api.app, "check_store", unreachable)
    _problem(sqlite_api.call(Role.PUBLIC, "GET", "/health/ready"), 503, "store-not-ready")
    assert sqlite_api.call(Role.PUBLIC, "GET", "/health/live").status_code == 200
