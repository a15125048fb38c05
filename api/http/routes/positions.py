"""/positions: establish, revise standard and formasi, abolish, read."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.http.deps import Application, Command
from api.http.routes.common import COMMAND_ERRORS, GUARDED, READ_ERRORS, ReadParams, tag_version
from api.http.schemas.common import CommandResult
from api.http.schemas.positions import (
    AbolishPosition, EstablishPosition, PositionOut, ReviseFormasi, ReviseStandard,
)

router = APIRouter(prefix="/positions", tags=["positions"], dependencies=GUARDED)
_COMMAND = {"response_model": CommandResult, "responses": COMMAND_ERRORS}


@router.post("", name="positions.establish", status_code=201, **_COMMAND)
def establish(body: EstablishPosition, app: Application, command: Command) -> Response:
    """Establish a position; the same agency, unit and title cannot be established twice (409)."""
    return command.run(lambda actor, _: app.establish_position(actor, **body.model_dump()), 201)


@router.get("/{position_id}", name="positions.read", response_model=PositionOut, responses=READ_ERRORS)
def read(position_id: UUID, at: ReadParams, app: Application, response: Response) -> PositionOut:
    """The position now, at a version, or as recorded at a past moment (`as_of`)."""
    position = app.get_position(position_id, version=at.version, as_of=at.as_of)
    tag_version(response, position.version)
    return PositionOut.of(position)


@router.post("/{position_id}/standard", name="positions.revise_standard", **_COMMAND)
def revise_standard(
    position_id: UUID, body: ReviseStandard, app: Application, command: Command
) -> Response:
    """Replace the competency standard and the position's own JPM threshold."""
    return command.run(lambda actor, expected: app.revise_standard(
        actor, position_id, **body.model_dump(), expected_version=expected))


@router.post("/{position_id}/formasi", name="positions.revise_formasi", **_COMMAND)
def revise_formasi(
    position_id: UUID, body: ReviseFormasi, app: Application, command: Command
) -> Response:
    """Set a new formasi from a workload analysis (ABK)."""
    return command.run(lambda actor, expected: app.revise_formasi(
        actor, position_id, **body.model_dump(), expected_version=expected))


@router.post("/{position_id}/abolition", name="positions.abolish", **_COMMAND)
def abolish(position_id: UUID, body: AbolishPosition, app: Application, command: Command) -> Response:
    """Abolish an empty position."""
    return command.run(lambda actor, expected: app.abolish_position(
        actor, position_id, **body.model_dump(), expected_version=expected))
