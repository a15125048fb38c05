"""/audit over HTTP for the auditor role, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import pytest

from api.http.roles import Role
from application.audit.checkpoints import checkpoint
from application.audit.signing import fingerprint, load_public_key
from tests import scenario as s
from tests.api.support import Api, bearer, running_api
from tests.audit.support import Tamper, back_dated_transfer, public_key


@pytest.fixture
def api(settings, clock) -> Iterator[Api]:
    """The REST API on the audit store of each kind."""
    with running_api(settings, clock) as running:
        yield running


def test_the_public_key_is_published_to_anyone(api: Api, settings) -> None:
    for role in (Role.PUBLIC, Role.AUDITOR):
        body = api.ok(role, "GET", "/public/audit-public-key")
        assert (
            fingerprint(load_public_key(body["public_key_pem"]))
            == body["fingerprint"]
            == fingerprint(public_key(settings))
        )


def test_history_and_placements_as_recorded_and_as_effective(api: Api) -> None:
    transfer = back_dated_transfer(api.app)
    history = api.ok(Role.AUDITOR, "GET", f"/audit/employees/{transfer.employee_id}/history")
    assert history["events"][0]["event"] == "Employee.Registered"
    assert history["events"][-1]["event"] == "Employee.Transferred"
    assert all(e["actor"] and e["correlation_id"] and e["hash"] for e in history["events"])
    path = f"/audit/employees/{transfer.employee_id}/placements"
    now = api.client.get(path, params={"effective_on": "2026-04-01"}, headers=_auditor())
    then = api.client.get(
        path,
        params={"effective_on": "2026-04-01", "recorded_at": transfer.before_execution.isoformat()},
        headers=_auditor(),
    )
    assert [h["position_id"] for h in now.json()["in_force"]] == [str(transfer.target_id)]
    assert [h["position_id"] for h in then.json()["in_force"]] == [str(transfer.origin_id)]
    unit = api.client.get(
        "/audit/units/holders",
        headers=_auditor(),
        params={"agency": s.AGENCY, "unit": "Bappeda", "effective_on": "2026-04-01"},
    ).json()
    assert [p["holders"][0]["employee_id"] for p in unit["positions"]] == [str(transfer.employee_id)]
    assert api.ok(Role.AUDITOR, "GET", f"/audit/rounds/{transfer.round_id}/history")["events"]


def test_the_feed_pages_through_the_store(api: Api) -> None:
    for number in range(3):
        s.position(api.app, f"Analis {number}")
    first = api.ok(Role.AUDITOR, "GET", "/audit/events?limit=2")
    second = api.ok(Role.AUDITOR, "GET", f"/audit/events?after={first['next_after']}&limit=2")
    assert [e["position"] for e in first["events"] + second["events"]] == [1, 2, 3]


def test_verify_reports_the_first_failure(api: Api, settings) -> None:
    transfer = back_dated_transfer(api.app)
    checkpoint(api.app)
    verified = api.ok(Role.AUDITOR, "GET", "/audit/verify")
    assert verified["ok"] is True and verified["tree_size"] == verified["events"]
    assert api.ok(Role.AUDITOR, "GET", "/audit/checkpoints") == []  # segment checkpoints are no longer made
    Tamper(settings, api.app.recorder.events_table_name).edit(
        transfer.employee_id, 2, lambda state: state.update(decree_number="SK-EDITED")
    )
    failure = api.ok(Role.AUDITOR, "GET", "/audit/verify")["failure"]
    assert (failure["originator_id"], failure["version"]) == (str(transfer.employee_id), 2)
    one = api.ok(Role.AUDITOR, "GET", f"/audit/verify?aggregate_id={transfer.employee_id}")
    assert one["ok"] is False and one["failure"]["version"] == 2


def test_an_unknown_employee_is_a_404_problem(api: Api) -> None:
    response = api.call(Role.AUDITOR, "GET", f"/audit/employees/{uuid4()}/history")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def _auditor() -> dict[str, str]:
    return bearer(Role.AUDITOR)
