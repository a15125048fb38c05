"""The transparency view never holds a field it must not: birth date, scores, sanctions, a full NIP; and
what is published of it (the report, every page of the public site) names only approved transfers of
announced rounds: rejected or withdrawn candidates are counted, never named (UU 27/2022)."""

from __future__ import annotations

import json
import re
from datetime import date

from fastapi.testclient import TestClient

from api.http.app import create_app
from application.audit import replay
from application.service import MutasiApplication
from application.settings import Settings
from projections.export import render
from projections.views.transparency import PUBLIC_FIELDS
from tests import scenario as sc
from tests.api.support import API_SETTINGS
from tests.projections.conftest import Views, dump
from tests.projections.flow import Flow

FORBIDDEN_KEYS = ("birth", "score", "sanction", 'jpm"', "potential", "rating", "predikat", 'nip"')


def test_transparency_holds_no_personal_detail_beyond_the_masked_nip(views: Views, app, flow: Flow) -> None:
    app.record_sanction(sc.OPERATOR, flow.employees[1], "moderate", date(2025, 1, 1), date(2025, 6, 30), "HD-7/2025")
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


def test_rejected_and_withdrawn_candidates_are_counted_never_named(views: Views, app, flow: Flow) -> None:
    views.catch_up()
    report = views.reports.transparency()
    [counts] = report.section("rounds").rows
    assert {k: counts[k] for k in ("proposals", "approved", "rejected", "withdrawn", "overrides")} == {
        "proposals": 4,
        "approved": 2,
        "rejected": 1,
        "withdrawn": 1,
        "overrides": 1,
    }
    assert {r["proposal_id"] for r in report.section("decisions").rows} == {str(flow.approved), str(flow.overridden)}
    assert {r["decision"] for r in report.section("decisions").rows} == {"approved"}
    texts = [
        render(report, "json").decode(),
        render(report, "csv").decode(),
        json.dumps(dump(views.read, ["transparency"])),
    ]
    for text in texts:
        for seq in (2, 3):  # the rejected and the withdrawn candidate
            assert f'Pegawai {seq}"' not in text and f"Pegawai {seq}," not in text, seq
            assert sc.nip(seq)[14:] not in text, seq  # not even the masked NIP's last digits


def _pages(client: TestClient, flow: Flow, code: str, unannounced: str) -> dict[str, str]:
    pages = {
        "home": "/publik",
        "round": f"/publik/putaran/{flow.round_id}",
        "agency": f"/publik/instansi/{sc.AGENCY}",
        "verify": f"/publik/verifikasi?kode={code}",
        "verify-form": "/publik/verifikasi",
        "unannounced": f"/publik/putaran/{unannounced}",
    }
    out = {}
    for name, path in pages.items():
        response = client.get(path)
        assert response.status_code == (404 if name == "unannounced" else 200), (name, response.text)
        assert response.headers["content-type"].startswith("text/html")
        out[name] = response.text
    return out


def test_every_page_of_the_site_shows_only_what_the_transparency_view_allows(
    views: Views,
    app: MutasiApplication,
    flow: Flow,
    settings: Settings,
) -> None:
    app.record_sanction(sc.OPERATOR, flow.employees[3], "moderate", date(2025, 1, 1), date(2025, 6, 30), "HD-9/2025")
    unannounced = sc.mutation_round(app)
    hidden = sc.employee(app, 9, flow.positions[0])
    sc.approved(app, unannounced, hidden, flow.positions[1])
    [decree] = [e for e in replay.history(app, flow.round_id) if e.name == "MutationRound.DecreeIssued"][:1]
    views.catch_up()
    with TestClient(create_app(settings, app, API_SETTINGS)) as client:
        pages = _pages(client, flow, decree.link[1], str(unannounced))
    people = [app.get_employee(e) for e in flow.employees]
    for name, html in pages.items():
        text = html.lower()
        for person in [*people, app.get_employee(hidden)]:
            assert person.nip not in html, name
            assert person.birth_date.isoformat() not in html and f"{person.birth_date:%Y%m%d}" not in html
        for seq in (2, 3, 9):  # rejected, withdrawn, in an unannounced round: never named
            assert re.search(rf"Pegawai {seq}\b", html) is None, (name, seq)
        assert "hd-9/2025" not in text and "moderate" not in text and "sedang" not in text
        for word in ("skor", "nilai jpm", "tanggal lahir", "sanksi", "hukuman disiplin", "potensi"):
            assert word not in text, (name, word)
        assert "Pegawai 4" not in html  # placed, never proposed: nobody's business
        assert 'lang="id"' in html
    assert "Pegawai 1" in pages["round"] and "*" * 14 + sc.nip(1)[14:] in pages["round"]
    assert "Pegawai 5" in pages["round"]  # approved with an override: named like every approved move
    assert "Pegawai 1" in pages["verify"] and "Kode sah" in pages["verify"]
    for name in ("home", "round"):
        assert "Mutasi Tahap I 2026" in pages[name]
    assert "Pegawai" not in pages["home"] + pages["agency"] + pages["verify-form"]
