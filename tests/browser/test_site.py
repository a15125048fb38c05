"""The public site in a real browser: each page renders its data, Tab reaches every link, axe-core finds
no serious or critical violation, and a screenshot of each page lands in tests/artifacts/."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest

from application.audit import replay
from application.documents import make_document
from tests import scenario as sc
from tests.browser.conftest import ARTIFACTS, AXE, Site

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def _decree_code(site: Site) -> str:
    return next(
        e.link[1] for e in replay.history(site.app, site.flow.round_id) if e.name == "MutationRound.DecreeIssued"
    )


def _receipt(site: Site) -> str:
    """The code the decree (SK) prints: its receipt code in the transparency log."""
    code = make_document(site.app, site.flow.round_id, "decree").anchor.receipt_code
    assert code is not None
    return code


def _printed(code: str) -> str:
    """The code as a decree prints it: its first 16 hex digits, upper case, in groups of four."""
    return "-".join(code[i : i + 4].upper() for i in range(0, 16, 4))


def _pages(site: Site) -> dict[str, tuple[str, list[str]]]:
    """Page name: (path, texts it must show)."""
    return {
        "beranda": ("/publik", [sc.AGENCY, "Mutasi Tahap I 2026"]),
        "putaran": (
            f"/publik/putaran/{site.flow.round_id}",
            [
                "Pegawai 1",
                "*" * 14 + sc.nip(1)[14:],
                "Analis Keuangan",
                "Analis Anggaran",
                "821.2/001/2026",
                "Sanggah diajukan",
                "Indikator sistem merit",
            ],
        ),
        "instansi": (f"/publik/instansi/{quote(sc.AGENCY)}", ["Keadaan sekarang", "Bappeda", "BPKAD"]),
        "verifikasi": ("/publik/verifikasi", ["Kode verifikasi"]),
        "verifikasi-sah": (f"/publik/verifikasi?kode={_decree_code(site)}", ["Kode sah", "821.2/00"]),
        "verifikasi-pendek": (f"/publik/verifikasi?kode={_printed(_decree_code(site))}", ["Kode sah", "TMT"]),
        "verifikasi-tanda-terima": (f"/publik/verifikasi?kode={_receipt(site)}", ["Kode sah", "821.2/00"]),
        "verifikasi-salah": ("/publik/verifikasi?kode=bukan-kode", ["Ada masalah", "64 karakter"]),
        "verifikasi-tidak-ada": (f"/publik/verifikasi?kode={'0' * 16}", ["Kode tidak ditemukan"]),
    }


@pytest.fixture(scope="module")
def context(browser: Any) -> Any:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    yield ctx
    ctx.close()


@pytest.mark.parametrize(
    "name",
    [
        "beranda",
        "putaran",
        "instansi",
        "verifikasi",
        "verifikasi-sah",
        "verifikasi-pendek",
        "verifikasi-salah",
        "verifikasi-tidak-ada",
    ],
)
def test_each_page_renders_its_data_passes_axe_and_is_photographed(site: Site, context: Any, name: str) -> None:
    path, texts = _pages(site)[name]
    page = context.new_page()
    response = page.goto(site.base + path)
    assert response is not None and response.status == (400 if name == "verifikasi-salah" else 200)
    body = page.inner_text("body")
    for text in texts:
        assert text in body, (name, text)
    assert page.get_attribute("html", "lang") == "id"
    assert "Data per posisi catatan" in body
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"publik-{name}.png"), full_page=True)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], serious
    page.close()


@pytest.mark.parametrize("name", ["beranda", "putaran", "instansi", "verifikasi-sah"])
def test_tab_reaches_every_link_starting_with_the_skip_link(site: Site, context: Any, name: str) -> None:
    page = context.new_page()
    page.goto(site.base + _pages(site)[name][0])
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    reached: list[str] = []
    unmarked: list[str] = []  # links focused without a visible focus indicator
    for _ in range(len(links) + 20):
        page.keyboard.press("Tab")
        href, visible = page.evaluate("""() => {
            const e = document.activeElement, s = getComputedStyle(e);
            return [e.href || e.tagName, s.outlineStyle !== 'none' || s.boxShadow !== 'none'];
        }""")
        reached.append(href)
        if href.startswith("http") and not visible:
            unmarked.append(href)
    assert reached[0].endswith("#isi")  # the skip link comes first
    assert set(links) <= set(reached), set(links) - set(reached)
    assert unmarked == []
    page.close()


def test_the_pages_work_without_javascript(site: Site, browser: Any) -> None:
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(site.base + "/publik/verifikasi")
    page.fill("#kode", _decree_code(site))
    page.click("button[type=submit]")
    assert "Kode sah" in page.inner_text("body")
    ctx.close()


def test_the_api_docs_load_with_every_request_kept_on_this_host(site: Site, browser: Any) -> None:
    ctx = browser.new_context()
    outside: list[str] = []

    def only_here(route: Any) -> None:
        if route.request.url.startswith(site.base):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    ctx.route("**/*", only_here)
    page = ctx.new_page()
    page.goto(site.base + "/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=15000)
    assert "Mutasi" in page.inner_text(".swagger-ui .info .title")
    page.screenshot(path=str(ARTIFACTS / "docs.png"))
    page.goto(site.base + "/redoc")
    page.wait_for_selector("h1", timeout=15000)
    assert "Mutasi" in page.inner_text("h1")
    assert outside == []
    ctx.close()
