"""RFC 9457 problem documents: one table maps each error to its HTTP status and stable `type`."""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

import psycopg
from eventsourcing.persistence import PersistenceError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from application.errors import (
    AlreadyExists,
    ApplicationError,
    ConcurrentChange,
    DeadlinePassed,
    NotFoundError,
    StoreNotReady,
    StoreUnavailable,
    VersionMismatch,
)
from domain.authority import OutsideAuthority
from domain.eligibility import RULES
from domain.errors import DomainError, IllegalTransition, InvalidValue, RuleViolation
from domain.mutation_round import DECREE_DATES, ProposalNotFound

PROBLEM_MEDIA_TYPE = "application/problem+json"
RETRY_AFTER = "1"  # seconds: every 503 says when to try again (the pools reconnect within ~1 s)
DATABASE_ERRORS: tuple[type[Exception], ...] = (PersistenceError, psycopg.Error, sqlite3.Error)
"""What a database failure raises where no application code translated it (the read side's stores):
every one is a 503 `store-unavailable`, never a 500."""
TYPE_PREFIX = "urn:mutasi:problem:"

# error class -> (status, title); the most specific class in an error's MRO wins
STATUS_OF: dict[type[Exception], tuple[int, str]] = {
    NotFoundError: (404, "Not found"),
    OutsideAuthority: (403, "Outside the caller's authority"),
    ProposalNotFound: (404, "Proposal not found"),
    AlreadyExists: (409, "Already exists"),
    ConcurrentChange: (409, "Concurrent change"),
    VersionMismatch: (412, "Version moved (If-Match failed)"),
    IllegalTransition: (409, "Not allowed in the current state"),
    InvalidValue: (422, "Invalid value"),
    RuleViolation: (422, "Rule violated"),
    DomainError: (422, "Refused by the domain"),
    StoreNotReady: (503, "Event store not ready"),
    StoreUnavailable: (503, "Store unavailable"),
    DeadlinePassed: (503, "Not run: past its deadline"),
    ApplicationError: (409, "Refused by the application"),
}
_RULE_TITLES = {rule.code: rule.title for rule in RULES} | {
    DECREE_DATES: "Decree dates (TMT not before the signing, within the round's period)"
}


class FailedRule(BaseModel):
    """A rule named in a 422 problem: its code and what it checks."""

    rule: str
    title: str


class Problem(BaseModel):
    """An RFC 9457 problem document; `type` is stable per error code."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "urn:mutasi:problem:override-required",
                    "title": "Rule violated",
                    "status": 422,
                    "detail": "rules failed without an override: rank: III/a is outside IV/a to IV/c",
                    "instance": "/rounds/5d0c.../proposals/91aa.../decision",
                    "code": "override-required",
                    "correlation_id": "4f1c2b0e9a7d4e36b1f0c2d3e4f5a6b7",
                    "rules": [{"rule": "rank", "title": "Rank in the required range"}],
                }
            ]
        },
    )

    type: str = Field(description="stable URI of the problem kind: urn:mutasi:problem:<code>")
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    code: str
    correlation_id: str = ""
    rules: list[FailedRule] | None = None
    errors: list[dict[str, Any]] | None = None


def problem_response(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str = "",
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A problem document response for `request`, echoing its correlation id."""
    body = Problem(
        type=TYPE_PREFIX + code,
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path,
        code=code,
        correlation_id=getattr(request.state, "correlation_id", ""),
        **extra,
    ).model_dump(mode="json", exclude_none=True)
    if status == 503:
        headers = {"Retry-After": RETRY_AFTER, **(headers or {})}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def status_of(error: Exception) -> tuple[int, str]:
    """The status and title for an application or domain error."""
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 500, "Internal error"


def _error_response(request: Request, error: Exception) -> JSONResponse:
    status, title = status_of(error)
    extra: dict[str, Any] = {}
    if isinstance(error, RuleViolation) and error.rules:
        extra["rules"] = [FailedRule(rule=r, title=_RULE_TITLES.get(r, r)) for r in error.rules]
    if isinstance(error, InvalidValue) and error.field:
        extra["errors"] = [{"loc": ["body", error.field], "msg": " ".join(str(error).split()), "type": "value_error"}]
    if isinstance(error, VersionMismatch):
        extra.update(expected_version=error.expected, actual_version=error.actual)
    code = getattr(error, "code", "error")
    return problem_response(request, status, code, title, " ".join(str(error).split()), **extra)


def _validation_response(request: Request, error: RequestValidationError) -> JSONResponse:
    errors = [
        {"loc": [str(part) for part in e.get("loc", ())], "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))}
        for e in error.errors()
    ]
    detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
    return problem_response(request, 422, "validation-error", "Invalid request", detail, errors=errors)


def _http_response(request: Request, error: StarletteHTTPException) -> JSONResponse:
    if error.status_code == 400:  # a body that is not even text: a validation failure, like bad JSON
        return problem_response(request, 422, "validation-error", "Invalid request", str(error.detail))
    codes = {401: "unauthenticated", 403: "forbidden", 404: "no-such-route", 405: "method-not-allowed"}
    code = codes.get(error.status_code, f"http-{error.status_code}")
    return problem_response(
        request,
        error.status_code,
        code,
        _TITLES.get(error.status_code, "HTTP error"),
        str(error.detail),
        headers=getattr(error, "headers", None),
    )


_TITLES = {401: "Authentication required", 403: "Forbidden", 404: "No such route", 405: "Method not allowed"}


def install_problem_handlers(app: FastAPI) -> None:
    """Map domain, application, validation and HTTP errors to problem documents."""
    app.add_exception_handler(DomainError, _error_response)
    app.add_exception_handler(ApplicationError, _error_response)
    # Starlette types every handler as taking any `Exception`, not the class it is registered for:
    # a handler of one exception class does not match it (contravariance), hence the ignores below.
    app.add_exception_handler(RequestValidationError, _validation_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestRefused, _refused_response)  # type: ignore[arg-type]
    for database_error in DATABASE_ERRORS:
        app.add_exception_handler(database_error, _database_response)


_log = logging.getLogger("mutasi.http.error")


def _database_response(request: Request, error: Exception) -> JSONResponse:
    _log.warning("store unavailable: %s: %s", type(error).__name__, " ".join(str(error).split()))
    return problem_response(
        request,
        503,
        StoreUnavailable.code,
        STATUS_OF[StoreUnavailable][1],
        f"the database failed or could not be reached in time ({type(error).__name__}); retry shortly",
    )


def documented(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problem statuses a route may answer with."""
    descriptions = {
        401: "no valid bearer token",
        403: "the token's role may not do this",
        404: "no such employee, position, round or proposal",
        409: "conflict: concurrent change, already exists, or not allowed in the current state",
        412: "If-Match names an older version",
        422: "invalid input, or a rule failed (named in `rules`)",
        503: "event store unavailable",
    }
    return {
        status: {
            "description": descriptions[status],
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


class RequestRefused(Exception):
    """An HTTP-level refusal (idempotency key misuse...) with its own status and stable code."""

    status = 409
    code = "request-refused"
    title = "Request refused"


def _refused_response(request: Request, error: RequestRefused) -> JSONResponse:
    return problem_response(request, error.status, error.code, error.title, str(error))
