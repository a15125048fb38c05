"""A client generated from /openapi.json with openapi-python-client works against the running service.

The client is generated once per module (~3 s) from the document the service serves; the service runs
under uvicorn on a loopback port, on SQLite (its projections in-process, so reports answer).

openapi-python-client (0.29) reads only the first media type of a response (its issue 1248): the
function of a report, which answers JSON, CSV or XLSX as `Accept` asks, parses the typed JSON. Each report's
CSV twin (`/reports/staffing.csv`, operation `reports.staffing_csv`) answers only `text/csv`, so its
generated function gives the CSV as text (`.parsed`), with the report's headers: the client downloads a
CSV report through its own generated code, not its raw HTTP session.
"""

from __future__ import annotations

import importlib
import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from types import ModuleType
from uuid import UUID

import pytest
import uvicorn

from api.http.app import create_app
from api.http.roles import Role
from application.settings import Settings
from tests.api.support import AGENCY, API_SETTINGS, bearer

pytest.importorskip("openapi_python_client")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The package `mutasi_client`, generated from the service's OpenAPI document."""
    where = tmp_path_factory.mktemp("client")
    document = create_app(Settings(_env_file=None, store="memory"), None, API_SETTINGS).openapi()
    (where / "openapi.json").write_text(json.dumps(document))
    (where / "config.yaml").write_text("post_hooks: []\n")  # no formatter needed to import the code
    subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            "openapi.json",
            "--output-path",
            "out",
            "--config",
            "config.yaml",
        ],
        cwd=where,
        check=True,
        capture_output=True,
        timeout=120,
    )
    sys.path.insert(0, str(where / "out"))
    try:
        yield importlib.import_module("mutasi_client")
    finally:
        sys.path.remove(str(where / "out"))
        for name in [name for name in sys.modules if name.split(".")[0] == "mutasi_client"]:
            del sys.modules[name]


@pytest.fixture
def service(sqlite_settings: Settings) -> Iterator[str]:
    """The service on a loopback port; its socket listens before the server starts, so no waiting."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(sqlite_settings, None, API_SETTINGS), log_config=None, access_log=False, lifespan="on"
        )
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join()
        listener.close()


def _module(name: str) -> ModuleType:
    return importlib.import_module(f"mutasi_client.{name}")


def _client(generated: ModuleType, service: str, role: Role):
    token = bearer(role)["Authorization"].removeprefix("Bearer ")
    return generated.AuthenticatedClient(base_url=service, token=token, raise_on_unexpected_status=True)


def test_a_generated_client_registers_reads_is_refused_and_downloads_a_report(
    generated: ModuleType, service: str
) -> None:
    models = _module("models")
    register = _module("api.employees.employees_register")
    read = _module("api.employees.employees_read")
    establish = _module("api.positions.positions_establish")
    staffing = _module("api.reports.reports_staffing")
    staffing_csv = _module("api.reports.reports_staffing_csv")
    operator = _client(generated, service, Role.OPERATOR)

    answer = register.sync_detailed(
        client=operator,
        body=models.RegisterEmployee(
            nip="198501152010031001", name="Siti Rahmawati", rank=models.Rank("III/b"), agency=AGENCY
        ),
    )
    assert answer.status_code == 201
    created = answer.parsed
    assert isinstance(created, models.CommandResult) and created.version == 1
    assert answer.headers["Location"] == f"/employees/{created.id}"
    assert answer.headers["ETag"] == '"1"' and answer.headers["X-Correlation-ID"]

    employee = read.sync(client=operator, employee_id=UUID(answer.headers["Location"].rsplit("/", 1)[-1]))
    assert isinstance(employee, models.EmployeeOut)
    assert (employee.nip, employee.name, employee.rank.value) == ("198501152010031001", "Siti Rahmawati", "III/b")

    refused = register.sync(
        client=operator,
        body=models.RegisterEmployee(
            nip="198501152010031001", name="Siti Rahmawati", rank=models.Rank("III/b"), agency=AGENCY
        ),
    )
    assert isinstance(refused, models.Problem) and refused.status == 409  # the same NIP twice
    invalid = register.sync(
        client=operator,
        body=models.RegisterEmployee(nip="12345", name="Siti Rahmawati", rank=models.Rank("III/b"), agency=AGENCY),
    )
    assert isinstance(invalid, models.Problem)
    assert (invalid.status, invalid.type_) == (422, f"urn:mutasi:problem:{invalid.code}")
    assert invalid.detail and invalid.correlation_id

    position = establish.sync(
        client=operator,
        body=models.EstablishPosition(
            agency=AGENCY,
            unit="BPKAD",
            title="Analis Keuangan Daerah",
            position_type=models.PositionType("fungsional_ahli_pertama"),
            rank_min=models.Rank("III/a"),
            rank_max=models.Rank("III/d"),
            formasi=3,
            standard=models.EstablishPositionStandard.from_dict({"integritas": 3, "kerjasama": 3}),
        ),
    )
    assert isinstance(position, models.CommandResult)

    report = staffing.sync(client=operator, min_position=position.position)
    assert isinstance(report, models.StaffingReport)
    positions = report.sections[0]
    assert isinstance(positions, models.StaffingPositionsSection)
    [row] = positions.rows
    assert (row.title, row.formasi, row.holders, row.vacancies) == ("Analis Keuangan Daerah", 3, 0, 3)

    csv = staffing_csv.sync_detailed(client=operator, min_position=position.position)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert isinstance(csv.parsed, str) and csv.parsed == csv.content.decode("utf-8")
    assert csv.headers["Content-Disposition"] == 'attachment; filename="staffing-positions.csv"'
    assert csv.headers["X-Report-Table"] == "positions" and csv.headers["X-View-Position"]
    lines = csv.parsed.splitlines()
    assert lines[0].startswith("Instansi,Unit kerja,ID jabatan,Judul,Jenis jabatan,Formasi")  # one table, Indonesian
    assert any(line.startswith(AGENCY + ",BPKAD,") for line in lines)
    units = staffing_csv.sync(client=operator, min_position=position.position, table="units")
    assert isinstance(units, str) and units.splitlines()[0].startswith("Instansi,Unit kerja,")  # table= kept
    unknown = staffing_csv.sync(client=operator, table="no_such_table")
    assert isinstance(unknown, models.Problem) and unknown.status == 422  # the report's errors, typed
