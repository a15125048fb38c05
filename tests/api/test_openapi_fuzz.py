"""Schemathesis over /openapi.json (SQLite): no input produces a 500, and every response conforms.

Each operation is called with a token of a role the matrix allows, so requests get past
authentication into validation and the application. The number of examples is bounded.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.parameters import ParameterLocation
from schemathesis.python.asgi import shutdown_lifespans

from api.http.app import create_app
from api.http.roles import MATRIX, Role
from application.settings import Settings
from projections.queries import ReadModels
from tests.api.support import API_SETTINGS, bearer


def no_internal_error(ctx, response, case) -> None:
    """500 is never an answer (a documented 503, e.g. the store or a view not ready, is one)."""
    if response.status_code == 500:
        raise AssertionError(f"500 from {case.operation.label}: {response.text[:500]}")


def negative_data_rejected(ctx, response, case) -> bool | None:
    """`negative_data_rejection`, but not of a case made negative by leaving out `Authorization`: each case
    is sent with a token (below), so that case never reached the service, and its other negation may be
    none on the wire either (e.g. an extra query parameter named "" with no values, which no URL carries)."""
    mutations = getattr(case.meta.phase.data, "mutations", ()) if case.meta else ()
    if any(m.parameter_location == ParameterLocation.HEADER and m.parameter == "Authorization" for m in mutations):
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    no_internal_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejected,
]
PREFERENCE = (Role.OPERATOR, Role.ASSESSOR, Role.COMMITTEE, Role.PPK, Role.AUDITOR, Role.EMPLOYEE, Role.PUBLIC)


@pytest.fixture
def openapi_schema(sqlite_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[schemathesis.BaseSchema]:
    """The OpenAPI document of the service on an empty SQLite store (stopped after the test).

    Generated `min_position` values lie beyond the store; the read side's wait for them is cut from
    ~2 s to 50 ms so that each such example does not cost 2 s (the answer, 503, is the same).
    """
    wait_for = ReadModels.wait_for
    monkeypatch.setattr(
        ReadModels, "wait_for", lambda self, name, position, timeout=0.05: wait_for(self, name, position, 0.05)
    )
    app = create_app(sqlite_settings, None, API_SETTINGS)
    try:
        yield schemathesis.openapi.from_asgi("/openapi.json", app)
    finally:
        shutdown_lifespans()


schema = schemathesis.pytest.from_fixture("openapi_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_input_produces_a_500_and_responses_conform(case: schemathesis.Case) -> None:
    allowed = MATRIX[case.operation.definition.raw["operationId"]]
    role = next(role for role in PREFERENCE if role in allowed)
    case.call_and_validate(headers=bearer(role), checks=CHECKS)
