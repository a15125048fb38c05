"""The OpenAPI document is complete: every operation described, with its answer, errors and examples."""

from __future__ import annotations

import pytest

from api.http.app import create_app
from application.settings import Settings
from tests.api.support import API_SETTINGS

DOCUMENT = create_app(Settings(_env_file=None, store="memory"), api=API_SETTINGS).openapi()
SCHEMAS = DOCUMENT["components"]["schemas"]
OPERATIONS = [(op["operationId"], op) for ops in DOCUMENT["paths"].values() for op in ops.values()]


def _has_examples(schema: dict) -> bool:
    return "examples" in schema or any("examples" in p for p in schema.get("properties", {}).values())


@pytest.mark.parametrize(("name", "operation"), OPERATIONS, ids=[name for name, _ in OPERATIONS])
def test_each_operation_is_described_with_its_answer_errors_and_examples(name: str, operation: dict) -> None:
    assert operation.get("description") and operation.get("summary")
    successes = [answer for code, answer in operation["responses"].items() if code.startswith("2")]
    assert successes and all(answer.get("content") for answer in successes)
    assert "401" in operation["responses"]
    for code, answer in operation["responses"].items():
        if code.startswith(("4", "5")):
            assert answer["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"}
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body:
        assert _has_examples(SCHEMAS[body["$ref"].rsplit("/", 1)[-1]])


def test_the_document_is_served_with_the_docs(sqlite_api) -> None:
    assert sqlite_api.client.get("/openapi.json").json()["paths"].keys() == DOCUMENT["paths"].keys()
    assert sqlite_api.client.get("/docs").status_code == 200
