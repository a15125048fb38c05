"""The role matrix, cell by cell: every role (and the anonymous public) against every route."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple
from uuid import uuid4

import pytest

from api.http.app import create_app
from api.http.roles import MATRIX, REPORTS, Role, csv_twin
from api.http.security import mint_token
from application.bootstrap import initialise_store
from application.settings import Settings
from tests.api.support import (
    AGENCY,
    API_SETTINGS,
    OTHER_AGENCY,
    SECRET,
    Api,
    bearer,
    employee,
    open_round,
    position,
    running_api,
)
from tests.conftest import Clock
from tests.scenario import GOOD_SCORES, STANDARD, nip


class Route(NamedTuple):
    """One operation of the OpenAPI document; `name` is its operationId, the matrix row."""

    name: str
    method: str
    path: str
    records: bool
    """True for a command: its success answers with a `CommandResult` (version and position)."""


OPENAPI = create_app(Settings(_env_file=None, store="memory"), None, API_SETTINGS).openapi()
ROUTES = [
    Route(
        operation["operationId"],
        method.upper(),
        path,
        any(
            "CommandResult" in json.dumps(answer)
            for code, answer in operation["responses"].items()
            if code.startswith("2")
        ),
    )
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
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


@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        mint_token("another-secret-of-sufficient-length-0123456789", Role.OPERATOR, "mallory"),
        mint_token(SECRET, Role.OPERATOR, "old", ttl_minutes=-5),
    ],
    ids=["garbage", "wrong-signature", "expired"],
)
def test_a_bad_token_is_401_even_on_public_routes(sqlite_api: Api, token: str) -> None:
    for path in ("/health/live", "/employees/" + str(uuid4())):
        response = sqlite_api.client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["type"] == "urn:mutasi:problem:unauthenticated"


def test_a_non_bearer_authorization_header_is_401(sqlite_api: Api) -> None:
    response = sqlite_api.client.get("/health/live", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert response.status_code == 401


# -- the agency dimension: the right role, but for another agency -------------------------------------


class Cell(NamedTuple):
    """A call on agency AGENCY's record by `role` serving OTHER_AGENCY (the body would otherwise pass)."""

    name: str
    role: Role
    method: str
    path: str
    body: Any = None


