"""The OpenAPI document is complete: every operation described, with its answer, errors and examples."""

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from jsonschema_rs import Draft202012Validator  # schemathesis's own validator

from api.http import roles
from api.http.app import create_app
from api.http.roles import MATRIX, Role, csv_twin
from application.context import Recorded
from application.persistence.stores import Stores
from application.settings import Settings
from tests import scenario
from tests.api.support import API_SETTINGS, bearer
from tests.projections.flow import walk

DOCUMENT = create_app(Settings(_env_file=None, store="memory"), None, API_SETTINGS).openapi()
SCHEMAS = DOCUMENT["components"]["schemas"]
OPERATIONS = [(op["operationId"], op) for ops in DOCUMENT["paths"].values() for op in ops.values()]
CREATIONS = [(path, op) for path, ops in DOCUMENT["paths"].items() for op in ops.values() if "201" in op["responses"]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAGGED_READS = {"employees.read", "employees.lookup", "positions.read", "rounds.read", "plans.read"}
VIEW_READS = {"employees.search", "positions.list"}
MAIN_ANSWERS = {
    "employees.read",
    "employees.lookup",
    "positions.read",
    "rounds.read",
    "reports.staffing",
    "public.transparency_report",
}


def _has_examples(schema: dict) -> bool:
    return "examples" in schema or any("examples" in p for p in schema.get("properties", {}).values())


def _named(schema: dict) -> dict:
    return SCHEMAS[schema["$ref"].rsplit("/", 1)[-1]]


def _valid(schema: dict, instance: Any) -> None:
    """`instance` is valid against `schema` (a $ref into the document's components)."""
    Draft202012Validator({**schema, "components": DOCUMENT["components"]}, validate_formats=True).validate(instance)


def _is_command(operation: dict) -> bool:
    return any(
        code.startswith("2") and "CommandResult" in str(answer.get("content"))
        for code, answer in operation["responses"].items()
    )


@pytest.mark.parametrize(("name", "operation"), OPERATIONS, ids=[name for name, _ in OPERATIONS])
def test_each_operation_is_described_with_its_answer_errors_and_examples(name: str, operation: dict) -> None:
    assert operation.get("description") and operation.get("summary")
    successes = [answer for code, answer in operation["responses"].items() if code.startswith("2")]
    assert successes and all(answer.get("content") for answer in successes)
    assert "401" in operation["responses"]
    for code, answer in operation["responses"].items():
        if code.startswith(("4", "5")):
            assert answer["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body:
        assert _has_examples(_named(body))


@pytest.mark.parametrize(("name", "operation"), OPERATIONS, ids=[name for name, _ in OPERATIONS])
def test_each_summary_is_written_not_generated_from_the_route_name(name: str, operation: dict) -> None:
    generated = name.replace("_", " ").title()  # what FastAPI makes of "employees.register"
    assert operation["summary"] != generated and "." not in operation["summary"]
    assert operation["summary"][0].isupper() and len(operation["summary"]) <= 60
    assert operation["operationId"] == name and name in MATRIX  # the matrix row, unchanged


BODIES = [
    (name, op["requestBody"]["content"]["application/json"]["schema"]) for name, op in OPERATIONS if "requestBody" in op
]


@pytest.mark.parametrize(("name", "body"), BODIES, ids=[name for name, _ in BODIES])
def test_each_request_body_has_a_complete_example_that_the_schema_accepts(name: str, body: dict) -> None:
    [example] = _named(body)["examples"]
    _valid(body, example)


@pytest.mark.parametrize("name", sorted(MAIN_ANSWERS | {"employees.register"}))
def test_the_main_answers_carry_an_example_that_their_schema_accepts(name: str) -> None:
    operation = dict(OPERATIONS)[name]
    [answer] = [a for code, a in operation["responses"].items() if code.startswith("2")]
    schema = answer["content"]["application/json"]["schema"]
    [example] = _named(schema)["examples"]
    _valid(schema, example)
    problem = {"$ref": "#/components/schemas/Problem"}
    _valid(problem, _named(problem)["examples"][0])


@pytest.mark.parametrize(("name", "operation"), OPERATIONS, ids=[name for name, _ in OPERATIONS])
def test_each_response_declares_the_headers_it_carries(name: str, operation: dict) -> None:
    for code, answer in operation["responses"].items():
        headers = answer.get("headers", {})
        assert headers["X-Correlation-ID"]["required"], code
        if code == "503":
            assert headers["Retry-After"]["required"]
    [(code, success)] = [(c, a) for c, a in operation["responses"].items() if c.startswith("2")]
    headers = success.get("headers", {})
    if _is_command(operation):
        assert headers["ETag"]["required"] and "Idempotent-Replayed" in headers
        assert headers.get("Location", {}).get("required", False) is (code == "201")
    if name in TAGGED_READS:
        assert headers["ETag"]["required"]
    if name in VIEW_READS or name in roles.REPORTS or name in TWINS:
        assert headers["X-View-Position"]["required"] and headers["X-View-As-Of"]["required"]


REPORTS = [(name, op) for name, op in OPERATIONS if name in roles.REPORTS]
TWINS = {csv_twin(name): name for name in roles.REPORTS}
"""Each report's CSV twin (its operation id) and the report it is the twin of."""
PATHS = {op["operationId"]: path for path, ops in DOCUMENT["paths"].items() for op in ops.values()}


@pytest.mark.parametrize(("name", "operation"), REPORTS, ids=[name for name, _ in REPORTS])
def test_each_report_has_its_own_typed_json_and_csv_and_xlsx_media_types(name: str, operation: dict) -> None:
    content = operation["responses"]["200"]["content"]
    assert list(content) == ["application/json", "text/csv", XLSX]  # typed JSON first: what generators take
    report = _named(content["application/json"]["schema"])
    assert report["properties"]["report"]["const"] and "sections" in report["required"]
    assert content["text/csv"]["schema"]["type"] == "string"
    assert content[XLSX]["schema"] == {**content[XLSX]["schema"], "type": "string", "format": "binary"}
    assert operation["responses"]["200"]["headers"]["Vary"]["required"]
    fmt = next(p for p in operation["parameters"] if p["name"] == "format")
    assert not fmt.get("required") and "Accept" in fmt["description"]


def test_no_two_reports_share_a_schema() -> None:
    schemas = [op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"] for _, op in REPORTS]
    assert len(set(schemas)) == len(schemas) == 9


def test_every_report_operation_is_a_report_or_its_csv_twin() -> None:
    assert {name for name, _ in REPORTS} == set(roles.REPORTS)
    reportish = {name for name, _ in OPERATIONS if name.startswith("reports.") or "transparency_report" in name}
    assert reportish == set(roles.REPORTS) | set(TWINS)


@pytest.mark.parametrize(("name", "operation"), REPORTS, ids=[name for name, _ in REPORTS])
def test_each_report_has_a_csv_twin_with_its_parameters_headers_errors_and_roles(name: str, operation: dict) -> None:
    twin_name = csv_twin(name)
    assert PATHS[twin_name] == PATHS[name] + ".csv"
    twin = DOCUMENT["paths"][PATHS[twin_name]]["get"]
    assert list(DOCUMENT["paths"][PATHS[twin_name]]) == ["get"]
    # one media type, the report's CSV: what a generated client reads (as text)
    assert twin["responses"]["200"]["content"] == {"text/csv": operation["responses"]["200"]["content"]["text/csv"]}
    assert twin["parameters"] == [p for p in operation["parameters"] if p["name"] != "format"]
    assert any(p["name"] == "table" for p in twin["parameters"]) and "requestBody" not in twin
    errors = {code: answer for code, answer in operation["responses"].items() if code != "200"}
    assert {code: answer for code, answer in twin["responses"].items() if code != "200"} == errors
    headers = operation["responses"]["200"]["headers"]
    sent = twin["responses"]["200"]["headers"]
    assert sent.keys() == headers.keys() - {"Vary"}  # the answer does not vary with Accept
    assert sent["Content-Disposition"]["required"] and sent["X-Report-Table"]["required"]
    assert {k: {**v, "required": True} for k, v in sent.items()} == {
        k: {**v, "required": True} for k, v in headers.items() if k != "Vary"
    }
    assert twin["summary"] == operation["summary"] + " (CSV)" and twin["tags"] == operation["tags"]
    assert twin["description"].startswith(operation["description"])
    assert twin.get("security") == operation.get("security")
    assert MATRIX[twin_name] == MATRIX[name]


@pytest.mark.parametrize(
    ("path", "twin", "role"),
    [
        ("/reports/staffing", "/reports/staffing.csv", Role.AUDITOR),
        ("/public/reports/transparency", "/public/reports/transparency.csv", Role.PUBLIC),
    ],
)
def test_a_csv_twin_answers_what_format_csv_answers(sqlite_api, path: str, twin: str, role: Role) -> None:
    scenario.position(sqlite_api.app, "Analis Keuangan")
    query = f"?min_position={sqlite_api.app.recorder.max_notification_id()}"
    tables = ["", "&table=units"] if path == "/reports/staffing" else [""]
    for table in tables:
        report = sqlite_api.call(role, "GET", f"{path}{query}{table}&format=csv")
        answer = sqlite_api.call(role, "GET", f"{twin}{query}{table}", Accept="application/json")  # CSV all the same
        assert report.status_code == answer.status_code == 200, answer.text
        assert answer.content == report.content and answer.headers["content-type"] == "text/csv; charset=utf-8"
        for header in ("Content-Disposition", "X-Report-Table", "X-View-Position", "X-View-As-Of"):
            assert answer.headers[header] == report.headers[header], header
        assert "Vary" not in answer.headers and report.headers["Vary"] == "Accept"
    for refused in ("format=csv", "table=no_such_table", "min_position=0"):  # the report's own 422s
        answer = sqlite_api.call(role, "GET", f"{twin}?{refused}")
        assert answer.status_code == 422, (refused, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"


def test_the_document_is_served_with_the_docs(sqlite_api) -> None:
    assert sqlite_api.client.get("/openapi.json").json()["paths"].keys() == DOCUMENT["paths"].keys()
    assert sqlite_api.client.get("/docs").status_code == 200


class Recording:
    """An application whose every command records at once (version 1, position 7): the HTTP side of a
    command, its status and headers, is what these tests are about, not the rules."""

    ID, PROPOSAL, PLAN = (UUID(int=n) for n in (1, 2, 3))

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stores = Stores(settings)  # memory: no read side

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: Recorded(self.ID, 1, 7, proposal_id=self.PROPOSAL, plan_id=self.PLAN)

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def recording() -> TestClient:
    settings = Settings(_env_file=None, store="memory")
    with TestClient(create_app(settings, Recording(settings), API_SETTINGS)) as client:
        yield client


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", str(UUID(int=99)), path)


@pytest.mark.parametrize(("path", "operation"), CREATIONS, ids=[op["operationId"] for _, op in CREATIONS])
def test_every_201_names_in_location_a_resource_that_reads_it(
    recording: TestClient, path: str, operation: dict
) -> None:
    body = (
        _named(operation["requestBody"]["content"]["application/json"]["schema"])["examples"][0]
        if "requestBody" in operation
        else None
    )
    role = next(role for role in Role if role in MATRIX[operation["operationId"]])
    answer = recording.post(_concrete(path), json=body, headers=bearer(role))
    assert answer.status_code == 201, answer.text
    location = answer.headers["Location"]
    reads = [
        p
        for p, ops in DOCUMENT["paths"].items()
        if "get" in ops and re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", p), location)
    ]
    assert reads, location  # a GET of the document answers at the Location
    assert str(Recording.ID) in location or str(Recording.PLAN) in location
    assert answer.headers["ETag"] == '"1"' and answer.headers["X-Correlation-ID"]


def test_a_replayed_201_names_the_same_location(sqlite_api) -> None:
    body = {"nip": "198501152010031001", "name": "Siti Rahmawati", "rank": "III/b"}
    first = sqlite_api.call(Role.OPERATOR, "POST", "/employees", body, Idempotency_Key="register-1")
    again = sqlite_api.call(Role.OPERATOR, "POST", "/employees", body, Idempotency_Key="register-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"] == f"/employees/{first.json()['id']}"
    assert sqlite_api.call(Role.OPERATOR, "GET", first.headers["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        (None, None, "application/json"),
        ("text/csv", None, "text/csv"),
        (XLSX, None, XLSX),
        ("*/*", None, "application/json"),
        ("text/html", None, "application/json"),  # nothing acceptable: the default, not a 406
        ("application/json;q=0.5, text/csv;q=0.9", None, "text/csv"),
        ("text/*", None, "text/csv"),
        ("text/csv", "json", "application/json"),  # format= wins over Accept
        (None, "xlsx", XLSX),
    ],
)
def test_a_report_answers_in_the_media_type_accept_asks_for(sqlite_api, accept, fmt, expected) -> None:
    headers = {"Accept": accept} if accept else {}
    scenario.position(sqlite_api.app, "Analis Keuangan")  # something to report, and a position to wait for
    query = f"?min_position={sqlite_api.app.recorder.max_notification_id()}" + (f"&format={fmt}" if fmt else "")
    answer = sqlite_api.call(Role.AUDITOR, "GET", "/reports/staffing" + query, **headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].split(";")[0] == expected
    assert answer.headers["Vary"] == "Accept" and answer.headers["X-View-Position"].isdigit()
    if expected != "application/json":  # a CSV is one table, named in X-Report-Table; an XLSX holds them all
        name = f"staffing-{answer.headers['X-Report-Table']}.csv" if expected == "text/csv" else "staffing.xlsx"
        assert answer.headers["Content-Disposition"] == f'attachment; filename="{name}"'


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("GET", "/employees/lookup", 405, "OPTIONS, POST"),  # the literal path wins over /employees/{id}
        ("OPTIONS", "/positions", 204, "GET, OPTIONS, POST"),
        ("DELETE", "/positions", 405, "GET, OPTIONS, POST"),
        ("OPTIONS", "/employees/lookup", 204, "OPTIONS, POST"),
        ("OPTIONS", f"/employees/{UUID(int=1)}", 204, "GET, OPTIONS"),
    ],
)
def test_a_path_names_all_its_methods(sqlite_api, method: str, path: str, status: int, allow: str) -> None:
    answer = sqlite_api.call(Role.OPERATOR, method, path)
    assert answer.status_code == status and answer.headers["Allow"] == allow
    if status == 405:
        assert answer.json()["code"] == "method-not-allowed"
    assert sqlite_api.call(Role.OPERATOR, "GET", "/employees/not-a-uuid").status_code == 422


def _typed_tables(report: dict) -> dict[str, list[str]]:
    """A report schema's tables, in order: each one's name and the properties of its rows, in order."""
    items = _named(report)["properties"]["sections"]["items"]
    tables = {}
    for ref in items.get("oneOf", [items]):
        section = _named(ref)["properties"]
        tables[section["name"]["const"]] = list(_named(section["rows"]["items"])["properties"])
    return tables


def test_every_report_of_a_walked_round_fits_its_typed_schema(sqlite_api) -> None:
    flow = walk(sqlite_api.app, objections=True)  # an objection upheld and its decision reversed, one dismissed
    asked = {
        "reports.employee_placements": {"employee_id": flow.employees[0]},
        "reports.position_holders": {"position_id": flow.positions[0]},
        "reports.round_board": {"round_id": flow.round_id},
        "reports.evaluation": {"today": "2027-01-02"},
        "reports.talent": {"year": 2026},
    }
    reports: dict[str, dict[str, list[dict]]] = {}
    for name, operation in REPORTS:
        path = next(p for p, ops in DOCUMENT["paths"].items() if ops.get("get") is operation)
        given = asked.get(name, {})
        query = "&".join(f"{k}={v}" for k, v in given.items() if f"{{{k}}}" not in path)
        answer = sqlite_api.call(
            Role.AUDITOR,
            "GET",
            path.format(**given) + f"?min_position={flow.position}" + (f"&{query}" if query else ""),
        )
        assert answer.status_code == 200, (name, answer.text)
        body = answer.json()
        assert any(section["rows"] for section in body["sections"]), name
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        _valid(schema, body)
        # every table typed, and each row schema names exactly the table's columns, in order
        assert _typed_tables(schema) == {section["name"]: section["columns"] for section in body["sections"]}, name
        reports[name] = {section["name"]: section["rows"] for section in body["sections"]}
    # the objection figures were there to be checked, not empty sections
    board = reports["reports.round_board"]
    assert board["round"][0]["objections"] == 2 and board["round"][0]["objections_pending"] == 0
    assert {r["objection_states"] for r in board["proposals"]} >= {"upheld", "dismissed"}
    assert [r["earlier_decisions"] for r in board["proposals"] if r["earlier_decisions"]] == ["rejected"]
    public = reports["public.transparency_report"]["objections"]
    assert [(r["filed"], r["upheld"], r["dismissed"], r["reversed"]) for r in public] == [(2, 1, 1, 1)]
    accountability = reports["reports.accountability"]
    assert sorted(r["answer"] for r in accountability["objections"]) == ["dismissed", "upheld"]
    assert [r["objection_id"] for r in accountability["reversed_on_objection"]] == [str(flow.upheld)]
    assert [r["superseded_by_objection"] for r in accountability["decisions"] if r["superseded_by_objection"]] == [
        str(flow.upheld)
    ]
    assert accountability["summary"][0]["reversed_on_objection"] == 1
    merit = reports["reports.merit"]
    assert merit["rounds"][0]["objections_filed"] == 2 and merit["rounds"][0]["decisions_reversed_on_objection"] == 1
    assert merit["indicators"] and merit["aspects"] and merit["addressed_to"]
