"""/employees: register, record, place, develop, retire, read; look up by NIP in a body."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.http.deps import Application, Command, CurrentActor
from api.http.routes.common import (
    GUARDED,
    ReadParams,
    command_options,
    read_responses,
    stamp_view,
    tag_version,
    view_responses,
)
from api.http.routes.read_models import Views, answering
from api.http.schemas.common import CommandResult
from api.http.schemas.employees import (
    AssessCompetency,
    ChangeRank,
    CloseDisciplinaryCase,
    CompleteDevelopment,
    EmployeeOut,
    EmployeeSearch,
    NipLookup,
    OpenDisciplinaryCase,
    PlaceEmployee,
    PlanDevelopment,
    RatePerformance,
    RecordSanction,
    RegisterEmployee,
    RetireEmployee,
)
from application.authority import scoped_agency
from projections.queries import EmployeeEntry, Page

router = APIRouter(prefix="/employees", tags=["employees"], dependencies=GUARDED)
_COMMAND = command_options()
_CREATED = command_options(201)


def _employee(result: CommandResult) -> str:
    return f"/employees/{result.id}"


@router.post("", name="employees.register", summary="Register an employee", **_CREATED)
async def register(body: RegisterEmployee, command: Command) -> Response:
    """Register a civil servant; the same NIP cannot be registered twice (409)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, _: app.register_employee(actor, **body.model_dump()), 201, _employee
    )


@router.post(
    "/lookup",
    name="employees.lookup",
    summary="Find an employee by NIP",
    response_model=EmployeeOut,
    responses=read_responses("the employee's record, tagged with its version"),
)
def lookup(body: NipLookup, app: Application, actor: CurrentActor, response: Response) -> EmployeeOut:
    """The employee with this NIP (the NIP travels in the body, never in a URL), if the caller acts for
    the employee's agency (403 otherwise)."""
    employee = app.find_employee_by_nip(body.nip, reader=actor)
    tag_version(response, employee.version)
    return EmployeeOut.of(employee)


@router.post(
    "/search",
    name="employees.search",
    summary="Search the employee directory",
    response_model=Page[EmployeeEntry],
    responses=view_responses("a page of the directory, with the view's stamp", 401, 403, 409, 422, 503),
)
def search(body: EmployeeSearch, views: Views, actor: CurrentActor, response: Response) -> Page[EmployeeEntry]:
    """The employee directory (read model) by agency, unit, rank, position type, NIP prefix, paginated.

    A caller who is not national searches one agency they serve: `agency` defaults to the caller's
    one agency; another agency is a 403. The directory knows an employee's agency from the position
    held, so employees never placed are not listed under an agency.
    The answer states the view's position; pass a command's `position` as `min_position` to read
    your own write (503 `view-not-up-to-date` if the view does not reach it in ~2 s).
    """
    agency = scoped_agency(actor.official, body.agency, "employee directory")
    with answering():
        page = views.employees(**{**body.model_dump(), "agency": agency})
    stamp_view(response, page.stamp.position, page.stamp.as_of)
    return page


@router.get(
    "/{employee_id}",
    name="employees.read",
    summary="Read an employee",
    response_model=EmployeeOut,
    responses=read_responses("the employee's record as read, tagged with its version"),
)
def read(employee_id: UUID, at: ReadParams, app: Application, actor: CurrentActor, response: Response) -> EmployeeOut:
    """The employee's record now, at a version, or as recorded at a past moment (`as_of`), if the
    caller acts for the employee's agency as read (403 otherwise)."""
    employee = app.get_employee(employee_id, version=at.version, as_of=at.as_of, reader=actor)
    tag_version(response, employee.version)
    return EmployeeOut.of(employee)


@router.post("/{employee_id}/rank-changes", name="employees.change_rank", summary="Change the rank", **_COMMAND)
async def change_rank(employee_id: UUID, body: ChangeRank, command: Command) -> Response:
    """Record a rank change (kenaikan pangkat)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.change_rank(actor, employee_id, **body.model_dump(), expected_version=expected)
    )


@router.post(
    "/{employee_id}/assessments",
    name="employees.assess_competency",
    summary="Record a competency assessment",
    **_COMMAND,
)
async def assess(employee_id: UUID, body: AssessCompetency, command: Command) -> Response:
    """Record a competency assessment (levels 1-5), potential, assessor, method and date."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.assess_competency(
            actor, employee_id, **body.model_dump(), expected_version=expected
        )
    )


@router.post(
    "/{employee_id}/ratings", name="employees.rate_performance", summary="Record a year's SKP rating", **_COMMAND
)
async def rate(employee_id: UUID, body: RatePerformance, command: Command) -> Response:
    """Record a year's SKP rating; the result names the predikat (PermenPANRB 6/2022)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.rate_performance(actor, employee_id, **body.model_dump(), expected_version=expected)
    )


@router.post(
    "/{employee_id}/sanctions", name="employees.record_sanction", summary="Record a disciplinary sanction", **_COMMAND
)
async def sanction(employee_id: UUID, body: RecordSanction, command: Command) -> Response:
    """Record a disciplinary sanction."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.record_sanction(actor, employee_id, **body.model_dump(), expected_version=expected)
    )


@router.post(
    "/{employee_id}/disciplinary-cases",
    name="employees.open_disciplinary_case",
    summary="Open a disciplinary case",
    **_COMMAND,
)
async def open_case(employee_id: UUID, body: OpenDisciplinaryCase, command: Command) -> Response:
    """Record a pending disciplinary case."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.open_disciplinary_case(
            actor, employee_id, **body.model_dump(), expected_version=expected
        )
    )


@router.post(
    "/{employee_id}/disciplinary-cases/closure",
    name="employees.close_disciplinary_case",
    summary="Close a disciplinary case",
    **_COMMAND,
)
async def close_case(employee_id: UUID, body: CloseDisciplinaryCase, command: Command) -> Response:
    """Close a pending disciplinary case, with its outcome."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.close_disciplinary_case(
            actor, employee_id, **body.model_dump(), expected_version=expected
        )
    )


@router.post("/{employee_id}/placement", name="employees.place", summary="Place in a first position", **_COMMAND)
async def place(employee_id: UUID, body: PlaceEmployee, command: Command) -> Response:
    """Seat the employee in a first position (employee and position saved together)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.place_employee(actor, employee_id, **body.model_dump(), expected_version=expected)
    )


@router.post(
    "/{employee_id}/development-plans",
    name="employees.plan_development",
    summary="Plan a development activity",
    **_CREATED,
)
async def plan(employee_id: UUID, body: PlanDevelopment, command: Command) -> Response:
    """Plan a development activity (training, mentoring...); the result names the plan id."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.plan_development(
            actor, employee_id, **body.model_dump(), expected_version=expected
        ),
        201,
        _employee,
    )


@router.post(
    "/{employee_id}/development-plans/{plan_id}/completion",
    name="employees.complete_development",
    summary="Complete a development activity",
    **_COMMAND,
)
async def complete(employee_id: UUID, plan_id: UUID, body: CompleteDevelopment, command: Command) -> Response:
    """Record a planned activity as completed, with the JP hours done."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.complete_development(
            actor, employee_id, plan_id, **body.model_dump(), expected_version=expected
        )
    )


@router.post("/{employee_id}/retirement", name="employees.retire", summary="Retire the employee", **_COMMAND)
async def retire(employee_id: UUID, body: RetireEmployee, command: Command) -> Response:
    """Retire the employee; the seat held is freed in the same save."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.retire_employee(actor, employee_id, **body.model_dump(), expected_version=expected)
    )
