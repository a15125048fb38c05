"""What FastAPI's OpenAPI document lacks: the headers every response carries, and examples with nulls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

CORRELATION_ID = {
    "description": "the request's correlation id (the caller's `X-Correlation-ID` if it was sane, else a new "
    "one): quote it when reporting a problem; it is in the request log and the events' metadata",
    "required": True,
    "schema": {
        "type": "string",
        "pattern": "^[A-Za-z0-9._:-]{1,128}$",
        "examples": ["4f1c2b0e9a7d4e36b1f0c2d3e4f5a6b7"],
    },
}
RETRY_AFTER = {
    "description": "seconds to wait before trying again (the store or a view is not available yet)",
    "required": True,
    "schema": {"type": "string", "pattern": "^[0-9]+$", "examples": ["2"]},
}


def declare_common_headers(document: dict[str, Any]) -> None:
    """Declare `X-Correlation-ID` on every response of every operation (the `RequestContext` middleware
    sends it on each), and `Retry-After` on every 503."""
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                declared = response.setdefault("headers", {})
                declared.setdefault("X-Correlation-ID", CORRELATION_ID)
                if status == "503":
                    declared.setdefault("Retry-After", RETRY_AFTER)


def complete(document: dict[str, Any]) -> None:
    """Complete the document FastAPI generated: common headers, and the examples as written."""
    declare_common_headers(document)
    reinstate_examples(document)


def reinstate_examples(document: dict[str, Any]) -> None:
    """Put back the model examples as written: FastAPI drops every null from the document, the nulls of
    an example too, and an example without its required nullable fields does not fit its own schema."""
    schemas = document.get("components", {}).get("schemas", {})
    for model in _our_models(BaseModel):
        examples = (model.model_config.get("json_schema_extra") or {}).get("examples")  # type: ignore[union-attr]
        if examples and "examples" in schemas.get(model.__name__, {}):
            schemas[model.__name__]["examples"] = examples


def _our_models(base: type[BaseModel]) -> Iterator[type[BaseModel]]:
    for model in base.__subclasses__():
        if model.__module__.startswith(("api.", "projections.")):
            yield model
        yield from _our_models(model)
