"""The site's routes: home, a round, an agency's staffing, the verification of a decree's code."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from api.http.site.charts import staffing_chart
from api.http.site.verify import BadCode, DecreeCodes, normalised
from application import labels_id as labels
from projections.public import PublicReads
from projections.queries import NotYetUpToDate, Stamp
from projections.store import ViewsUnavailable

PREFIX = "/publik"
router = APIRouter(prefix=PREFIX, include_in_schema=False)
_HERE = Path(__file__).parent
_HTML = "text/html; charset=utf-8"


@lru_cache(maxsize=1)
def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(tanggal=_long_date, angka=_number, label=labels.value, persen=_percent)
    env.globals.update(chart=lambda *args: Markup(staffing_chart(*args)), PREFIX=PREFIX)
    return env


def _long_date(value: Any) -> str:
    if not value:
        return "-"
    day = date.fromisoformat(value) if isinstance(value, str) else value
    return labels.long_date(day)


def _number(value: Any) -> str:
    return f"{value:,}".replace(",", ".") if isinstance(value, int) else str(value)


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%".replace(".", ",") if whole else "-"


def _stamp(stamp: Stamp) -> dict[str, Any]:
    moment = stamp.as_of
    if moment is None:
        return {"position": stamp.position, "time": None}
    wib = moment.astimezone(timezone(timedelta(hours=7)))
    return {"position": stamp.position, "time": f"{labels.long_date(wib.date())} pukul {wib:%H.%M} WIB"}


def _page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    if "stamp" in context:
        context["stamp"] = _stamp(context["stamp"])
    html = _templates().get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers={"Content-Language": "id"})


def _reads(request: Request) -> PublicReads | None:
    read_side = getattr(request.app.state, "read_side", None)
    read_models = getattr(read_side, "read_models", None)
    return PublicReads(read_models) if read_models is not None else None


def _unavailable() -> HTMLResponse:
    return _page("unavailable.html", 503, title="Data belum tersedia")


def _not_found(what: str) -> HTMLResponse:
    return _page("not_found.html", 404, title="Halaman tidak ditemukan", what=what)


@router.get("", name="site.home")
def home(request: Request) -> Response:
    """The agencies and their announced rounds."""
    reads = _reads(request)
    try:
        agencies, stamp = reads.agencies() if reads else (None, None)
    except (ViewsUnavailable, NotYetUpToDate):
        return _unavailable()
    if agencies is None:
        return _unavailable()
    return _page("home.html", title="Transparansi mutasi ASN", agencies=agencies, stamp=stamp)


@router.get("/putaran/{round_id}", name="site.round")
def round_page(request: Request, round_id: str) -> Response:
    """An announced round: its approved transfers, its counts, its merit indicators, its staffing."""
    reads = _reads(request)
    if reads is None:
        return _unavailable()
    try:
        wanted = UUID(round_id)
    except ValueError:
        return _not_found("putaran mutasi")
    try:
        found, stamp = reads.round(wanted)
    except (ViewsUnavailable, NotYetUpToDate):
        return _unavailable()
    if found is None:  # never announced, or no such round: the same answer
        return _not_found("putaran mutasi")
    return _page(
        "round.html",
        title=found.round["round_title"],
        r=found.round,
        transfers=found.transfers,
        staffing=found.staffing,
        counts=found.round.get("counts") or {},
        objections=found.round.get("objections") or {},
        categories=found.round.get("jpm_categories") or {},
        stamp=stamp,
    )


@router.get("/instansi/{agency}", name="site.agency")
def agency_page(request: Request, agency: str) -> Response:
    """An agency's staffing per unit now, and before and after each announced round."""
    reads = _reads(request)
    if reads is None:
        return _unavailable()
    try:
        found, stamp = reads.agency(agency)
    except (ViewsUnavailable, NotYetUpToDate):
        return _unavailable()
    if found is None:
        return _not_found("instansi")
    pictures = []
    for r, units in found["rounds"]:
        touched = [u for u in units if u.filled != u.filled_after]
        pictures.append((r, touched))
    return _page(
        "agency.html",
        title=f"Formasi dan keterisian: {agency}",
        agency=agency,
        now=found["now"],
        pictures=pictures,
        stamp=stamp,
    )


@router.get("/verifikasi", name="site.verify")
def verify_page(request: Request, kode: str | None = None) -> Response:
    """A form for a decree's verification code, and the store's answer when one is given."""
    reads = _reads(request)
    if reads is None:
        return _unavailable()
    error = verdict = None
    if kode is not None:
        try:
            verdict = _codes(request).verify(request.app.state.application, reads, normalised(kode))
        except BadCode as refused:
            error = str(refused)
        except (ViewsUnavailable, NotYetUpToDate):
            return _unavailable()
    try:
        stamp = verdict.stamp if verdict else reads.stamp()
    except (ViewsUnavailable, NotYetUpToDate):
        return _unavailable()
    title = ("Kesalahan: " if error else "") + "Verifikasi kode SK"
    return _page(
        "verify.html", 400 if error else 200, title=title, kode=kode or "", error=error, verdict=verdict, stamp=stamp
    )


def _codes(request: Request) -> DecreeCodes:
    codes = getattr(request.app.state, "decree_codes", None)
    if codes is None:
        codes = request.app.state.decree_codes = DecreeCodes()
    return codes


@router.get("/gaya.css", name="site.stylesheet")
def stylesheet() -> Response:
    """The site's one stylesheet (no web fonts, no CDN)."""
    return Response(_css(), media_type="text/css", headers={"Cache-Control": "public, max-age=3600"})


@lru_cache(maxsize=1)
def _css() -> str:
    return (_HERE / "static" / "site.css").read_text(encoding="utf-8")
