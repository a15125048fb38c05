"""No existence leak on public routes: an unknown id and one that is not public yet get the same 404;
and no 404 anywhere names an internal class ("mutationround")."""

from __future__ import annotations

from uuid import uuid4

from api.http.roles import Role
from tests.api.support import Api, employee, open_round, position

_VARYING = ("instance", "correlation_id")


def test_an_unannounced_round_and_an_unknown_id_get_the_same_404(sqlite_api: Api) -> None:
    round_id, unknown = open_round(sqlite_api), str(uuid4())
    employee_id = employee(sqlite_api, 1, position(sqlite_api, "Analis Keuangan"))
    answers = {
        i: sqlite_api.call(Role.PUBLIC, "GET", f"/public/rounds/{i}/announcement")
        for i in (round_id, unknown, employee_id)
    }  # an id of something else is no round either
    bodies = {}
    for aggregate_id, response in answers.items():
        assert response.status_code == 404, response.text
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert aggregate_id in body["detail"]
        bodies[aggregate_id] = {
            k: (v.replace(aggregate_id, "ID") if isinstance(v, str) else v)
            for k, v in body.items()
            if k not in _VARYING
        }
    assert bodies[round_id] == bodies[unknown] == bodies[employee_id]
    assert bodies[unknown]["detail"] == "no announced round ID"


def test_no_404_names_an_internal_class(sqlite_api: Api) -> None:
    employee_id = employee(sqlite_api, 1, position(sqlite_api, "Analis Keuangan"))
    unknown = str(uuid4())
    for role, path in (
        (Role.OPERATOR, f"/rounds/{unknown}"),
        (Role.OPERATOR, f"/rounds/{employee_id}"),
        (Role.OPERATOR, f"/employees/{unknown}"),
        (Role.OPERATOR, f"/positions/{employee_id}"),
        (Role.OPERATOR, f"/plans/{unknown}"),
        (Role.AUDITOR, f"/audit/rounds/{unknown}/history"),
        (Role.AUDITOR, f"/audit/rounds/{employee_id}/history"),
        (Role.PUBLIC, f"/public/rounds/{unknown}/announcement"),
    ):
        response = sqlite_api.call(role, "GET", path)
        assert response.status_code == 404, (path, response.text)
        detail = response.json()["detail"]
        assert "mutation" not in detail.lower() and "aggregate" not in detail.lower(), (path, detail)
        assert any(word in detail for word in ("round", "employee", "position", "plan")), (path, detail)
