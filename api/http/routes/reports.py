"""/reports (internal) and /public/reports (the public transparency report), read from the views.

Internal reports are scoped by agency (`application.authority`): a report of one employee, position or
round needs the caller to act for its agency (403 otherwise); a report with an `agency` parameter
covers, for a caller who is not national, one agency they serve: by default their one agency, another
one named is a 403. National callers (agencies `["*"]`) see every agency.

Every report is JSON (its own typed model in `api.http.schemas.reports`), CSV or XLSX, chosen by
the `Accept` header (`application/json`, `text/csv`,
`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`) or by `format=json|csv|xlsx`,
which wins over `Accept`; JSON when neither asks. Each states the view position and the time it is as
of (in the body and in `X-View-Position` / `X-View-As-Of`). JSON keeps the API's English field names;
CSV and XLSX are in Indonesian (titles and values), typed and formatted (`projections.export`). One CSV
is one table: `table=` names it (the report's main table when left out; `X-Report-Table` says which).
Read-your-writes: pass the `position` a
command answered with as `min_position`; the report waits up to ~2 s for the view to reach it, else
answers 503 `view-not-up-to-date` instead of stale data.

Each report also has a CSV twin, an operation of its own at the report's path plus `.csv`
(`/reports/staffing.csv`, named `reports.staffing_csv`: `api.http.roles.csv_twin`) whose only answer is
`text/csv`, for clients generated from the OpenAPI document (which read one media type per answer): the
report's parameters but `format`, its headers but `Vary`, its errors and its roles. `_add_csv_twins`
makes them from the reports' routes.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal, TypedDict
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BeforeValidator

from api.http.deps import Application, CurrentActor
from api.http.problems import documented
from api.http.roles import csv_twin
from api.http.routes.common import GUARDED, headers
from api.http.routes.read_models import Views, answering
from api.http.schemas import reports as typed
from application.authority import scoped_agency
from application.context import Actor
from application.service import MutasiApplication
from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.position import Position
from projections.export import MEDIA_TYPES, UnknownTable, chosen_section, render
from projections.reports import Report, Reports


def single_valued(request: Request) -> None:
    """Refuse a query parameter given more than once (which value would the report be about?)."""
    names = [name for name, _ in request.query_params.multi_items()]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": "give this parameter once", "type": "value_error"} for name in repeated]
        )


TableName = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=60,
        pattern=r"^[A-Za-z0-9_ -]+$",
        description=(
            "CSV only: the table to send (e.g. `units`), by its name in the JSON `sections`; left out: the "
            "report's main table. XLSX holds every table, one sheet each"
        ),
    ),
]


def chosen_table(request: Request, table: TableName = None) -> None:
    """The `table=` a CSV answer is asked for (kept on the request for `_answer`)."""
    request.state.report_table = table


_GUARDS = [*GUARDED, Depends(single_valued), Depends(chosen_table)]
router = APIRouter(prefix="/reports", tags=["reports"], dependencies=_GUARDS)
public_router = APIRouter(prefix="/public/reports", tags=["public"], dependencies=_GUARDS)

Format = Annotated[
    Literal["json", "csv", "xlsx"] | None,
    Query(description=("json, csv or xlsx; wins over the Accept header (left out: as Accept asks, else json)")),
]
MinPosition = Annotated[
    int | None,
    Query(
        ge=1,
        le=2**62,
        description=(
            "wait (up to ~2 s) until the view has applied this notification id (a command's `position`); "
            "503 view-not-up-to-date otherwise"
        ),
    ),
]
Text = Annotated[str | None, Query(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]


def _iso_date(value: object) -> object:
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a date must be written YYYY-MM-DD")
    return value


IsoDate = Annotated[date | None, BeforeValidator(_iso_date), Query(description="YYYY-MM-DD")]
_ERRORS = documented(401, 403, 404, 409, 422, 503)  # 409: a `min_position` the store has not reached
_HEADERS: dict[str, dict[str, Any]] = {
    **headers(
        "X-View-Position",
        "X-View-As-Of",
        "Vary",
        "Content-Disposition",
        required=("X-View-Position", "X-View-As-Of", "Vary"),
    ),
    "X-Report-Table": {
        "description": "for CSV: the table it holds (`table=`, else the report's main table)",
        "required": False,
        "schema": {"type": "string"},
    },
}
_CSV: dict[str, Any] = {
    "schema": {
        "type": "string",
        "description": (
            "one table (`table=`, else the report's main table): a header row of Indonesian column "
            "titles, then its rows; no other lines. The stamp is in `X-View-Position` / `X-View-As-Of`"
        ),
    }
}
_FILES = {
    "description": "the report as JSON, CSV or XLSX, as `Accept` (or `format`) asks; the view's stamp in "
    "`X-View-Position` and `X-View-As-Of`",
    "headers": _HEADERS,
    "content": {
        "text/csv": _CSV,
        MEDIA_TYPES["xlsx"]: {
            "schema": {
                "type": "string",
                "format": "binary",
                "description": (
                    "a `tentang` (about) sheet with the stamp and parameters, then one sheet per table: Indonesian "
                    "titles and values, typed cells, a bold frozen header, autofilter, charts"
                ),
            }
        },
    },
}
_MEDIA = {"application/json": "json", "text/csv": "csv", MEDIA_TYPES["xlsx"]: "xlsx"}
"""The media types of a report, in the order preferred when `Accept` likes several equally."""


class _ReportOptions(TypedDict):
    """The options of a report's route, spread into `APIRouter.get` beside its path and name."""

    response_model: type[typed.ReportBase]
    summary: str
    responses: dict[int | str, dict[str, Any]]


