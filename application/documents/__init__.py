"""Printable documents of a round (PDF): the decree (SK) with its lampiran, the announcement
(pengumuman), the evaluation summary. `make_document` is the one entry point (HTTP and CLI)."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from application.documents.sources import Anchor, DocumentKind, NoDecreeYet, NotAnnouncedYet, gather

__all__ = ["Anchor", "Document", "DocumentKind", "NoDecreeYet", "NotAnnouncedYet", "make_document"]

FILE_NAMES = {
    DocumentKind.DECREE: "sk-mutasi",
    DocumentKind.ANNOUNCEMENT: "pengumuman-mutasi",
    DocumentKind.EVALUATION: "evaluasi-mutasi",
}


@dataclass(frozen=True)
class Document:
    """A rendered document and what it was made from."""

    content: bytes
    filename: str
    anchor: Anchor


def make_document(app: object, round_id: UUID, kind: DocumentKind | str, public: bool = False) -> Document:
    """The PDF of `kind` for the round (see `application.documents.sources` for what it is made from).
    `public`: the announcement as the public reaches it (an unannounced round is not found)."""
    from application.documents.pdf import render_pdf

    kind = DocumentKind(kind)
    paper = gather(app, round_id, kind, public=public)  # type: ignore[arg-type]
    return Document(render_pdf(paper), f"{FILE_NAMES[kind]}-{round_id}.pdf", paper.anchor)
