"""Indonesian labels: the one vocabulary for what people read (CSV/XLSX reports, PDF documents, pages).

The API's JSON keeps its stable English field names and codes; everything printed or exported for
people says it in Indonesian from here: column titles (`COLUMNS`), table names (`TABLES`), report
titles (`REPORTS`) and the values of coded fields (`value`): predikat, JPM category, position type,
decision, round and proposal status, objection grounds, transfer kind, talent-map axes, rules.
A code without a label is shown as it is (never dropped), so a new code is visible, not lost.
"""

from __future__ import annotations

from typing import Any

PREDIKAT = {  # PermenPANRB 6/2022: the codes are already the Indonesian words
    "Sangat Baik": "Sangat Baik",
    "Baik": "Baik",
    "Butuh Perbaikan": "Butuh Perbaikan",
    "Kurang": "Kurang",
    "Sangat Kurang": "Sangat Kurang",
}
EXPECTATION = {"below": "Di bawah ekspektasi", "as_expected": "Sesuai ekspektasi", "above": "Di atas ekspektasi"}
POTENTIAL = {"low": "Rendah", "medium": "Menengah", "high": "Tinggi"}
JPM_CATEGORY = {
    "MS": "Memenuhi Syarat (MS)",
    "MMS": "Masih Memenuhi Syarat (MMS)",
    "KMS": "Kurang Memenuhi Syarat (KMS)",
}
POSITION_TYPE = {
    "jpt_utama": "JPT Utama",
    "jpt_madya": "JPT Madya",
    "jpt_pratama": "JPT Pratama",
    "administrator": "Administrator",
    "pengawas": "Pengawas",
    "pelaksana": "Pelaksana",
    "fungsional_ahli_pertama": "Fungsional Ahli Pertama",
    "fungsional_ahli_muda": "Fungsional Ahli Muda",
    "fungsional_ahli_madya": "Fungsional Ahli Madya",
    "fungsional_ahli_utama": "Fungsional Ahli Utama",
    "fungsional_pemula": "Fungsional Pemula",
    "fungsional_terampil": "Fungsional Terampil",
    "fungsional_mahir": "Fungsional Mahir",
    "fungsional_penyelia": "Fungsional Penyelia",
}
DECISION = {"approved": "Disetujui", "rejected": "Ditolak", "reopened": "Dibuka kembali", "withdrawn": "Ditarik"}
PROPOSAL_STATUS = {
    "proposed": "Diusulkan",
    "withdrawn": "Ditarik",
    "approved": "Disetujui",
    "rejected": "Ditolak",
    "decreed": "SK terbit",
    "executed": "Dilaksanakan",
    "reopened": "Dibuka kembali",
}
ROUND_STATUS = {"open": "Dibuka", "announced": "Diumumkan", "closed": "Ditutup"}
OBJECTION_GROUNDS = {
    "rule_misjudged": "Aturan dinilai keliru",
    "data_wrong": "Data tidak benar",
    "personal_circumstances": "Keadaan pribadi",
    "automated_recommendation_contested": "Keberatan atas rekomendasi otomatis",
    "other": "Lainnya",
}
OBJECTION_ANSWER = {"upheld": "Diterima", "dismissed": "Ditolak", "pending": "Menunggu jawaban"}
TRANSFER_KIND = {
    "within_agency": "Mutasi dalam satu instansi",
    "between_agencies_in_province": "Mutasi antar-instansi dalam satu provinsi",
    "between_provinces": "Mutasi antar-provinsi",
    "central_regional": "Mutasi pusat-daerah / antar-instansi pusat",
}
SANCTION_LEVEL = {"light": "Ringan", "moderate": "Sedang", "severe": "Berat"}
RULE = {
    "tenure": "Masa jabatan",
    "senior_executive_lock": "Larangan mutasi JPT < 2 tahun",
    "election_freeze": "Larangan mutasi masa pilkada",
    "performance": "Kinerja (SKP)",
    "discipline": "Disiplin",
    "competency_fit": "Kesesuaian kompetensi (JPM)",
    "rank": "Pangkat/golongan",
    "vacancy": "Formasi kosong",
    "conflict_of_interest": "Benturan kepentingan",
    "level": "Jenjang jabatan",
    "decree_dates": "Tanggal SK dan TMT",
}
RULE_RESULT = {"pass": "Memenuhi", "FAIL": "TIDAK MEMENUHI"}
OVERRIDE_MOMENT = {"decision": "Keputusan", "decree": "Penetapan SK"}
PLAN_OUTCOME = {"followed": "Sesuai rencana", "departed": "Menyimpang dari rencana"}
MERIT_ASPECT = {
    "needs planning": "Perencanaan kebutuhan",
    "procurement": "Pengadaan",
    "career development": "Pengembangan karier",
    "promotion and transfer": "Promosi dan mutasi",
    "performance management": "Manajemen kinerja",
    "pay, reward and discipline": "Penggajian, penghargaan dan disiplin",
    "protection and services": "Perlindungan dan pelayanan",
    "integrated information system": "Sistem informasi terintegrasi",
}
BOOLEAN = {True: "Ya", False: "Tidak"}