def _options(model: type[typed.ReportBase], summary: str) -> _ReportOptions:
    return {"response_model": model, "summary": summary, "responses": {**_ERRORS, 200: _FILES}}


def negotiated(accept: str | None, asked: str | None) -> str:
    """The format to answer in: `asked` (the `format` parameter) if given, else the best match of the
    `Accept` header (q-values; the most specific range decides for each type), else json."""
    if asked is not None:
        return asked
    ranges = []
    for part in (accept or "").split(","):
        media, *params = part.split(";")
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media.strip().lower(), quality))
    best, best_quality = "json", 0.0
    for media, fmt in _MEDIA.items():
        kind = media.split("/")[0]
        matches = [
            (3 if given == media else 2 if given == f"{kind}/*" else 1, quality)
            for given, quality in ranges
            if given in (media, f"{kind}/*", "*/*")
        ]
        quality = max(matches)[1] if matches else 0.0
        if quality > best_quality:
            best, best_quality = fmt, quality
    return best


def _scope(app: MutasiApplication, actor: Actor, round_id: UUID | None, agency: str | None) -> str | None:
    """The agency an internal report is about (`scoped_agency`), after checking the caller reaches the
    round asked for, if any."""
    if round_id is not None:
        app.check_reaches(actor, round_id, "this round", MutationRound)
    return scoped_agency(actor.official, agency)


