"""The round's printable documents: Indonesian layout, verification code, same bytes twice, privacy."""

from __future__ import annotations

import io
import re

import pytest

from application.audit.checkpoints import checkpoint
from application.audit.receipts import verify_receipt
from application.audit.replay import history
from application.audit.tlog.issue import make_receipt
from application.documents import DocumentKind, NoDecreeYet, make_document
from application.errors import RoundNotFound
from application.service import MutasiApplication
from tests import scenario as sc
from tests.audit.support import public_key
from tests.projections.flow import Flow, walk

pypdf = pytest.importorskip("pypdf")


def text_of(content: bytes) -> str:
    """Every page's text, lines joined by spaces (as a reader of the PDF would get it)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def flow(app: MutasiApplication) -> Flow:
    return walk(app)


def _decree_event(app: MutasiApplication, flow: Flow):
    return [e for e in history(app, flow.round_id) if e.name == "MutationRound.DecreeIssued"][-1]


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_the_same_store_gives_the_same_bytes(app: MutasiApplication, flow: Flow, kind: DocumentKind) -> None:
    first = make_document(app, flow.round_id, kind)
    again = make_document(app, flow.round_id, kind)
    assert first.content.startswith(b"%PDF-") and first.content == again.content
    assert b"CreationDate" in first.content and b"D:2000" not in first.content  # the data's date, not invariant's


def test_the_decree_is_laid_out_as_an_sk_and_carries_its_verification_code(app: MutasiApplication, flow: Flow) -> None:
    document = make_document(app, flow.round_id, "decree")
    text = text_of(document.content)
    for part in (
        "KEPUTUSAN",
        "NOMOR",
        "TENTANG",
        "Menimbang",
        "Mengingat",
        "MEMUTUSKAN",
        "Menetapkan",
        "KESATU",
        "LAMPIRAN",
        "Ditetapkan di",
        "pada tanggal 20 Februari 2026",
        "1 Maret 2026",
        "821.2/001/2026",
        "Pegawai 1",
        "Analis Anggaran",
        "Tembusan",
    ):
        assert part in text, part
    decreed = _decree_event(app, flow)
    assert document.anchor.hash == decreed.link[1] and document.anchor.version == decreed.version
    code = document.anchor.short_code
    assert re.fullmatch(r"[0-9A-F]{4}(-[0-9A-F]{4}){3}", code) and code.replace("-", "").lower() == decreed.link[1][:16]
    receipt = document.anchor.receipt_code  # a decree prints its receipt code in the transparency log
    assert receipt is not None and re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", receipt)
    pages = pypdf.PdfReader(io.BytesIO(document.content)).pages
    assert len(pages) >= 2  # the decree and its lampiran
    for page in pages:  # every page: the receipt code and the audit position
        assert f"Kode verifikasi: {receipt}" in page.extract_text()
        assert "/public/verify" in page.extract_text() and "mutasi audit history --round" in page.extract_text()
        assert f"Posisi audit: {document.anchor.position}" in page.extract_text()
    assert document.anchor.position is not None and document.anchor.position <= app.recorder.max_notification_id()
    checkpoint(app)  # the next signed tree head: the printed code now names the decree's receipt
    made = make_receipt(app, receipt)
    assert made["statement"]["event"] == {
        "position": document.anchor.position,
        "originator_id": str(flow.round_id),
        "version": decreed.version,
        "hash": decreed.link[1],
    }
    assert verify_receipt(made, public_key(app.settings)).ok


def test_documents_other_than_the_decree_print_the_chain_hash(app: MutasiApplication, flow: Flow) -> None:
    document = make_document(app, flow.round_id, "announcement")
    assert document.anchor.receipt_code is None
    assert f"Kode verifikasi: {document.anchor.short_code}" in text_of(document.content)


def test_later_events_do_not_change_the_decree(app: MutasiApplication, flow: Flow) -> None:
    before = make_document(app, flow.round_id, "decree").content
    announcement = make_document(app, flow.round_id, "announcement").content
    app.close_round(sc.OPERATOR, flow.round_id, app.today())
    assert make_document(app, flow.round_id, "decree").content == before
    assert make_document(app, flow.round_id, "announcement").content == announcement


def test_the_announcement_names_only_the_approved_and_hides_what_the_public_may_not_see(
    app: MutasiApplication, flow: Flow
) -> None:
    document = make_document(app, flow.round_id, "announcement", public=True)
    text = text_of(document.content)
    assert "PENGUMUMAN" in text and "Pegawai 1" in text and "Pegawai 5" in text  # the two approved
    assert "Pegawai 2" not in text and "Pegawai 3" not in text  # rejected, withdrawn: counted, never named
    assert "tidak disetujui 1, ditarik 1" in text
    flat = re.sub(r"\s+", "", text)
    for seq in range(1, 6):
        assert sc.nip(seq) not in flat  # no full NIP ...
    assert "19850115" not in flat and "15 Januari 1985" not in text  # ... and no birth date
    assert "**************" in text  # the masked NIP
    for word in (
        "JPM",
        "Job-Person",
        "Memenuhi Syarat",
        "skor",
        "sanksi",
        "hukuman",
        "Sangat Baik",
        "Butuh Perbaikan",
        "potensi",
        "9-box",
    ):
        assert word.lower() not in text.lower(), word  # no score, rating, talent box or sanction
    for proposal in app.get_round(flow.round_id).proposals.values():
        assert f"{proposal.jpm:.2f}" not in text and f"{proposal.jpm}" not in text
    assert "sanggah" in text and "Kode verifikasi" in text


def test_the_evaluation_summary(app: MutasiApplication, flow: Flow) -> None:
    text = text_of(make_document(app, flow.round_id, "evaluation").content)
    assert "RINGKASAN EVALUASI PASCAMUTASI" in text and "bulan ke-3" in text and "Kode verifikasi" in text


def test_unfinished_rounds(app: MutasiApplication) -> None:
    round_id = sc.mutation_round(app)
    with pytest.raises(NoDecreeYet):
        make_document(app, round_id, "decree")
    with pytest.raises(RoundNotFound) as unannounced:
        make_document(app, round_id, "announcement", public=True)
    with pytest.raises(RoundNotFound) as unknown:
        make_document(app, __import__("uuid").uuid4(), "announcement", public=True)
    assert str(unannounced.value).split(" round ")[0] == str(unknown.value).split(" round ")[0]
    assert make_document(app, round_id, "evaluation").content.startswith(b"%PDF-")


def test_the_command_line_writes_the_same_pdf(
    settings, app: MutasiApplication, flow: Flow, tmp_path, monkeypatch
) -> None:
    from api.cli.main import main

    for name, value in sc.cli_env(settings).items():  # the command line opens the same store
        monkeypatch.setenv(name, value)
    out = tmp_path / "sk.pdf"
    assert main(["documents", str(flow.round_id), "--kind", "decree", "-o", str(out)]) == 0
    assert out.read_bytes() == make_document(app, flow.round_id, "decree").content