VALUES: dict[str, dict[Any, str]] = {
    "position_type": POSITION_TYPE,
    "jpm_category": JPM_CATEGORY,
    "kind": TRANSFER_KIND,
    "decision": DECISION,
    "decision_before": DECISION,
    "decision_after": DECISION,
    "decision_contested": DECISION,
    "answer": OBJECTION_ANSWER,
    "grounds": OBJECTION_GROUNDS,
    "performance": EXPECTATION,
    "potential": POTENTIAL,
    "moment": OVERRIDE_MOMENT,
    "plan": PLAN_OUTCOME,
    "aspect": MERIT_ASPECT,
    "performance_before": PREDIKAT,
    "performance_after": PREDIKAT,
    "rule": RULE,
    "status": {**ROUND_STATUS, **PROPOSAL_STATUS},
}
"""Column -> the labels of its coded values."""

LISTS: dict[str, dict[Any, str]] = {
    "objection_states": OBJECTION_ANSWER,
    "earlier_decisions": DECISION,
    "overrides": RULE,
    "failed_rules": RULE,
}
"""Columns holding a comma-separated list of codes: each code is labelled."""

COLUMNS: dict[str, str] = {
    "agency": "Instansi",
    "announced_before_decree": "Diumumkan sebelum SK",
    "announced_on": "Tanggal pengumuman",
    "answer": "Jawaban",
    "answered_at": "Waktu dijawab",
    "answered_by": "Dijawab oleh",
    "answered_on": "Tanggal dijawab",
    "approved": "Disetujui",
    "approved_below_jpm_threshold": "Disetujui di bawah ambang JPM",
    "aspect": "Aspek sistem merit",
    "authorised_by": "Disahkan oleh",
    "below_jpm_threshold": "Di bawah ambang JPM",
    "box": "Kotak (9-box)",
    "closed_on": "Tanggal ditutup",
    "consents": "Persetujuan (nomor surat)",
    "corrective_action": "Tindakan perbaikan",
    "days_overdue": "Hari terlambat",
    "days_to_answer": "Hari sampai dijawab",
    "decided_after_at": "Waktu keputusan sesudah",
    "decided_after_by": "Diputus sesudah oleh",
    "decided_at": "Waktu keputusan",
    "decided_before_at": "Waktu keputusan sebelum",
    "decided_before_by": "Diputus sebelum oleh",
    "decided_by": "Diputus oleh",
    "decided_by_proposer": "Diputus oleh pengusul",
    "decision": "Keputusan",
    "decision_after": "Keputusan sesudah",
    "decision_before": "Keputusan sebelum",
    "decision_contested": "Keputusan yang disanggah",
    "decision_reason": "Alasan keputusan",
    "decisions": "Keputusan",
    "decisions_reversed_on_objection": "Keputusan berubah karena sanggah",
    "decisions_superseded": "Keputusan dibuka kembali",
    "decisions_within_rules": "Keputusan sesuai aturan",
    "decree_number": "Nomor SK",
    "departed_from_plan": "Menyimpang dari rencana",
    "dismissed": "Ditolak",
    "documented_reason": "Alasan terdokumentasi",
    "dropped": "Kinerja turun",
    "due_on": "Jatuh tempo",
    "earlier_decisions": "Keputusan terdahulu",
    "employee_id": "ID pegawai",
    "employees": "Jumlah pegawai",
    "evaluated": "Dievaluasi",
    "evaluations": "Jumlah evaluasi",
    "evidence": "Bukti",
    "executed_on": "Tanggal pelaksanaan",
    "failed_rules": "Aturan tidak terpenuhi",
    "filed": "Diajukan",
    "filed_at": "Waktu diajukan",
    "filed_by": "Diajukan oleh",
    "filed_on": "Tanggal diajukan",
    "fill_rate": "Tingkat keterisian",
    "follow_up": "Tindak lanjut",
    "followed_plan": "Sesuai rencana",
    "formasi": "Formasi",
    "from": "Dari",
    "from_plan": "Dari rencana mutasi",
    "from_title": "Jabatan asal",
    "from_unit": "Unit kerja asal",
    "gaps_current": "Kesenjangan kompetensi (jabatan kini)",
    "gaps_target": "Kesenjangan kompetensi (jabatan tujuan)",
    "grounds": "Dasar sanggah",
    "holders": "Pemangku",
    "hours_to_decision": "Jam sampai keputusan",
    "human_review_by": "Ditinjau manusia oleh",
    "human_review_grounds": "Dasar tinjauan manusia",
    "indicator": "Indikator",
    "indicators": "Indikator",
    "institution": "Lembaga",
    "jp_done": "JP terlaksana",
    "jp_entitlement": "Hak JP",
    "jp_missing": "Kekurangan JP",
    "jpm": "JPM (%)",
    "jpm_at_decision": "JPM saat keputusan (%)",
    "jpm_category": "Kategori JPM",
    "justification": "Justifikasi",
    "kind": "Jenis mutasi",
    "left_by": "Berakhir karena",
    "letter_reference": "Nomor surat",
    "max_hours_to_decision": "Jam terlama sampai keputusan",
    "median_days_to_answer": "Median hari sampai dijawab",
    "median_hours_to_decision": "Median jam sampai keputusan",
    "moment": "Saat",
    "months_after": "Bulan setelah mutasi",
    "movable": "Dapat dipindahkan",
    "name": "Nama",
    "nip": "NIP",
    "nip_masked": "NIP (disamarkan)",
    "objection_id": "ID sanggah",
    "objection_states": "Status sanggah",
    "objections": "Sanggah",
    "objections_answered": "Sanggah dijawab",
    "objections_dismissed": "Sanggah ditolak",
    "objections_filed": "Sanggah diajukan",
    "objections_pending": "Sanggah menunggu",
    "objections_upheld": "Sanggah diterima",
    "on_behalf_of": "Atas nama",
    "overrides": "Pengecualian aturan",
    "performance": "Kinerja",
    "performance_after": "Predikat sesudah",
    "performance_before": "Predikat sebelum",
    "plan": "Rencana mutasi",
    "plan_explanation": "Penjelasan rencana",
    "plan_id": "ID rencana",
    "planned": "Direncanakan",
    "planned_effective_on": "TMT rencana",
    "position": "Jabatan",
    "position_id": "ID jabatan",
    "position_type": "Jenis jabatan",
    "positions": "Jumlah jabatan",
    "potential": "Potensi",
    "proposal_id": "ID usulan",
    "proposals": "Usulan",
    "proposed_at": "Waktu diusulkan",
    "proposed_by": "Diusulkan oleh",
    "reason": "Alasan",
    "reason_after": "Alasan sesudah",
    "reason_before": "Alasan sebelum",
    "reasons": "Alasan jawaban",
    "recommended": "Direkomendasikan TPK",
    "recorded_by": "Dicatat oleh",
    "reopened_awaiting_decision": "Dibuka kembali, menunggu keputusan",
    "reversed": "Berubah",
    "reversed_on_objection": "Berubah karena sanggah",
    "reverses_earlier_decision": "Mengubah keputusan terdahulu",
    "role": "Peran",
    "round_id": "ID putaran",
    "round_title": "Putaran mutasi",
    "rule": "Aturan",
    "since": "Sejak (TMT)",
    "status": "Status",
    "superseded_by_objection": "Dibuka kembali oleh sanggah",
    "surplus": "Kelebihan",
    "target": "Jabatan tujuan",
    "target_position": "Jabatan tujuan",
    "target_title": "Jabatan tujuan",
    "target_unit": "Unit kerja tujuan",
    "technical_review": "Pertimbangan teknis",
    "text": "Isi sanggah",
    "title": "Judul",
    "to": "Ke",
    "transfers": "Mutasi",
    "transfers_evaluated": "Mutasi dievaluasi",
    "unit": "Unit kerja",
    "units_with_surplus": "Unit dengan kelebihan",
    "units_with_vacancies": "Unit dengan kekosongan",
    "until": "Sampai",
    "upheld": "Diterima",
    "vacancies": "Kekosongan",
    "value": "Nilai",
}
COLUMNS.update({f"rule_{code}": f"Aturan: {label}" for code, label in RULE.items()})

