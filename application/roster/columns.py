"""The roster file's columns (the shape of a SIMPEG export) and its Indonesian value vocabulary.

One row per civil servant, SIMPEG style, with the position (jabatan) they hold repeated on each row;
a row with an empty NIP only declares a position (a vacant jabatan). Competencies are written as
`name:level;name:level`. Dates are ISO (`YYYY-MM-DD`) in CSV and date cells in XLSX.
"""

from __future__ import annotations

from domain.vocabulary import Expectation, PositionType, Potential, SanctionLevel

POSITION_COLUMNS = (
    "INSTANSI",  # agency
    "UNIT_KERJA",  # unit
    "JABATAN",  # position title
    "JENIS_JABATAN",  # position type, e.g. "Pelaksana", "Fungsional Ahli Muda", "JPT Pratama"
    "GOL_MIN",  # lowest rank the position admits, e.g. "III/a"
    "GOL_MAX",  # highest rank
    "FORMASI",  # seats from the workload analysis (ABK)
    "STANDAR_KOMPETENSI",  # required levels, "integritas:3;kerjasama:3;keuangan_daerah:4"
)
EMPLOYEE_COLUMNS = (
    "NIP",
    "NAMA",
    "JENIS_KELAMIN",  # L / P, must agree with the NIP's sex digit
    "TGL_LAHIR",  # must agree with the NIP's birth date
    "GOL_RUANG",  # current rank, within GOL_MIN..GOL_MAX
    "TMT_JABATAN",  # placed in the position since (not before the NIP's start month)
    "NOMOR_SK_JABATAN",  # decree of that placement
)
SKP_COLUMNS = tuple(f"{name}_{n}" for n in (1, 2) for name in ("SKP_TAHUN", "SKP_HASIL_KERJA", "SKP_PERILAKU"))
ASSESSMENT_COLUMNS = ("TGL_ASESMEN", "POTENSI", "NILAI_KOMPETENSI", "ASESOR", "METODE_ASESMEN")
SANCTION_COLUMNS = ("HUKDIS_TINGKAT", "HUKDIS_TMT", "HUKDIS_SELESAI", "HUKDIS_NOMOR_SK")
COLUMNS = POSITION_COLUMNS + EMPLOYEE_COLUMNS + SKP_COLUMNS + ASSESSMENT_COLUMNS + SANCTION_COLUMNS

EXPECTATION_LABELS = {
    Expectation.ABOVE: "Di Atas Ekspektasi",
    Expectation.AS_EXPECTED: "Sesuai Ekspektasi",
    Expectation.BELOW: "Di Bawah Ekspektasi",
}
POTENTIAL_LABELS = {Potential.HIGH: "Tinggi", Potential.MEDIUM: "Sedang", Potential.LOW: "Rendah"}
SANCTION_LABELS = {
    SanctionLevel.LIGHT: "Ringan",
    SanctionLevel.MODERATE: "Sedang",
    SanctionLevel.SEVERE: "Berat",
}
SEX_LABELS = {1: "L", 2: "P"}


def position_type_label(kind: PositionType) -> str:
    """`jpt_pratama` -> "JPT Pratama", `fungsional_ahli_muda` -> "Fungsional Ahli Muda"."""
    words = kind.value.split("_")
    return " ".join(["JPT", *(w.title() for w in words[1:])] if words[0] == "jpt" else [w.title() for w in words])


def competency_text(levels: dict[str, int]) -> str:
    """`{"integritas": 3}` -> "integritas:3" (sorted, `;`-separated)."""
    return ";".join(f"{name}:{level}" for name, level in sorted(levels.items()))
