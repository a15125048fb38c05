"""Every report in JSON (English, unchanged), CSV (one table, Indonesian) and XLSX (Indonesian, typed,
formatted, with charts) says as of which position and time it is."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from application import labels_id
from projections.export import UnknownTable, main_table, render, title
from tests.projections.conftest import Views
from tests.projections.flow import Flow


def _all(views: Views, flow: Flow) -> list:
    reports = views.reports
    return [
        reports.employee_placements(flow.employees[0]),
        reports.position_holders(flow.positions[0]),
        reports.staffing(),
        reports.round_board(flow.round_id),
        reports.transparency(),
        reports.accountability(),
        reports.evaluation(date(2026, 10, 1)),
        reports.talent(2026),
        reports.merit(),
    ]


def test_each_format_carries_the_stamp_and_the_rows(views: Views, flow: Flow) -> None:
    views.catch_up()
    for report in _all(views, flow):
        assert report.stamp.position == flow.position and report.stamp.as_of is not None
        as_json = json.loads(render(report, "json"))
        assert as_json["stamp"]["position"] == flow.position
        assert [s["rows"] for s in as_json["sections"]] == [
            json.loads(json.dumps(s.rows, default=str)) for s in report.sections
        ]
        # CSV: one table, the main one by default, a header of Indonesian titles, nothing else
        main = report.section(main_table(report))
        rows = list(csv.reader(io.StringIO(render(report, "csv").decode())))
        assert rows[0] == [title(c) for c in main.columns]
        assert len(rows) == len(main.rows) + 1
        assert not any(row and row[0].startswith("#") for row in rows)
        for section in report.sections:  # every table can be asked for by name
            picked = list(csv.reader(io.StringIO(render(report, "csv", section.name).decode())))
            assert picked[0] == [title(c) for c in section.columns] and len(picked) == len(section.rows) + 1
        # XLSX: the "tentang" sheet with the stamp, one sheet per table with Indonesian titles
        book = load_workbook(io.BytesIO(render(report, "xlsx")))
        about = {row[0]: row[1] for row in book["tentang"].iter_rows(values_only=True) if row and row[0]}
        assert about[labels_id.ABOUT["as_of_position"]] == flow.position
        assert about[labels_id.ABOUT["as_of_time"]] == report.stamp.as_of.isoformat()
        for section in report.sections:
            sheet = book[labels_id.table(section.name)[:31]]
            assert sheet.max_row == len(section.rows) + 1
            assert [c.value for c in sheet[1]] == [title(c) for c in section.columns]
            assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
            assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
            assert all(sheet.column_dimensions[c.column_letter].width for c in sheet[1])


def test_titles_and_values_are_indonesian_and_cells_are_typed(views: Views, flow: Flow) -> None:
    views.catch_up()
    reports = views.reports
    book = load_workbook(io.BytesIO(render(reports.staffing(), "xlsx")))
    positions = book[labels_id.table("positions")]
    header = [c.value for c in positions[1]]
    assert {"Instansi", "Unit kerja", "Jenis jabatan", "Formasi", "Pemangku"} <= set(header)
    kinds = {row[header.index("Jenis jabatan")] for row in positions.iter_rows(min_row=2, values_only=True)}
    assert kinds and kinds <= set(labels_id.POSITION_TYPE.values()), kinds  # never fungsional_ahli_pertama
    formasi = [row[header.index("Formasi")] for row in positions.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(n, int) for n in formasi)
    units = book[labels_id.table("units")]
    rate = units.cell(2, [c.value for c in units[1]].index("Tingkat keterisian") + 1)
    assert isinstance(rate.value, float) and rate.number_format == "0.0%"

    board = load_workbook(io.BytesIO(render(reports.round_board(flow.round_id), "xlsx")))
    proposals = board[labels_id.table("proposals")]
    header = [c.value for c in proposals[1]]
    values = [dict(zip(header, row, strict=False)) for row in proposals.iter_rows(min_row=2, values_only=True)]
    assert all(isinstance(v["JPM (%)"], (int, float)) for v in values if v["JPM (%)"] is not None)
    assert {v["Kategori JPM"] for v in values} <= set(labels_id.JPM_CATEGORY.values()) | {None}
    assert {v["Status"] for v in values} <= set(labels_id.PROPOSAL_STATUS.values())
    executed = [v["Tanggal pelaksanaan"] for v in values if v["Tanggal pelaksanaan"] is not None]
    assert executed and all(isinstance(d, datetime) for d in executed)  # a date cell (openpyxl reads datetime)
    cell = proposals.cell(2, header.index("Tanggal pelaksanaan") + 1)
    assert cell.is_date

    transparency = reports.transparency()
    rows = list(csv.DictReader(io.StringIO(render(transparency, "csv", "decisions").decode())))
    assert rows and {r["Keputusan"] for r in rows} <= set(labels_id.DECISION.values())
    assert all(r["Tanggal pengumuman"][:2] == "20" and len(r["Tanggal pengumuman"]) == 10 for r in rows)
    assert json.loads(render(transparency, "json"))["sections"][1]["columns"][0] == "round_id"  # JSON: English


def test_native_charts_for_staffing_per_unit_and_the_nine_box_counts(views: Views, flow: Flow) -> None:
    views.catch_up()
    staffing = load_workbook(io.BytesIO(render(views.reports.staffing(), "xlsx")))
    assert len(staffing[labels_id.table("units")]._charts) == 1
    talent = load_workbook(io.BytesIO(render(views.reports.talent(2026), "xlsx")))
    assert len(talent[labels_id.table("boxes")]._charts) == 1
    import zipfile

    names = zipfile.ZipFile(io.BytesIO(render(views.reports.talent(2026), "xlsx"))).namelist()
    assert any(n.startswith("xl/charts/chart") for n in names)


def test_a_table_the_report_lacks_is_refused(views: Views, flow: Flow) -> None:
    views.catch_up()
    with pytest.raises(UnknownTable):
        render(views.reports.staffing(), "csv", "nope")
    by_title = render(views.reports.staffing(), "csv", labels_id.table("units")).decode()
    assert by_title == render(views.reports.staffing(), "csv", "units").decode()


def test_pandas_reads_each_csv_as_it_is(views: Views, flow: Flow) -> None:
    pandas = pytest.importorskip("pandas")
    views.catch_up()
    report = views.reports.staffing()
    frame = pandas.read_csv(io.BytesIO(render(report, "csv", "units")))
    assert list(frame.columns) == [title(c) for c in report.section("units").columns]
    assert len(frame) == len(report.section("units").rows)
    assert frame["Formasi"].dtype.kind == "i"