TABLES: dict[str, str] = {
    "placements": "riwayat jabatan",
    "holders": "pemangku",
    "positions": "jabatan",
    "units": "unit kerja",
    "agencies": "instansi",
    "spread": "pemerataan",
    "round": "putaran",
    "proposals": "usulan",
    "rounds": "putaran",
    "decisions": "keputusan",
    "objections": "sanggah",
    "summary": "ringkasan",
    "overrides": "pengecualian",
    "below_jpm_threshold": "di bawah ambang JPM",
    "decided_by_proposer": "diputus pengusul",
    "reversed_on_objection": "berubah karena sanggah",
    "transfers": "mutasi",
    "flagged": "kinerja turun",
    "overdue": "evaluasi terlambat",
    "per_round_and_unit": "per putaran dan unit",
    "boxes": "kotak 9-box",
    "employees": "pegawai",
    "development_needs": "kebutuhan pengembangan",
    "indicators": "indikator",
    "aspects": "aspek",
    "addressed_to": "ditujukan kepada",
}
"""Section name -> its Indonesian sheet name (at most 31 characters, no `[]:*?/\\`)."""

REPORTS: dict[str, str] = {
    "placements-employee": "Riwayat jabatan pegawai",
    "placements-position": "Pemangku jabatan",
    "staffing": "Formasi dan pemangku jabatan",
    "round-board": "Papan putaran mutasi",
    "transparency": "Pengumuman hasil mutasi (publik)",
    "accountability": "Akuntabilitas keputusan (internal)",
    "evaluation": "Evaluasi pascamutasi",
    "talent": "Peta talenta (9-box) dan kebutuhan pengembangan",
    "merit": "Indikator sistem merit per putaran (untuk BKN dan KemenPANRB)",
}

