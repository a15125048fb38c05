"""Every report in JSON, CSV and XLSX says as of which position and time it is."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from openpyxl import load_workbook

from projections.export import render
from tests.projections.conftest import Views
from tests.projections.flow import Flow


def test_each_format_carries_the_stamp_and_the_rows(views: Views, flow: Flow) -> None:
    views.catch_up()
    reports = views.reports
    for report in (reports.employee_placements(flow.employees[0]), reports.position_holders(flow.positions[0]),
                   reports.staffing(), reports.round_board(flow.round_id), reports.transparency(),
                   reports.accountability(), reports.evaluation(date(2026, 10, 1)), reports.talent(2026),
                   reports.merit()):
        assert report.stamp.position == flow.position and report.stamp.as_of is not None
        as_json = json.loads(render(report, "json"))
        assert as_json["stamp"]["position"] == flow.position
        assert [s["rows"] for s in as_json["sections"]] == [
            json.loads(json.dumps(s.rows, default=str)) for s in report.sections]
        text = render(report, "csv").decode()
        assert f"# as_of_position: {flow.position}\n" in text
        assert f"# as_of_time: {report.stamp.as_of.isoformat()}\n" in text
        rows = [row for row in csv.reader(io.StringIO(text)) if not row[0].startswith("#")]  # "#" cells: the stamp
        first = report.sections[0]
        assert rows[0] == first.columns
        book = load_workbook(io.BytesIO(render(report, "xlsx")))
        about = {row[0]: row[1] for row in book["about"].iter_rows(values_only=True)}
        assert about["as_of_position"] == flow.position
        assert about["as_of_time"] == report.stamp.as_of.isoformat()
        sheet = book[first.name[:31]]
        assert sheet.max_row == len(first.rows) + 1
        assert [c.value for c in sheet[1]] == first.columns