def _answer(views: Views, request: Request, asked: str | None, build: Callable[[Reports], Report]) -> Response:
    fixed = getattr(request.state, "report_format", None)  # a CSV twin's (`_as_csv`): Accept has no say
    fmt = fixed or negotiated(request.headers.get("accept"), asked)
    with answering():
        report = build(Reports(views))
    sent = {
        "X-View-Position": str(report.stamp.position),
        "X-View-As-Of": report.stamp.as_of.isoformat() if report.stamp.as_of else "",
    }
    if fixed is None:
        sent["Vary"] = "Accept"
    table = getattr(request.state, "report_table", None)
    name = report.report
    if fmt == "csv":
        try:
            section = chosen_section(report, table)
        except UnknownTable as refused:
            raise RequestValidationError(
                [{"loc": ("query", "table"), "msg": str(refused), "type": "value_error"}]
            ) from None
        sent["X-Report-Table"] = section.name
        table, name = section.name, f"{report.report}-{section.name}"
    if fmt != "json":
        sent["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return Response(render(report, fmt, table), media_type=MEDIA_TYPES[fmt], headers=sent)


@router.get(
    "/employees/{employee_id}/placements",
    name="reports.employee_placements",
    **_options(typed.EmployeePlacementsReport, "Placement history of an employee"),
)
def employee_placements(
    employee_id: UUID,
    views: Views,
    request: Request,
    app: Application,
    actor: CurrentActor,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """Placement history of one employee: every stretch with decree and round (the caller must act
    for the employee's agency)."""
    app.check_reaches(actor, employee_id, "this employee", Employee)
    return _answer(views, request, format, lambda r: r.employee_placements(employee_id, min_position))


@router.get(
    "/positions/{position_id}/holders",
    name="reports.position_holders",
    **_options(typed.PositionHoldersReport, "Holders of a position"),
)
def position_holders(
    position_id: UUID,
    views: Views,
    request: Request,
    app: Application,
    actor: CurrentActor,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """Who held a position when (the caller must act for its agency)."""
    app.check_reaches(actor, position_id, "this position", Position)
    return _answer(views, request, format, lambda r: r.position_holders(position_id, min_position))


@router.get("/staffing", name="reports.staffing", **_options(typed.StaffingReport, "Staffing against formasi"))
def staffing(
    views: Views,
    request: Request,
    actor: CurrentActor,
    agency: Text = None,
    unit: Text = None,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """Formasi versus holders per position, unit and agency; vacancies, surpluses and the spread."""
    agency = scoped_agency(actor.official, agency)
    return _answer(views, request, format, lambda r: r.staffing(agency, unit, min_position))


@router.get(
    "/rounds/{round_id}/board", name="reports.round_board", **_options(typed.RoundBoardReport, "The board of a round")
)
def round_board(
    round_id: UUID,
    views: Views,
    request: Request,
    app: Application,
    actor: CurrentActor,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """Every proposal of a round with JPM, each rule's result, consents, status and decision (the
    caller must act for the round's agency)."""
    app.check_reaches(actor, round_id, "this round", MutationRound)
    return _answer(views, request, format, lambda r: r.round_board(round_id, min_position))


@router.get(
    "/accountability",
    name="reports.accountability",
    **_options(typed.AccountabilityReport, "Accountability of decisions"),
)
def accountability(
    views: Views,
    request: Request,
    app: Application,
    actor: CurrentActor,
    round_id: UUID | None = None,
    agency: Text = None,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """Every decision with who, when, on which grounds; overrides; approvals below the JPM threshold;
    time to decision; decisions by the proposer (must be none)."""
    agency = _scope(app, actor, round_id, agency)
    return _answer(views, request, format, lambda r: r.accountability(round_id, agency, min_position))


@router.get("/evaluation", name="reports.evaluation", **_options(typed.EvaluationReport, "Post-transfer evaluation"))
def evaluation(
    views: Views,
    request: Request,
    app: Application,
    actor: CurrentActor,
    today: IsoDate = None,
    round_id: UUID | None = None,
    agency: Text = None,
    unit: Text = None,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """Performance before versus after each transfer; drops flagged; evaluations overdue by `today`."""
    agency = _scope(app, actor, round_id, agency)
    day = today or request.app.state.application.today()
    return _answer(views, request, format, lambda r: r.evaluation(day, round_id, agency, unit, min_position))


@router.get("/talent", name="reports.talent", **_options(typed.TalentReport, "Talent map and development needs"))
def talent(
    views: Views,
    request: Request,
    actor: CurrentActor,
    year: Annotated[int | None, Query(ge=1970, le=2200)] = None,
    agency: Text = None,
    unit: Text = None,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """The 9-box talent map and development needs (gaps, recommended development, JP hours of `year`)."""
    agency = scoped_agency(actor.official, agency)
    chosen = year or request.app.state.application.today().year
    return _answer(views, request, format, lambda r: r.talent(chosen, agency, unit, min_position))


@router.get("/merit", name="reports.merit", **_options(typed.MeritReport, "Merit indicators per round"))
def merit(
    views: Views,
    request: Request,
    app: Application,
    actor: CurrentActor,
    round_id: UUID | None = None,
    agency: Text = None,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """Merit indicators per round."""
    agency = _scope(app, actor, round_id, agency)
    return _answer(views, request, format, lambda r: r.merit(round_id, agency, min_position))


@public_router.get(
    "/transparency",
    name="public.transparency_report",
    **_options(typed.TransparencyReport, "Announced transfers (public report)"),
)
def transparency(
    views: Views,
    request: Request,
    round_id: UUID | None = None,
    agency: Text = None,
    format: Format = None,
    min_position: MinPosition = None,
) -> Response:
    """Announced decisions, personal data minimised: position, unit, name, masked NIP, JPM category,
    reason, decision and decree number. No birth date, score or sanction."""
    return _answer(views, request, format, lambda r: r.transparency(round_id, agency, min_position))


# -- the CSV twins: every report above once more, as its own CSV-only operation ------------------------


class CsvFile(Response):
    """A CSV twin's answer: `text/csv`, the one media type of its 200 in the OpenAPI document."""

    media_type = "text/csv"


_CSV_FILE = {
    "description": "the report's table as CSV (`table=`, else its main table), whatever `Accept` says; the "
    "view's stamp in `X-View-Position` and `X-View-As-Of`",
    "headers": {  # no `Vary`: Accept has no say; the file's name and table are always sent
        name: {**header, "required": header["required"] or name in ("Content-Disposition", "X-Report-Table")}
        for name, header in _HEADERS.items()
        if name != "Vary"
    },
    "content": {"text/csv": _CSV},
}


def _as_csv(request: Request) -> None:
    """A CSV twin answers CSV whatever `Accept` says (kept on the request for `_answer`)."""
    request.state.report_format = "csv"


def _without_format(endpoint: Callable[..., Response]) -> Callable[..., Response]:
    """`endpoint` with the same parameters but `format` (left at None: `_as_csv` decides)."""

    @functools.wraps(endpoint)
    def twin(**arguments: Any) -> Response:
        return endpoint(**arguments)

    signature = inspect.signature(endpoint, eval_str=True)
    kept = [parameter for parameter in signature.parameters.values() if parameter.name != "format"]
    twin.__signature__ = signature.replace(parameters=kept)  # type: ignore[attr-defined]
    return twin


def _add_csv_twins(reports: APIRouter) -> None:
    """Give every report of `reports` its CSV twin: `<path>.csv`, named `csv_twin(<name>)`, answering only
    `text/csv`; the report's endpoint, dependencies (the router's), parameters but `format`, headers but
    `Vary`, and errors. Its roles are the report's (`api.http.roles.REPORTS`)."""
    for route in list(reports.routes):
        assert isinstance(route, APIRoute)
        reports.add_api_route(
            route.path.removeprefix(reports.prefix) + ".csv",
            _without_format(route.endpoint),
            methods=["GET"],
            name=csv_twin(route.name),
            summary=f"{route.summary} (CSV)",
            description=f"{route.description}\n\nAs CSV only, whatever `Accept` says (the same as "
            f"`{route.path}?format=csv`): one table, `table=` or the report's main one.",
            response_class=CsvFile,
            responses={**_ERRORS, 200: _CSV_FILE},
            dependencies=[Depends(_as_csv)],
        )


for _reports in (router, public_router):
    _add_csv_twins(_reports)