ABOUT: dict[str, str] = {
    "report": "Laporan",
    "view": "Tampilan data (view)",
    "as_of_position": "Posisi data (nomor peristiwa)",
    "as_of_time": "Waktu data",
    "generated_at": "Dibuat pada",
    "table": "Tabel",
    "parameter": "Parameter",
}
"""Titles of the provenance lines (the XLSX "tentang" sheet)."""

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def column(name: str) -> str:
    """The Indonesian title of a report column (the code itself when it has none)."""
    return COLUMNS.get(name, name)


def table(name: str) -> str:
    """The Indonesian name of a report table."""
    return TABLES.get(name, name)


def value(column_name: str, item: Any) -> Any:
    """`item` of column `column_name` as people read it: a coded value by its label, a boolean as
    Ya/Tidak, a list of codes each labelled; anything else unchanged."""
    if isinstance(item, bool):
        return BOOLEAN[item]
    if item is None:
        return None
    labels = VALUES.get(column_name)
    if labels is not None:
        return labels.get(item, item) if isinstance(item, str) else item
    if column_name.startswith("rule_") and isinstance(item, str):
        return RULE_RESULT.get(item, item)
    labels = LISTS.get(column_name)
    if labels is not None and isinstance(item, str) and item:
        return ", ".join(labels.get(part.strip(), part.strip()) for part in item.split(","))
    return item


def long_date(day: Any) -> str:
    """A date written the Indonesian way: `2 Maret 2026`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


RANK_NAMES = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tingkat I",
    "I/c": "Juru",
    "I/d": "Juru Tingkat I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tingkat I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tingkat I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tingkat I",
    "III/c": "Penata",
    "III/d": "Penata Tingkat I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tingkat I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
"""Pangkat of each golongan/ruang (PP 99/2000)."""


def rank(code: str | None) -> str:
    """`III/a` as `Penata Muda, III/a` (pangkat, golongan/ruang)."""
    if not code:
        return "-"
    name = RANK_NAMES.get(code)
    return f"{name}, {code}" if name else code
