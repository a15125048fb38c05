"""The transparency view never holds a field it must not: birth date, scores, sanctions, a full NIP."""

from __future__ import annotations

import json
from datetime import date

from projections.export import render
from projections.views.transparency import PUBLIC_FIELDS
from tests import scenario as sc
from tests.projections.conftest import Views, dump
from tests.projections.flow import Flow

FORBIDDEN_KEYS = ("birth", "score", "sanction", "jpm\"", "potential", "rating", "predikat", "nip\"")


def test_transparency_holds_no_personal_detail_beyond_the_masked_nip(views: Views, app, flow: Flow) -> None:
    app.record_sanction(sc.OPERATOR, flow.employees[1], "moderate", date(2025, 1, 1), date(2025, 6, 30),
                        "HD-7/2025")
    views.catch_up()
    everything = json.dumps(dump(views.read, ["transparency"]))
    report = views.reports.transparency()
    published = [render(report, "json").decode(), render(report, "csv").decode(), everything]
    people = [app.get_employee(e) for e in flow.employees]
    for text in published:
        for person in people:
            assert person.nip not in text
            assert person.birth_date.isoformat() not in text and f"{person.birth_date:%Y%m%d}" not in text
        for key in FORBIDDEN_KEYS:
            assert key not in text.lower(), key
        assert "HD-7/2025" not in text and "moderate" not in text
    assert "**************1001" in everything  # what is there is masked
    for row in report.section("decisions").rows:
        assert set(row) == set(PUBLIC_FIELDS)
