"""/positions: establish, revise standard and formasi, abolish, read."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.http.deps import Application, Command, CurrentActor
from api.http.routes.common import (
    GUARDED,
    ReadParams,
    command_options,
    command_responses,
    read_responses,
    stamp_view,
    tag_version,
    view_responses,
)
from api.http.routes.read_models import Views, answering
from api.http.schemas.common import CommandResult
from api.http.schemas.positions import (
    AbolishPosition,
    EstablishPosition,
    PositionOut,
    ReviseFormasi,
    ReviseStandard,
)
from application.authority import scoped_agency
from domain.vocabulary import PositionType
from projections.queries import Page, PositionEntry

router = APIRouter(prefix="/positions", tags=["positions"], dependencies=GUARDED)
_COMMAND = command_options()


@router.post(
    "",
    name="positions.establish",
    summary="Establish a position",
    status_code=201,
    response_model=CommandResult,
    responses=command_responses(201),
)
async def establish(body: EstablishPosition, command: Command) -> Response:
    """Establish a position; the same agency, unit and title cannot be established twice (409)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, _: app.establish_position(actor, **body.model_dump()),
        201,
        lambda result: f"/positions/{result.id}",
    )


class PositionFilters:
    """Filters of the position list: where, which type, vacancies or surpluses, a page of it."""

    def __init__(
        self,
        agency: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
        unit: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
        position_type: PositionType | None = None,
        vacant: Annotated[bool | None, Query(description="true: only positions with a free seat")] = None,
        surplus: Annotated[bool | None, Query(description="true: only over-staffed positions")] = None,
        include_abolished: bool = False,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
        min_position: Annotated[
            int | None,
            Query(
                ge=1,
                le=2**62,
                description=("wait (up to ~2 s) until the list has applied this position (a command's `position`)"),
            ),
        ] = None,
    ) -> None:
        self.agency = agency
        self.unit = unit
        self.position_type = position_type
        self.vacant = vacant
        self.surplus = surplus
        self.include_abolished = include_abolished
        self.limit = limit
        self.offset = offset
        self.min_position = min_position


@router.get(
    "",
    name="positions.list",
    summary="List positions",
    response_model=Page[PositionEntry],
    responses=view_responses("a page of positions, with the view's stamp", 401, 403, 409, 422, 503),
)
def list_positions(
    views: Views, actor: CurrentActor, query: Annotated[PositionFilters, Depends()], response: Response
) -> Page[PositionEntry]:
    """Positions (read model) with formasi, holders and free seats; filter vacancies or surpluses.

    A caller who is not national lists one agency they serve: `agency` defaults to the caller's one
    agency; another agency is a 403."""
    agency = scoped_agency(actor.official, query.agency, "positions")
    with answering():
        page = views.positions(
            agency=agency,
            unit=query.unit,
            position_type=query.position_type,
            vacant=query.vacant,
            surplus=query.surplus,
            include_abolished=query.include_abolished,
            limit=query.limit,
            offset=query.offset,
            min_position=query.min_position,
        )
    stamp_view(response, page.stamp.position, page.stamp.as_of)
    return page


@router.get(
    "/{position_id}",
    name="positions.read",
    summary="Read a position",
    response_model=PositionOut,
    responses=read_responses("the position as read, tagged with its version"),
)
def read(position_id: UUID, at: ReadParams, app: Application, actor: CurrentActor, response: Response) -> PositionOut:
    """The position now, at a version, or as recorded at a past moment (`as_of`), if the caller acts
    for its agency (403 otherwise)."""
    position = app.get_position(position_id, version=at.version, as_of=at.as_of, reader=actor)
    tag_version(response, position.version)
    return PositionOut.of(position)


@router.post(
    "/{position_id}/standard", name="positions.revise_standard", summary="Revise the competency standard", **_COMMAND
)
async def revise_standard(position_id: UUID, body: ReviseStandard, command: Command) -> Response:
    """Replace the competency standard and the position's own JPM threshold."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.revise_standard(actor, position_id, **body.model_dump(), expected_version=expected)
    )


@router.post("/{position_id}/formasi", name="positions.revise_formasi", summary="Revise the formasi", **_COMMAND)
async def revise_formasi(position_id: UUID, body: ReviseFormasi, command: Command) -> Response:
    """Set a new formasi from a workload analysis (ABK)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.revise_formasi(actor, position_id, **body.model_dump(), expected_version=expected)
    )


@router.post("/{position_id}/abolition", name="positions.abolish", summary="Abolish a position", **_COMMAND)
async def abolish(position_id: UUID, body: AbolishPosition, command: Command) -> Response:
    """Abolish an empty position."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.abolish_position(actor, position_id, **body.model_dump(), expected_version=expected)
    )
