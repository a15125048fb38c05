"""Optimistic concurrency over HTTP: ETag on every response, If-Match refused with 412 when it moved."""

from __future__ import annotations

from api.http.roles import Role
from tests.api.support import Api, employee, position


def test_reads_and_commands_carry_the_version_as_etag(api: Api) -> None:
    employee_id = employee(api, 1, position(api, "Analis Anggaran"))
    read = api.call(Role.AUDITOR, "GET", f"/employees/{employee_id}")
    assert read.headers["ETag"] == '"5"' and read.json()["version"] == 5
    older = api.call(Role.AUDITOR, "GET", f"/employees/{employee_id}?version=2")
    assert older.headers["ETag"] == '"2"' and older.json()["placements"] != []


def test_if_match_on_the_current_version_passes_and_on_an_older_one_is_412(api: Api) -> None:
    employee_id = employee(api, 1, position(api, "Analis Anggaran"))
    path, body = (
        f"/employees/{employee_id}/rank-changes",
        {"rank": "III/c", "effective_on": "2026-04-01", "reference": "SK-KP/1"},
    )
    changed = api.call(Role.OPERATOR, "POST", path, body, If_Match='"5"')
    assert changed.status_code == 200 and changed.headers["ETag"] == '"6"'
    stale = api.call(Role.OPERATOR, "POST", path, body, If_Match='"5"')
    assert stale.status_code == 412
    problem = stale.json()
    assert problem["type"] == "urn:mutasi:problem:version-mismatch"
    assert (problem["expected_version"], problem["actual_version"]) == (5, 6)
    assert api.ok(Role.AUDITOR, "GET", f"/employees/{employee_id}")["version"] == 6


def test_if_match_star_and_weak_etags_are_understood(api: Api) -> None:
    employee_id = employee(api, 1, position(api, "Analis Anggaran"))
    path = f"/employees/{employee_id}/ratings"
    body = {"year": 2023, "results": "as_expected", "behaviour": "as_expected"}
    assert api.call(Role.OPERATOR, "POST", path, body, If_Match="*").status_code == 200
    assert api.call(Role.OPERATOR, "POST", path, body, If_Match='W/"6"').status_code == 200


def test_a_malformed_if_match_is_a_422_problem(api: Api) -> None:
    employee_id = employee(api, 1, position(api, "Analis Anggaran"))
    response = api.call(
        Role.OPERATOR,
        "POST",
        f"/employees/{employee_id}/ratings",
        {"year": 2023, "results": "above", "behaviour": "above"},
        If_Match="yesterday",
    )
    assert response.status_code == 422 and response.json()["code"] == "validation-error"
