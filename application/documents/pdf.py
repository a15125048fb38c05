"""The round's documents as PDF (ReportLab), laid out as Indonesian official documents are.

- the decree (*Keputusan*, SK): the head of the region's heading, number, *tentang*, *Menimbang*,
  *Mengingat*, *MEMUTUSKAN*, *Menetapkan* with its dictums, place and date, the signing official,
  *tembusan*, and the list of transfers as its *lampiran*;
- the announcement (*pengumuman*): the agency's kop, the approved transfers only (masked NIP, no
  score, no birth date, no sanction; the rejected and withdrawn are counted, never named), the
  objection (sanggah) window, place, date and the announcing official;
- the evaluation summary (*ringkasan evaluasi pascamutasi*).

Every page carries the verification code (and a QR code holding the full hash) and the audit position
the document was made from (`application.documents.sources`). Deterministic: ReportLab's invariant
mode, the document's dates taken from the data (the anchor event's recording time), fonts not embedded
(the PDF base 14), the QR code drawn as vector squares: the same store gives the same bytes.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, date, datetime
from typing import Any

from application import labels_id as labels
from application.documents.sources import DocumentKind, RoundPaper

MM = 72 / 25.4
F4 = (215 * MM, 330 * MM)
"""Folio (F4), the paper of Indonesian official documents."""
MARGINS = (25 * MM, 20 * MM, 20 * MM, 34 * MM)  # left, right, top, bottom (room for the footer and QR)

LAWS = (
    "Undang-Undang Nomor 20 Tahun 2023 tentang Aparatur Sipil Negara;",
    "Undang-Undang Nomor 10 Tahun 2016 tentang Perubahan Kedua atas Undang-Undang Nomor 1 Tahun 2015 "
    "tentang Penetapan Peraturan Pemerintah Pengganti Undang-Undang Nomor 1 Tahun 2014 tentang Pemilihan "
    "Gubernur, Bupati, dan Walikota menjadi Undang-Undang;",
    "Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi;",
    "Peraturan Pemerintah Nomor 11 Tahun 2017 tentang Manajemen Pegawai Negeri Sipil sebagaimana telah "
    "diubah dengan Peraturan Pemerintah Nomor 17 Tahun 2020;",
    "Peraturan Badan Kepegawaian Negara Nomor 5 Tahun 2019 tentang Tata Cara Pelaksanaan Mutasi;",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 3 Tahun 2020 tentang "
    "Manajemen Talenta Aparatur Sipil Negara;",
    "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 6 Tahun 2022 tentang "
    "Pengelolaan Kinerja Pegawai Aparatur Sipil Negara;",
)
ORDINALS = ("KESATU", "KEDUA", "KETIGA", "KEEMPAT", "KELIMA", "KEENAM")
_OFFICES = {
    "governor": "GUBERNUR",
    "minister_of_home_affairs": "MENTERI DALAM NEGERI",
    "head_of_bkn": "KEPALA BADAN KEPEGAWAIAN NEGARA",
}


def region(agency: str) -> tuple[str, str]:
    """(the head of the agency's region as a title, the place documents are signed in) of an agency
    named `Pemerintah Kota X`, `Pemerintah Kabupaten X` or `Pemerintah Provinsi X`."""
    for prefix, head in (
        ("Pemerintah Kota ", "WALI KOTA"),
        ("Pemerintah Kabupaten ", "BUPATI"),
        ("Pemerintah Provinsi ", "GUBERNUR"),
    ):
        if agency.startswith(prefix):
            place = agency[len(prefix) :].strip()
            return f"{head} {place.upper()}", place
    return f"PEJABAT PEMBINA KEPEGAWAIAN {agency.upper()}", agency


def _long(day: date | None) -> str:
    return labels.long_date(day) if day else "-"


def _escape(text: Any) -> str:
    return str(text if text is not None else "-").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Styles:
    def __init__(self) -> None:
        from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
        from reportlab.lib.styles import ParagraphStyle

        base = ParagraphStyle("base", fontName="Helvetica", fontSize=10.5, leading=14, alignment=TA_JUSTIFY)
        self.body = base
        self.center = ParagraphStyle("center", parent=base, alignment=TA_CENTER)
        self.title = ParagraphStyle(
            "title", parent=base, fontName="Helvetica-Bold", fontSize=12, leading=16, alignment=TA_CENTER
        )
        self.kop = ParagraphStyle(
            "kop", parent=base, fontName="Helvetica-Bold", fontSize=14, leading=18, alignment=TA_CENTER
        )
        self.kop_small = ParagraphStyle("kop_small", parent=base, fontSize=9, leading=11, alignment=TA_CENTER)
        self.cell = ParagraphStyle("cell", parent=base, fontSize=8, leading=10, alignment=0)
        self.head = ParagraphStyle("head", parent=self.cell, fontName="Helvetica-Bold", alignment=TA_CENTER)
        self.small = ParagraphStyle("small", parent=base, fontSize=9, leading=12, alignment=0)


def _kop(paper: RoundPaper, s: _Styles, heading: str | None = None) -> list[Any]:
    """The letterhead: the agency (or the head of region for a decree) over a double rule."""
    from reportlab.platypus import HRFlowable, Paragraph, Spacer

    agency = paper.round.agency
    lines = [Paragraph(_escape(heading or agency.upper()), s.kop)]
    if heading is None:
        lines.append(Paragraph("BADAN KEPEGAWAIAN DAN PENGEMBANGAN SUMBER DAYA MANUSIA", s.title))
    return [
        *lines,
        Spacer(1, 2),
        HRFlowable(width="100%", thickness=2, color="black", spaceAfter=1),
        HRFlowable(width="100%", thickness=0.6, color="black", spaceAfter=10),
    ]


def _labelled(rows: list[tuple[str, Any]], s: _Styles, widths: tuple[float, float, float | None]) -> Any:
    """A "label : text" block (Menimbang, Mengingat, Menetapkan...)."""
    from reportlab.platypus import Paragraph, Table, TableStyle

    table = Table(
        [
            [Paragraph(_escape(k), s.body), ":" if k else "", v if not isinstance(v, str) else Paragraph(v, s.body)]
            for k, v in rows
        ],
        colWidths=list(widths),
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _numbered(items: list[str], s: _Styles, marks: str = "number") -> Any:
    from reportlab.platypus import Paragraph, Table, TableStyle

    rows = [
        [Paragraph(f"{chr(ord('a') + i)}." if marks == "letter" else f"{i + 1}.", s.body), Paragraph(text, s.body)]
        for i, text in enumerate(items)
    ]
    table = Table(rows, colWidths=[8 * MM, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _grid(header: list[str], rows: list[list[Any]], widths: list[float], s: _Styles) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data: list[list[Paragraph | str]] = [[Paragraph(_escape(h), s.head) for h in header]]
    data += [[Paragraph(_escape(c).replace("\n", "<br/>"), s.cell) for c in row] for row in rows]
    if not rows:
        data.append([Paragraph("(tidak ada)", s.cell)] + [""] * (len(header) - 1))
    table = Table(data, colWidths=widths, repeatRows=1)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.87, 0.92, 0.97)),
    ]
    if not rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    table.setStyle(TableStyle(style))
    return table


def _signature(
    place: str, day: date | None, office: str, name: str | None, s: _Styles, verb: str = "Ditetapkan di"
) -> Any:
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    block = [
        Paragraph(f"{verb} {_escape(place)}", s.small),
        Paragraph(f"pada tanggal {_long(day)}", s.small),
        Spacer(1, 6),
        Paragraph(f"<b>{_escape(office)},</b>", s.small),
        Spacer(1, 36),
        Paragraph(f"<b><u>{_escape(name or '-')}</u></b>", s.small),
    ]
    table = Table([["", block]], colWidths=[None, 75 * MM])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _seat(seat: Any) -> str:
    return f"{seat.title} pada {seat.unit}"


def _decree(paper: RoundPaper, s: _Styles) -> list[Any]:
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    r = paper.round
    head, place = region(r.agency)
    decrees = [line.proposal.decree for line in paper.lines if line.proposal.decree is not None]
    numbers = sorted({d.number for d in decrees})
    number = numbers[0] if len(numbers) == 1 else "sebagaimana tercantum dalam Lampiran"
    signed_on = max(d.signed_on for d in decrees)
    signer = decrees[-1].signed_by
    office = _OFFICES.get(getattr(signer.office, "value", signer.office) or "", head)
    about = f"MUTASI PEGAWAI NEGERI SIPIL DI LINGKUNGAN {r.agency.upper()}"
    story: list[Any] = [
        *_kop(paper, s, head),
        Paragraph(f"KEPUTUSAN {_escape(office)}", s.title),
        Paragraph(f"NOMOR {_escape(number)}", s.title),
        Spacer(1, 6),
        Paragraph("TENTANG", s.title),
        Paragraph(_escape(about), s.title),
        Paragraph(_escape(f"({r.title})"), s.center),
        Spacer(1, 8),
        Paragraph("DENGAN RAHMAT TUHAN YANG MAHA ESA", s.title),
        Paragraph(f"{_escape(office)},", s.title),
        Spacer(1, 8),
    ]
    considering = [
        "bahwa dalam rangka pembinaan karier, peningkatan kinerja dan pemerataan Pegawai Negeri Sipil sesuai "
        f"kebutuhan organisasi berdasarkan analisis jabatan dan analisis beban kerja, perlu dilakukan mutasi "
        f"Pegawai Negeri Sipil di lingkungan {_escape(r.agency)};",
        "bahwa Pegawai Negeri Sipil yang namanya tercantum dalam Lampiran Keputusan ini telah dinilai secara "
        "objektif berdasarkan kesesuaian kompetensi (<i>Job-Person Match</i>), kinerja dan disiplin, memenuhi "
        "persyaratan mutasi, telah direkomendasikan oleh Tim Penilai Kinerja, diumumkan pada tanggal "
        f"{_long(r.announced_on)}, dan masa sanggah telah berakhir"
        + (f" pada tanggal {_long(paper.objection_window_closes_on)};" if paper.objection_window_closes_on else ";"),
        "bahwa berdasarkan pertimbangan sebagaimana dimaksud dalam huruf a dan huruf b, perlu menetapkan "
        f"Keputusan {_escape(office.title())} tentang Mutasi Pegawai Negeri Sipil di Lingkungan {_escape(r.agency)};",
    ]
    widths = (28 * MM, 4 * MM, None)
    story += [
        _labelled([("Menimbang", _numbered(considering, s, "letter"))], s, widths),
        Spacer(1, 4),
        _labelled([("Mengingat", _numbered(list(LAWS), s))], s, widths),
        Spacer(1, 8),
        Paragraph("MEMUTUSKAN:", s.title),
        Spacer(1, 4),
    ]
    dictums = [
        ("Menetapkan", f"KEPUTUSAN {_escape(office)} TENTANG {_escape(about)}."),
        (
            ORDINALS[0],
            "Memindahkan Pegawai Negeri Sipil yang namanya tercantum dalam Lampiran Keputusan ini dari "
            "jabatan lama ke jabatan baru sebagaimana tercantum dalam Lampiran.",
        ),
        (
            ORDINALS[1],
            "Mutasi sebagaimana dimaksud dalam Diktum KESATU berlaku terhitung mulai tanggal (TMT) "
            "sebagaimana tercantum dalam Lampiran.",
        ),
        (
            ORDINALS[2],
            "Pegawai Negeri Sipil sebagaimana dimaksud dalam Diktum KESATU melaporkan diri kepada pimpinan "
            "unit kerja yang baru dan melaksanakan tugas yang dinyatakan dengan Surat Pernyataan "
            "Melaksanakan Tugas (SPMT).",
        ),
        (
            ORDINALS[3],
            "Keputusan ini mulai berlaku pada tanggal ditetapkan, dengan ketentuan apabila di kemudian hari "
            "terdapat kekeliruan dalam Keputusan ini akan diadakan perbaikan sebagaimana mestinya.",
        ),
    ]
    story += [
        _labelled(dictums, s, widths),
        Spacer(1, 12),
        _signature(place, signed_on, office, signer.user, s),
        Spacer(1, 10),
        Paragraph("Tembusan Keputusan ini disampaikan kepada Yth.:", s.small),
        _numbered(
            [
                "Kepala Badan Kepegawaian Negara;",
                "Kepala Kantor Regional Badan Kepegawaian Negara;",
                f"Inspektur {_escape(r.agency)};",
                "Pegawai Negeri Sipil yang bersangkutan.",
            ],
            s,
        ),
    ]
    story += [
        PageBreak(),
        _labelled(
            [
                ("LAMPIRAN", f"KEPUTUSAN {_escape(office)}"),
                ("NOMOR", _escape(number)),
                ("TANGGAL", _long(signed_on)),
                ("TENTANG", f"Mutasi Pegawai Negeri Sipil di Lingkungan {_escape(r.agency)}"),
            ],
            s,
            (26 * MM, 4 * MM, None),
        ),
        Spacer(1, 8),
        Paragraph("DAFTAR PEGAWAI NEGERI SIPIL YANG DIMUTASI", s.title),
        Spacer(1, 6),
    ]
    rows = [
        [
            str(i),
            f"{line.person.name}\nNIP {line.person.nip}",
            labels.rank(line.person.rank),
            _seat(line.origin),
            _seat(line.target),
            _long(line.proposal.decree.effective_on),
            line.proposal.decree.number,
        ]
        for i, line in enumerate(paper.lines, start=1)
        if line.proposal.decree is not None
    ]
    story.append(
        _grid(
            ["No", "Nama / NIP", "Pangkat / Gol.", "Jabatan lama", "Jabatan baru", "TMT", "Nomor SK"],
            rows,
            [8 * MM, 35 * MM, 22 * MM, 28 * MM, 28 * MM, 21 * MM, 28 * MM],
            s,
        )
    )
    story += [Spacer(1, 12), _signature(place, signed_on, office, signer.user, s)]
    return story


def _announcement(paper: RoundPaper, s: _Styles) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    r = paper.round
    _, place = region(r.agency)
    c = paper.counts
    story: list[Any] = [
        *_kop(paper, s),
        Paragraph("PENGUMUMAN", s.title),
        Paragraph("HASIL SELEKSI DAN PENETAPAN MUTASI PEGAWAI NEGERI SIPIL", s.title),
        Paragraph(_escape(r.title.upper()), s.title),
        Spacer(1, 10),
    ]
    story.append(
        Paragraph(
            f"Berdasarkan analisis kebutuhan jabatan, penilaian objektif atas kompetensi, kinerja dan disiplin, "
            f"rekomendasi Tim Penilai Kinerja, dan keputusan Pejabat Pembina Kepegawaian {_escape(r.agency)}, "
            f"dengan ini diumumkan Pegawai Negeri Sipil yang disetujui untuk dimutasi "
            f"({_escape(labels.TRANSFER_KIND.get(r.kind.value, r.kind.value))}) sebagai berikut:",
            s.body,
        )
    )
    story.append(Spacer(1, 6))
    rows = [
        [
            str(i),
            line.person.name,
            _masked(line.person.nip),
            _seat(line.origin),
            _seat(line.target),
            _long(r.planned_effective_on),
        ]
        for i, line in enumerate(paper.lines, start=1)
    ]
    story.append(
        _grid(
            ["No", "Nama", "NIP", "Dari jabatan", "Ke jabatan", "TMT rencana"],
            rows,
            [9 * MM, 36 * MM, 30 * MM, 38 * MM, 38 * MM, 19 * MM],
            s,
        )
    )
    story += [
        Spacer(1, 8),
        Paragraph(
            f"Jumlah usulan mutasi dalam putaran ini {c['proposals']}: disetujui {c['approved']}, tidak disetujui "
            f"{c['rejected']}, ditarik {c['withdrawn']}. Nama pegawai yang tidak disetujui atau ditarik tidak "
            "diumumkan (Undang-Undang Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi).",
            s.body,
        ),
        Spacer(1, 4),
    ]
    closes = paper.objection_window_closes_on
    story.append(
        Paragraph(
            "Pegawai yang berkeberatan atas hasil ini dapat mengajukan sanggah secara tertulis kepada Tim Penilai "
            "Kinerja"
            + (f" paling lambat tanggal {_long(closes)}" if closes else "")
            + ". Sanggah dijawab secara tertulis disertai alasannya. Keputusan (SK) mutasi ditetapkan setelah masa "
            "sanggah berakhir dan setiap sanggah dijawab.",
            s.body,
        )
    )
    story += [
        Spacer(1, 4),
        Paragraph("Demikian pengumuman ini disampaikan untuk diketahui.", s.body),
        Spacer(1, 12),
        _signature(
            place, r.announced_on, "a.n. PEJABAT PEMBINA KEPEGAWAIAN", paper.announced_by, s, verb="Dikeluarkan di"
        ),
    ]
    return story


def _masked(nip: str) -> str:
    from domain.nip import Nip

    return Nip.parse(nip).masked()


def _evaluation(paper: RoundPaper, s: _Styles) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    r = paper.round
    _, place = region(r.agency)
    c = paper.counts
    story: list[Any] = [
        *_kop(paper, s),
        Paragraph("RINGKASAN EVALUASI PASCAMUTASI", s.title),
        Paragraph(_escape(r.title.upper()), s.title),
        Spacer(1, 10),
    ]
    facts = [
        ("Instansi", _escape(r.agency)),
        ("Jenis mutasi", _escape(labels.TRANSFER_KIND.get(r.kind.value))),
        ("Status putaran", _escape(labels.ROUND_STATUS.get(r.status.value, r.status.value))),
        ("Tanggal pengumuman", _long(r.announced_on)),
        (
            "Usulan",
            f"{c['proposals']} (disetujui {c['approved']}, tidak disetujui {c['rejected']}, ditarik {c['withdrawn']})",
        ),
        ("SK terbit", str(c["decreed"])),
        ("Mutasi dilaksanakan", str(c["executed"])),
        ("Mutasi dievaluasi", f"{c['evaluated']} dari {c['executed']}"),
        ("Sanggah", str(c["objections"])),
    ]
    story += [_labelled(facts, s, (45 * MM, 4 * MM, None)), Spacer(1, 8)]
    rows = []
    for i, line in enumerate(paper.lines, start=1):
        p: Any = line.proposal
        found = (
            "; ".join(
                f"bulan ke-{e.months_after} ({_long(e.evaluated_on)}): {e.performance_after.value}, adaptasi "
                f"{labels.EXPECTATION.get(e.adaptation.value, e.adaptation.value).lower()}, layanan "
                f"{labels.EXPECTATION.get(e.service_quality.value, e.service_quality.value).lower()}"
                for e in p.evaluations
            )
            or "belum dievaluasi"
        )
        rows.append(
            [str(i), f"{line.person.name}\nNIP {line.person.nip}", _seat(line.target), _long(p.executed_on), found]
        )
    story.append(
        _grid(
            ["No", "Nama / NIP", "Jabatan baru", "Dilaksanakan", "Hasil evaluasi"],
            rows,
            [9 * MM, 38 * MM, 40 * MM, 25 * MM, 58 * MM],
            s,
        )
    )
    recorded = paper.anchor.recorded_at
    position = paper.anchor.position if paper.anchor.position is not None else "-"
    story += [
        Spacer(1, 10),
        Paragraph(
            f"Disusun di {_escape(place)} dari catatan peristiwa putaran ini sampai posisi audit {position}"
            + (f", dicatat pada tanggal {_long(recorded.date())}" if recorded else "")
            + ".",
            s.small,
        ),
    ]
    return story


_BUILDERS = {
    DocumentKind.DECREE: _decree,
    DocumentKind.ANNOUNCEMENT: _announcement,
    DocumentKind.EVALUATION: _evaluation,
}
TITLES = {
    DocumentKind.DECREE: "Keputusan mutasi (SK)",
    DocumentKind.ANNOUNCEMENT: "Pengumuman hasil mutasi",
    DocumentKind.EVALUATION: "Ringkasan evaluasi pascamutasi",
}


def _qr(canvas: Any, payload: str, x: float, y: float, size: float) -> None:
    """The QR code of `payload` (segno) as filled squares: vector, deterministic, sharp when printed."""
    import segno

    code = segno.make(payload, error="m", micro=False)
    modules = [list(row) for row in code.matrix]
    n = len(modules)
    step = size / n
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    for row, values in enumerate(modules):
        for col, dark in enumerate(values):
            if dark:
                canvas.rect(x + col * step, y + size - (row + 1) * step, step, step, stroke=0, fill=1)
    canvas.restoreState()


def _footer(paper: RoundPaper) -> Any:
    anchor, round_id = paper.anchor, paper.round.id
    payload = anchor.qr_payload(round_id, paper.kind)

    def draw(canvas: Any, doc: Any) -> None:
        width, _ = F4
        left, right, bottom = MARGINS[0], MARGINS[1], 8 * MM
        size = 22 * MM
        _qr(canvas, payload, width - right - size, bottom, size)
        canvas.saveState()
        canvas.setLineWidth(0.4)
        canvas.line(left, bottom + size + 2 * MM, width - right, bottom + size + 2 * MM)
        canvas.setFont("Helvetica-Bold", 8.5)
        canvas.drawString(left, bottom + 17 * MM, f"Kode verifikasi: {anchor.printed_code}")
        canvas.setFont("Helvetica", 7.5)
        position = anchor.position if anchor.position is not None else "-"
        if anchor.receipt_code:  # a decree: the receipt of its event in the witnessed transparency log
            check = f"Periksa: /public/verify (kode tanda terima) atau mutasi audit history --round {round_id}"
            meaning = (
                "Kode = tanda terima keputusan di log transparansi (RFC 9162), terbit pada kepala pohon berikutnya."
            )
        else:
            check = f"Periksa: mutasi audit history --round {round_id}"
            meaning = "Kode = awal hash SHA-256 rantai peristiwa; hash lengkap dalam kode QR."
        lines = [
            f"Posisi audit: {position} (peristiwa {anchor.event.split('.')[-1]}, versi {anchor.version})",
            f"Putaran: {round_id}",
            check,
            f"{meaning}   Halaman {doc.page}",
        ]
        for i, text in enumerate(lines):
            canvas.drawString(left, bottom + (13 - 3.6 * i) * MM, text)
        canvas.restoreState()

    return draw


def _timestamp(moment: datetime | None) -> Any:
    """ReportLab's time stamp set to `moment` (the data's time, never now)."""
    from reportlab.lib.utils import TimeStamp

    stamp = TimeStamp(invariant=1)
    if moment is not None:
        seconds = moment.astimezone(UTC).timestamp() if moment.tzinfo else moment.replace(tzinfo=UTC).timestamp()
        stamp.t = seconds
        stamp.lt = time.gmtime(seconds)
        stamp.YMDhms = tuple(stamp.lt)[:6]
    return stamp


def render_pdf(paper: RoundPaper) -> bytes:
    """The document of `paper` as PDF bytes (the same paper: the same bytes)."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import SimpleDocTemplate

    stamp = _timestamp(paper.anchor.recorded_at)

    class _Canvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["invariant"] = 1
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = stamp  # type: ignore[attr-defined]  # the stubs omit Canvas._doc (its PDFDocument)

    buffer = io.BytesIO()
    title = f"{TITLES[paper.kind]}: {paper.round.title}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=F4,
        leftMargin=MARGINS[0],
        rightMargin=MARGINS[1],
        topMargin=MARGINS[2],
        bottomMargin=MARGINS[3],
        title=title,
        author=paper.round.agency,
        subject=f"{paper.kind.value} {paper.round.id}",
        creator="Mutasi",
        producer="Mutasi (ReportLab)",
        keywords=[f"verifikasi {paper.anchor.hash or '-'}"],
        lang="id-ID",
        invariant=1,
    )
    footer = _footer(paper)
    doc.build(_BUILDERS[paper.kind](paper, _Styles()), onFirstPage=footer, onLaterPages=footer, canvasmaker=_Canvas)
    return buffer.getvalue()
