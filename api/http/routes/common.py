"""What the resource routers share: reading parameters (`as_of`, `version`) and the ETag on reads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypedDict

from fastapi import Depends, Query, Response
from pydantic import AwareDatetime

from api.http.deps import etag, guard
from api.http.problems import documented
from api.http.schemas.common import CommandResult

GUARDED = [Depends(guard)]
"""Every route of a resource router goes through the role matrix, and refuses unknown query parameters."""
READ_ERRORS = documented(401, 403, 404, 422, 503)
COMMAND_ERRORS = documented(401, 403, 404, 409, 412, 422, 503)

HEADERS: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": 'the aggregate\'s version, quoted (e.g. "4"): send it as `If-Match` with a change',
        "schema": {"type": "string", "pattern": '^"[0-9]+"$', "examples": ['"4"']},
    },
    "Location": {
        "description": "where to read what was created (a proposal, an evaluation: the round that "
        "holds it; a development plan: the employee)",
        "schema": {
            "type": "string",
            "format": "uri-reference",
            "examples": ["/employees/d20a9f5e-a578-5ae2-bc4d-d5ead2cb2262"],
        },
    },
    "Idempotent-Replayed": {
        "description": "`true` when this is the recorded answer to an earlier request "
        "with the same `Idempotency-Key` (nothing was recorded again)",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "X-View-Position": {
        "description": "the store position (notification id) the view had applied when it "
        "answered: compare it with a command's `position`",
        "schema": {"type": "string", "pattern": "^[0-9]+$", "examples": ["1187"]},
    },
    "X-View-As-Of": {
        "description": "when the event at `X-View-Position` was recorded (ISO 8601; empty before any event)",
        "schema": {"type": "string"},
    },
    "Content-Disposition": {
        "description": 'for CSV and XLSX: `attachment; filename="<report>.<csv|xlsx>"`',
        "schema": {"type": "string"},
    },
    "Vary": {
        "description": "`Accept`: the media type follows the request's Accept header",
        "schema": {"type": "string"},
    },
}
"""The response headers the routes send, as OpenAPI header objects (`X-Correlation-ID`, on every
response, is added to the whole document by `api.http.openapi`)."""


def headers(*names: str, required: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """OpenAPI `headers` of a response: the named ones, those in `required` marked as always sent."""
    return {name: {**HEADERS[name], "required": name in required} for name in names}


def command_responses(status: int = 200) -> dict[int | str, dict[str, Any]]:
    """`responses` of a command: its result with `ETag` (and `Location` for a 201), and its errors."""
    if status == 201:
        answer = {
            "description": "created: the result, with `Location` of the record that holds it",
            "headers": headers("ETag", "Location", "Idempotent-Replayed", required=("ETag", "Location")),
        }
    else:
        answer = {
            "description": "recorded: the aggregate's new version and the store position",
            "headers": headers("ETag", "Idempotent-Replayed", required=("ETag",)),
        }
    return {status: answer, **COMMAND_ERRORS}


class CommandOptions(TypedDict, total=False):
    """The options every command route shares, spread into `APIRouter.post` with `**` beside the
    route's own path, name and summary: typed, so mypy checks each against the decorator's parameter."""

    response_model: type[CommandResult]
    responses: dict[int | str, dict[str, Any]]
    status_code: int


def command_options(status: int = 200) -> CommandOptions:
    """The options of a command route: it answers `CommandResult` with `status`, documented by
    `command_responses`; a status other than 200 is set as the route's status code."""
    options: CommandOptions = {"response_model": CommandResult, "responses": command_responses(status)}
    if status != 200:
        options["status_code"] = status
    return options


def read_responses(description: str) -> dict[int | str, dict[str, Any]]:
    """`responses` of a read of one aggregate (as of a version or moment), tagged with its version."""
    return {200: {"description": description, "headers": headers("ETag", required=("ETag",))}, **READ_ERRORS}


def view_responses(description: str, *statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses` of a list read from a view: the page, stamped in the body and `X-View-Position`."""
    return {
        200: {
            "description": description,
            "headers": headers("X-View-Position", "X-View-As-Of", required=("X-View-Position", "X-View-As-Of")),
        },
        **documented(*statuses),
    }


def stamp_view(response: Response, position: int, as_of: datetime | None) -> None:
    """Put the view's stamp into `X-View-Position` and `X-View-As-Of`."""
    response.headers["X-View-Position"] = str(position)
    response.headers["X-View-As-Of"] = as_of.isoformat() if as_of else ""


class ReadAt:
    """`as_of` (a past moment, with its time zone) or `version`: which state of the aggregate to read."""

    def __init__(
        self,
        as_of: Annotated[
            AwareDatetime | None,
            Query(
                description="read the aggregate as recorded at this moment (ISO 8601 with time zone)",
            ),
        ] = None,
        version: Annotated[int | None, Query(ge=1, le=10**9, description="read this version")] = None,
    ) -> None:
        self.as_of = as_of
        self.version = version


ReadParams = Annotated[ReadAt, Depends()]


def tag_version(response: Response, version: int) -> None:
    """Put the aggregate version read into the ETag header."""
    response.headers["ETag"] = etag(version)