_TODAY = "2026-03-01"
_OUTSIDE = [
    Cell(
        "employees.register",
        Role.OPERATOR,
        "POST",
        "/employees",
        {"nip": nip(90), "name": "Pegawai Lain", "rank": "III/a", "agency": AGENCY},
    ),
    Cell("employees.lookup", Role.OPERATOR, "POST", "/employees/lookup", {"nip": nip(1)}),
    Cell("employees.read", Role.COMMITTEE, "GET", "/employees/{employee}"),
    Cell(
        "employees.change_rank",
        Role.OPERATOR,
        "POST",
        "/employees/{employee}/rank-changes",
        {"rank": "III/c", "effective_on": _TODAY, "reference": "SK-KP"},
    ),
    Cell(
        "employees.assess_competency",
        Role.ASSESSOR,
        "POST",
        "/employees/{employee}/assessments",
        {
            "scores": GOOD_SCORES,
            "potential": "high",
            "assessor": "UPT",
            "method": "assessment centre",
            "assessed_on": _TODAY,
        },
    ),
    Cell(
        "employees.rate_performance",
        Role.OPERATOR,
        "POST",
        "/employees/{employee}/ratings",
        {"year": 2023, "results": "above", "behaviour": "as_expected"},
    ),
    Cell(
        "employees.record_sanction",
        Role.OPERATOR,
        "POST",
        "/employees/{employee}/sanctions",
        {"level": "light", "imposed_on": _TODAY, "ends_on": _TODAY, "reference": "SK-HD"},
    ),
    Cell(
        "employees.open_disciplinary_case",
        Role.OPERATOR,
        "POST",
        "/employees/{employee}/disciplinary-cases",
        {"reference": "BAP-1", "opened_on": _TODAY},
    ),
    Cell(
        "employees.close_disciplinary_case",
        Role.OPERATOR,
        "POST",
        "/employees/{employee}/disciplinary-cases/closure",
        {"reference": "BAP-1", "closed_on": _TODAY, "outcome": "no sanction"},
    ),
    Cell(
        "employees.place",
        Role.OPERATOR,
        "POST",
        "/employees/{unplaced}/placement",
        {"position_id": "{target}", "effective_on": _TODAY, "decree_number": "SK-PLACE"},
    ),
    Cell(
        "employees.plan_development",
        Role.ASSESSOR,
        "POST",
        "/employees/{employee}/development-plans",
        {"activity": "training", "title": "Diklat", "jp_hours": 20, "due_on": "2026-12-31"},
    ),
    Cell(
        "employees.complete_development",
        Role.OPERATOR,
        "POST",
        "/employees/{employee}/development-plans/{other}/completion",
        {"completed_on": _TODAY, "jp_hours": 20},
    ),
    Cell(
        "employees.retire",
        Role.OPERATOR,
        "POST",
        "/employees/{employee}/retirement",
        {"retired_on": _TODAY, "reason": "pensiun"},
    ),
    Cell("employees.search", Role.PPK, "POST", "/employees/search", {"agency": AGENCY}),
    Cell(
        "positions.establish",
        Role.OPERATOR,
        "POST",
        "/positions",
        {
            "agency": AGENCY,
            "unit": "BPKAD",
            "title": "Analis Lain",
            "position_type": "fungsional_ahli_pertama",
            "rank_min": "III/a",
            "rank_max": "III/d",
            "formasi": 1,
            "standard": STANDARD,
        },
    ),
    Cell("positions.read", Role.ASSESSOR, "GET", "/positions/{home}"),
    Cell("positions.list", Role.OPERATOR, "GET", f"/positions?agency={AGENCY}"),
    Cell(
        "positions.revise_standard",
        Role.OPERATOR,
        "POST",
        "/positions/{home}/standard",
        {"standard": STANDARD, "reason": "Anjab 2026"},
    ),
    Cell(
        "positions.revise_formasi",
        Role.OPERATOR,
        "POST",
        "/positions/{home}/formasi",
        {"formasi": 5, "reason": "ABK 2026"},
    ),
    Cell(
        "positions.abolish",
        Role.OPERATOR,
        "POST",
        "/positions/{target}/abolition",
        {"abolished_on": _TODAY, "reason": "restructuring"},
    ),
    Cell("plans.compute", Role.COMMITTEE, "POST", "/rounds/{round}/plans", {}),
    Cell("plans.read", Role.PPK, "GET", "/plans/{plan}"),
    Cell("plans.adopt", Role.OPERATOR, "POST", "/plans/{plan}/adopt", {}),
    Cell("reports.employee_placements", Role.OPERATOR, "GET", "/reports/employees/{employee}/placements"),
    Cell("reports.position_holders", Role.OPERATOR, "GET", "/reports/positions/{home}/holders"),
    Cell("reports.round_board", Role.COMMITTEE, "GET", "/reports/rounds/{round}/board"),
    Cell("reports.staffing", Role.PPK, "GET", f"/reports/staffing?agency={AGENCY}"),
    Cell("reports.accountability", Role.PPK, "GET", "/reports/accountability?round_id={round}"),
    Cell("reports.evaluation", Role.OPERATOR, "GET", f"/reports/evaluation?agency={AGENCY}"),
    Cell("reports.talent", Role.ASSESSOR, "GET", f"/reports/talent?agency={AGENCY}"),
    Cell("reports.merit", Role.PPK, "GET", f"/reports/merit?agency={AGENCY}"),
    Cell("audit.employee_history", Role.AUDITOR, "GET", "/audit/employees/{employee}/history"),
    Cell("audit.position_history", Role.AUDITOR, "GET", "/audit/positions/{home}/history"),
    Cell("audit.round_history", Role.AUDITOR, "GET", "/audit/rounds/{round}/history"),
    Cell("audit.employee_placements", Role.AUDITOR, "GET", "/audit/employees/{employee}/placements"),
    Cell("audit.position_holders", Role.AUDITOR, "GET", "/audit/positions/{home}/holders"),
    Cell(
        "audit.unit_holders",
        Role.AUDITOR,
        "GET",
        f"/audit/units/holders?agency={AGENCY}&unit=BPKAD&effective_on={_TODAY}",
    ),
    Cell("audit.verify", Role.AUDITOR, "GET", "/audit/verify?aggregate_id={employee}"),
]
_OUTSIDE += [  # each report's CSV twin, scoped as the report is
    cell._replace(name=csv_twin(cell.name), path=re.sub(r"^([^?]+)", r"\1.csv", cell.path))
    for cell in _OUTSIDE
    if cell.name in REPORTS
]
_NATIONAL_ONLY = [  # span every agency: an agency auditor, even of AGENCY itself, is refused
    Cell("audit.feed", Role.AUDITOR, "GET", "/audit/events"),
    Cell("audit.verify", Role.AUDITOR, "GET", "/audit/verify"),
    Cell("audit.checkpoints", Role.AUDITOR, "GET", "/audit/checkpoints"),
]


def _filled(text: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), m.group(0)), text)


def _call(api: Api, cell: Cell, ids: dict[str, str], agencies: tuple[str, ...]) -> Any:
    body = None if cell.body is None else json.loads(_filled(json.dumps(cell.body), ids))
    return api.client.request(
        cell.method, _filled(cell.path, ids), json=body, headers=bearer(cell.role, agencies=agencies)
    )


