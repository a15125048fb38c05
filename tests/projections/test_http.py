"""The read side over HTTP: status, reports in three formats, and read-your-writes by position."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from api.http.roles import Role
from projections.catalogue import VIEWS
from tests import scenario as sc
from tests.api.support import Api


@pytest.fixture
def api(reporting_api: Api) -> Api:
    """The service with its read side (`tests.api.conftest.reporting_api`)."""
    return reporting_api


def test_a_report_waits_for_the_write_it_is_asked_to_include(api: Api) -> None:
    position_id = sc.position(api.app, "Analis Keuangan", formasi=3)
    written = sc.employee(api.app, 1, position_id)
    last = api.app.recorder.max_notification_id()
    response = api.call(Role.AUDITOR, "GET", f"/reports/staffing?min_position={last}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["stamp"]["position"] >= last and int(response.headers["X-View-Position"]) >= last
    [row] = body["sections"][0]["rows"]
    assert (row["formasi"], row["holders"]) == (3, 1)
    holders = api.ok(Role.OPERATOR, "GET", f"/reports/positions/{position_id}/holders?min_position={last}")
    assert holders["sections"][0]["rows"][0]["employee_id"] == str(written)


def test_a_view_that_cannot_reach_the_position_says_so_instead_of_answering_stale(api: Api) -> None:
    sc.position(api.app, "Analis Keuangan")
    ahead = api.app.recorder.max_notification_id() + 1000
    response = api.call(Role.AUDITOR, "GET", f"/reports/staffing?min_position={ahead}")
    assert response.status_code == 409  # beyond the store's head: refused at once, nothing to wait for
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:mutasi:problem:position-beyond-head"


def test_status_and_formats(api: Api) -> None:
    sc.position(api.app, "Analis Keuangan")
    last = api.app.recorder.max_notification_id()
    api.ok(Role.AUDITOR, "GET", f"/reports/merit?min_position={last}")
    statuses = {s["view"]: s for s in api.ok(Role.AUDITOR, "GET", "/projections/status")}
    assert set(statuses) == set(VIEWS) and statuses["merit"]["latest"] == last
    assert api.call(Role.PUBLIC, "GET", "/projections/status").status_code == 401
    text = api.call(Role.AUDITOR, "GET", "/reports/staffing?format=csv")
    assert text.headers["content-type"].startswith("text/csv") and "#" not in text.text
    assert text.headers["X-View-Position"] and text.headers["X-Report-Table"] == "positions"
    units = api.call(Role.AUDITOR, "GET", "/reports/staffing?format=csv&table=units")
    assert units.headers["X-Report-Table"] == "units" and units.text.startswith("Instansi,Unit kerja,Jumlah jabatan")
    unknown = api.call(Role.AUDITOR, "GET", "/reports/staffing?format=csv&table=nope")
    assert unknown.status_code == 422 and unknown.json()["code"] == "validation-error"
    book = api.call(Role.AUDITOR, "GET", "/reports/talent?format=xlsx&year=2026")
    assert "tentang" in load_workbook(io.BytesIO(book.content)).sheetnames
    public = api.call(Role.PUBLIC, "GET", "/public/reports/transparency")
    assert public.status_code == 200 and public.json()["stamp"]["view"] == "transparency"
    assert api.call(Role.PUBLIC, "GET", "/reports/accountability").status_code == 401
    twice = api.call(Role.AUDITOR, "GET", "/reports/staffing?agency=A&agency=B")
    assert twice.status_code == 422 and twice.json()["code"] == "validation-error"
