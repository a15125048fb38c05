"""Reports read from the live version of their view, also across a rebuild, and total whole units."""

from __future__ import annotations

from datetime import date

from application.settings import Settings
from projections.admin import rebuild
from tests import scenario as sc
from tests.projections.conftest import Views
from tests.projections.flow import Flow


def test_a_report_reads_the_rebuilt_version_after_a_swap(settings: Settings, views: Views, flow: Flow) -> None:
    views.catch_up()
    before = views.reports.staffing()  # the reader now knows version 1 as live
    rebuild(settings, ["staffing"], grace=0)
    after = views.reports.staffing()
    assert views.read.view("staffing").version == 2
    assert after.stamp == before.stamp and after.sections == before.sections


def test_staffing_totals_a_unit_whose_positions_are_all_abolished_as_zero(views: Views, app) -> None:
    empty = sc.position(app, "Analis Arsip", unit="Dinas Arsip", formasi=3)
    sc.position(app, "Analis Data", unit="Diskominfo", formasi=2)
    app.abolish_position(sc.OPERATOR, empty, date(2026, 3, 1), "merged into Diskominfo")
    views.catch_up()
    report = views.reports.staffing(agency=sc.AGENCY)
    units = {r["unit"]: r for r in report.section("units").rows}
    assert units["Dinas Arsip"] == {
        "agency": sc.AGENCY,
        "unit": "Dinas Arsip",
        "positions": 0,
        "formasi": 0,
        "holders": 0,
        "vacancies": 0,
        "surplus": 0,
        "fill_rate": None,
    }
    assert [r["title"] for r in report.section("positions").rows] == ["Analis Data"]
    assert report.section("agencies").rows == [
        {
            "agency": sc.AGENCY,
            "positions": 1,
            "formasi": 2,
            "holders": 0,
            "vacancies": 2,
            "surplus": 0,
            "fill_rate": 0.0,
        }
    ]