@pytest.fixture(scope="module")
def agency_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, dict[str, str]]]:
    """AGENCY's register: a full position, a vacant one, a placed employee and an unplaced one, an
    open round and a plan of it (built once: the cells record nothing)."""
    settings = Settings(_env_file=None, sqlite_path=tmp_path_factory.mktemp("agencies") / "events.sqlite3")
    initialise_store(settings)
    with running_api(settings, Clock()) as api:
        home = position(api, "Analis Keuangan", formasi=1)
        target = position(api, "Pengelola Keuangan Sekolah", formasi=2, unit="Dinas Pendidikan")
        ids = {
            "home": home,
            "target": target,
            "employee": employee(api, 1, home),
            "round": open_round(api),
            "other": str(uuid4()),
        }
        ids["unplaced"] = api.ok(
            Role.OPERATOR, "POST", "/employees", {"nip": nip(2), "name": "Pegawai Baru", "rank": "III/a"}
        )["id"]
        ids["plan"] = api.ok(Role.COMMITTEE, "POST", f"/rounds/{ids['round']}/plans", {"keep_in_place": False})[
            "plan_id"
        ]
        # the views (committed together, batch by batch) have read everything before any cell reads them
        api.ok(Role.AUDITOR, "GET", f"/reports/staffing?min_position={api.app.recorder.max_notification_id()}")
        yield api, ids


def test_every_cell_is_a_route_the_role_may_use() -> None:
    for cell in _OUTSIDE + _NATIONAL_ONLY:
        assert cell.role in MATRIX[cell.name], cell
        path = re.sub(r"\{\w+\}", "{}", cell.path.split("?")[0])
        assert any(re.sub(r"\{\w+\}", "{}", route.path) == path for route in ROUTES if route.name == cell.name), cell


def test_a_reports_csv_twin_has_the_reports_roles() -> None:
    for report, roles in REPORTS.items():
        assert MATRIX[report] == MATRIX[csv_twin(report)] == roles
        [twin] = [route for route in ROUTES if route.name == csv_twin(report)]
        assert twin.method == "GET" and twin.path.endswith(".csv") and not twin.records


@pytest.mark.parametrize("cell", _OUTSIDE, ids=lambda c: c.name)
def test_the_right_role_of_another_agency_is_refused_and_nothing_is_recorded(
    agency_world: tuple[Api, dict[str, str]],
    cell: Cell,
) -> None:
    api, ids = agency_world
    before = api.app.recorder.max_notification_id()
    response = _call(api, cell, ids, (OTHER_AGENCY,))
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mutasi:problem:outside-authority"
    assert api.app.recorder.max_notification_id() == before


@pytest.mark.parametrize(
    "cell",
    [
        c
        for c in _OUTSIDE + _NATIONAL_ONLY  # reads: a command would record
        if c.method == "GET" or c.name in ("employees.lookup", "employees.search")
    ],
    ids=lambda c: c.name,
)
def test_a_national_caller_reaches_every_agency(agency_world: tuple[Api, dict[str, str]], cell: Cell) -> None:
    api, ids = agency_world
    response = _call(api, cell, ids, ("*",))
    assert response.status_code != 403 or "outside-authority" not in response.text, response.text
    if cell.name != "audit.checkpoints" and cell.name != "audit.verify":  # these need the signing key
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "cell", [c for c in _OUTSIDE if c.method == "GET" or c.name.endswith(("lookup", "search"))], ids=lambda c: c.name
)
def test_the_agency_itself_reads_its_own(agency_world: tuple[Api, dict[str, str]], cell: Cell) -> None:
    api, ids = agency_world
    response = _call(api, cell, ids, (AGENCY,))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("cell", _NATIONAL_ONLY, ids=lambda c: c.name)
def test_whole_store_audit_routes_are_for_national_auditors_only(
    agency_world: tuple[Api, dict[str, str]],
    cell: Cell,
) -> None:
    api, ids = agency_world
    response = _call(api, cell, ids, (AGENCY,))
    assert response.status_code == 403, response.text
    assert response.json()["type"] == "urn:mutasi:problem:outside-authority"


@pytest.mark.parametrize("kind", ["employees/{employee}", "positions/{home}", "rounds/{round}"])
def test_an_agency_auditor_reads_its_own_histories_a_national_one_all(
    agency_world: tuple[Api, dict[str, str]],
    kind: str,
) -> None:
    api, ids = agency_world
    path = _filled(f"/audit/{kind}/history", ids)
    for agencies, status in (((AGENCY,), 200), (("*",), 200), ((OTHER_AGENCY,), 403)):
        response = api.client.get(path, headers=bearer(Role.AUDITOR, agencies=agencies))
        assert response.status_code == status, (agencies, response.text)


def test_lists_default_to_the_callers_one_agency_and_a_caller_of_several_names_one(
    agency_world: tuple[Api, dict[str, str]],
) -> None:
    api, _ = agency_world
    mine = api.client.get("/positions", headers=bearer(Role.OPERATOR)).json()
    assert mine["total"] == 2 and {p["agency"] for p in mine["items"]} == {AGENCY}
    theirs = api.client.get("/positions", headers=bearer(Role.OPERATOR, agencies=(OTHER_AGENCY,))).json()
    assert theirs["total"] == 0
    both = bearer(Role.OPERATOR, agencies=(AGENCY, OTHER_AGENCY))
    assert api.client.get("/positions", headers=both).status_code == 422
    assert api.client.get(f"/positions?agency={AGENCY}", headers=both).json()["total"] == 2
    nobody = api.client.get("/reports/staffing", headers=bearer(Role.PPK, agencies=()))
    assert nobody.status_code == 403
