"""The role matrix, cell by cell: every role (and the anonymous public) against every route."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import NamedTuple
from uuid import uuid4

import pytest

from api.http.app import create_app
from api.http.roles import MATRIX, Role
from api.http.security import mint_token
from application.settings import Settings
from application.bootstrap import initialise_store
from tests.api.support import API_SETTINGS, SECRET, Api, bearer, running_api


class Route(NamedTuple):
    """One operation of the OpenAPI document; `name` is its operationId, the matrix row."""

    name: str
    method: str
    path: str
    records: bool
    """True for a command: its success answers with a `CommandResult` (version and position)."""


OPENAPI = create_app(Settings(_env_file=None, store="memory"), api=API_SETTINGS).openapi()
ROUTES = [
    Route(operation["operationId"], method.upper(), path, any(
        "CommandResult" in json.dumps(answer) for code, answer in operation["responses"].items()
        if code.startswith("2")))
    for path, operations in OPENAPI["paths"].items() for method, operation in operations.items()
]


def test_every_route_has_one_row_in_the_matrix_and_every_row_a_route() -> None:
    assert sorted(route.name for route in ROUTES) == sorted(MATRIX)


def test_auditors_write_nothing_and_the_public_sees_only_public_routes() -> None:
    for route in ROUTES:
        if Role.AUDITOR in MATRIX[route.name]:
            assert not route.records, route.name
        if Role.PUBLIC in MATRIX[route.name]:
            assert route.path.startswith(("/public/", "/health/"))


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda _: str(uuid4()), path)


@pytest.fixture(scope="module")
def matrix_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """One service for every cell (started once: the matrix does not depend on the data)."""
    settings = Settings(_env_file=None, sqlite_path=tmp_path_factory.mktemp("matrix") / "events.sqlite3")
    initialise_store(settings)
    with running_api(settings) as api:
        yield api


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.name)
def test_each_role_is_allowed_or_refused_as_the_matrix_says(matrix_api: Api, route: Route) -> None:
    for role in Role:
        response = matrix_api.client.request(route.method, _concrete(route.path), json={}, headers=bearer(role))
        if role in MATRIX[route.name]:
            assert response.status_code not in (401, 403), (role, response.text)
        else:
            expected = 401 if role is Role.PUBLIC else 403
            assert response.status_code == expected, (role, response.text)
            assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("token", [
    "not-a-jwt",
    mint_token("another-secret-of-sufficient-length-0123456789", Role.OPERATOR, "mallory"),
    mint_token(SECRET, Role.OPERATOR, "old", ttl_minutes=-5),
], ids=["garbage", "wrong-signature", "expired"])
def test_a_bad_token_is_401_even_on_public_routes(sqlite_api: Api, token: str) -> None:
    for path in ("/health/live", "/employees/" + str(uuid4())):
        response = sqlite_api.client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["type"] == "urn:mutasi:problem:unauthenticated"


def test_a_non_bearer_authorization_header_is_401(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/health/live", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status_code == 401
