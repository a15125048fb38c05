"""Printable documents of a round (PDF, in Indonesian): the decree (SK) with its lampiran, the
announcement (pengumuman) and the evaluation summary; the announcement also for the public.

Each document carries its verification code and the audit position it was made from (also in the
`X-Verification-Code` and `X-Audit-Position` headers); the same store gives the same bytes
(`application.documents`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter, Response

from api.http.deps import Application, CurrentActor
from api.http.problems import documented
from api.http.routes.common import GUARDED, HEADERS
from application.documents import DocumentKind, make_document
from domain.mutation_round import MutationRound

router = APIRouter(tags=["documents"], dependencies=GUARDED)
PDF = "application/pdf"
_HEADERS = {
    "Content-Disposition": {
        **HEADERS["Content-Disposition"],
        "required": True,
        "description": '`inline; filename="<document>-<round id>.pdf"`',
    },
    "X-Verification-Code": {
        "description": "the SHA-256 chain hash of the round's event the document was made from, "
        "held whole in its QR code: the announcement and the evaluation summary print it "
        "shortened; the decree prints its event's receipt code, fixed by this hash and "
        "X-Audit-Position",
        "required": True,
        "schema": {"type": "string", "pattern": "^([0-9a-f]{64}|-)$"},
    },
    "X-Audit-Position": {
        "description": "the store position (notification id) of that event",
        "required": True,
        "schema": {"type": "string", "examples": ["1187"]},
    },
}


def _answer(kind: DocumentKind, content: bytes, filename: str, anchor: Any) -> Response:
    return Response(
        content,
        media_type=PDF,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "X-Verification-Code": anchor.hash or "-",
            "X-Audit-Position": str(anchor.position) if anchor.position is not None else "-",
        },
    )


def _responses(description: str, *errors: int) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "headers": _HEADERS,
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
        },
        **documented(*errors),
    }


@router.get(
    "/rounds/{round_id}/documents/{kind}.pdf",
    name="documents.round_document",
    summary="A printable document of a round (PDF)",
    response_class=Response,
    responses=_responses(
        "the document as PDF (Indonesian, laid out as such documents are)", 401, 403, 404, 409, 422, 503
    ),
)
def round_document(round_id: UUID, kind: DocumentKind, app: Application, actor: CurrentActor) -> Response:
    """`decree`: the SK of the round's decreed transfers with the lampiran (409 before any decree);
    `announcement`: the pengumuman (approved transfers only, masked NIP; 409 before the announcement);
    `evaluation`: the summary of the round's evaluations. For the staff of the round's agency."""
    app.check_reaches(actor, round_id, "this round", MutationRound)
    document = make_document(app, round_id, kind)
    return _answer(kind, document.content, document.filename, document.anchor)


@router.get(
    "/public/rounds/{round_id}/announcement.pdf",
    name="public.announcement_pdf",
    summary="The announcement of a round (PDF)",
    response_class=Response,
    responses=_responses("the pengumuman as PDF: approved transfers only, masked NIP", 401, 404, 422, 503),
)
def announcement_pdf(round_id: UUID, app: Application) -> Response:
    """The announcement (pengumuman) of an announced round: the approved transfers with masked NIP;
    no birth date, score or sanction, and the rejected or withdrawn counted, never named. A round that
    is not announced is not found, in the same words as an id that names no round."""
    document = make_document(app, round_id, DocumentKind.ANNOUNCEMENT, public=True)
    return _answer(DocumentKind.ANNOUNCEMENT, document.content, document.filename, document.anchor)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/roster/template.xlsx",
    name="roster.template",
    summary="The roster import template (XLSX)",
    response_class=Response,
    responses={
        200: {
            "description": "the SIMPEG roster's columns with Indonesian instructions and "
            "drop-down lists, NIP as text: fill it in and `mutasi import` it",
            "headers": {"Content-Disposition": {**HEADERS["Content-Disposition"], "required": True}},
            "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
        },
        **documented(401, 403, 422, 503),
    },
)
def roster_template() -> Response:
    """The import template: one sheet with the roster's columns (`application.roster.columns`), each
    with its instruction; drop-down lists for ranks, position types, SKP ratings, potential, sex and
    sanction level; NIP as text, dates as dates. For operators."""
    from application.roster.template import template_xlsx

    return Response(
        template_xlsx(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="templat-impor-pegawai.xlsx"'},
    )
