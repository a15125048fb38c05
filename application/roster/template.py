"""The import template (XLSX): the SIMPEG roster's columns, ready to be filled in and imported.

One worksheet only (the importer reads every worksheet of a workbook as roster rows, so nothing else
may live beside it): the header row of `columns.COLUMNS`, bold and frozen, each title with its
Indonesian instruction as a cell comment and as the input prompt of its column; drop-down lists
(data validation) for ranks (GOL_MIN, GOL_MAX, GOL_RUANG), position types, SKP ratings, potential,
sex and sanction level, in exactly the words the importer reads (`application.roster.columns`);
NIP as text (a number would lose digits), dates as date cells, whole numbers where the importer
wants them. `mutasi template` and `GET /roster/template.xlsx` serve it.
"""

from __future__ import annotations

import io
from typing import Any

from application.roster.columns import (
    COLUMNS,
    EXPECTATION_LABELS,
    POTENTIAL_LABELS,
    SANCTION_LABELS,
    SEX_LABELS,
    position_type_label,
)
from domain.vocabulary import PositionType, Rank

ROWS = 2_000
"""Rows the drop-down lists and formats cover (the header's row excluded)."""

RANKS = [rank.value for rank in Rank]
POSITION_TYPES = [position_type_label(kind) for kind in PositionType]
RATINGS = list(EXPECTATION_LABELS.values())
POTENTIALS = list(POTENTIAL_LABELS.values())
SANCTIONS = list(SANCTION_LABELS.values())
SEXES = list(SEX_LABELS.values())

LISTS: dict[str, list[str]] = {
    "GOL_MIN": RANKS,
    "GOL_MAX": RANKS,
    "GOL_RUANG": RANKS,
    "JENIS_JABATAN": POSITION_TYPES,
    "JENIS_KELAMIN": SEXES,
    "POTENSI": POTENTIALS,
    "HUKDIS_TINGKAT": SANCTIONS,
    **{f"SKP_{part}_{n}": RATINGS for n in (1, 2) for part in ("HASIL_KERJA", "PERILAKU")},
}
"""Columns with a drop-down list, and its values (as the importer reads them)."""

TEXT = frozenset({"NIP", "NOMOR_SK_JABATAN", "HUKDIS_NOMOR_SK", "STANDAR_KOMPETENSI", "NILAI_KOMPETENSI"})
DATES = frozenset({"TGL_LAHIR", "TMT_JABATAN", "TGL_ASESMEN", "HUKDIS_TMT", "HUKDIS_SELESAI"})
WHOLE = frozenset({"FORMASI", "SKP_TAHUN_1", "SKP_TAHUN_2"})

INSTRUCTIONS: dict[str, str] = {
    "INSTANSI": "Nama instansi, mis. Pemerintah Kota Pariaman. Wajib.",
    "UNIT_KERJA": "Unit kerja (OPD), mis. Dinas Pendidikan. Wajib.",
    "JABATAN": "Nama jabatan yang diduduki (atau jabatan kosong bila NIP dikosongkan). Wajib.",
    "JENIS_JABATAN": "Jenis jabatan: pilih dari daftar.",
    "GOL_MIN": "Golongan/ruang terendah untuk jabatan ini: pilih dari daftar (mis. III/a).",
    "GOL_MAX": "Golongan/ruang tertinggi untuk jabatan ini: pilih dari daftar.",
    "FORMASI": "Jumlah formasi jabatan menurut ABK (bilangan bulat 0-100000).",
    "STANDAR_KOMPETENSI": "Standar kompetensi jabatan: nama:level dipisah titik koma, "
    "mis. integritas:3;kerjasama:3;keuangan_daerah:4 (level 1-5).",
    "NIP": "NIP 18 digit, ditulis sebagai teks. Kosongkan untuk mendeklarasikan jabatan kosong saja.",
    "NAMA": "Nama lengkap pegawai (dengan gelar bila ada).",
    "JENIS_KELAMIN": "L atau P: harus sesuai digit jenis kelamin pada NIP.",
    "TGL_LAHIR": "Tanggal lahir (tanggal): harus sesuai 8 digit pertama NIP.",
    "GOL_RUANG": "Golongan/ruang pegawai sekarang: pilih dari daftar; di antara GOL_MIN dan GOL_MAX.",
    "TMT_JABATAN": "TMT (terhitung mulai tanggal) menduduki jabatan ini (tanggal).",
    "NOMOR_SK_JABATAN": "Nomor SK penempatan pada jabatan ini.",
    "SKP_TAHUN_1": "Tahun penilaian SKP pertama (mis. 2024).",
    "SKP_HASIL_KERJA_1": "Rating hasil kerja SKP tahun pertama: pilih dari daftar.",
    "SKP_PERILAKU_1": "Rating perilaku kerja SKP tahun pertama: pilih dari daftar.",
    "SKP_TAHUN_2": "Tahun penilaian SKP kedua (mis. 2025).",
    "SKP_HASIL_KERJA_2": "Rating hasil kerja SKP tahun kedua: pilih dari daftar.",
    "SKP_PERILAKU_2": "Rating perilaku kerja SKP tahun kedua: pilih dari daftar.",
    "TGL_ASESMEN": "Tanggal asesmen kompetensi (tanggal); kosongkan bila belum diases.",
    "POTENSI": "Potensi hasil asesmen: pilih dari daftar.",
    "NILAI_KOMPETENSI": "Nilai kompetensi hasil asesmen: nama:level dipisah titik koma, mis. integritas:4;kerjasama:3.",
    "ASESOR": "Lembaga atau asesor yang menilai, mis. UPT Penilaian Kompetensi.",
    "METODE_ASESMEN": "Metode asesmen, mis. assessment centre.",
    "HUKDIS_TINGKAT": "Tingkat hukuman disiplin terakhir (bila ada): pilih dari daftar.",
    "HUKDIS_TMT": "TMT hukuman disiplin (tanggal).",
    "HUKDIS_SELESAI": "Tanggal berakhirnya hukuman disiplin.",
    "HUKDIS_NOMOR_SK": "Nomor SK hukuman disiplin.",
}
"""Each column's instruction (Indonesian), shown as the header's comment and the column's prompt."""


def template_xlsx() -> bytes:
    """The template workbook (the same bytes' content every time; XLSX carries its save time)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet: Any = book.active
    sheet.title = "roster"
    sheet.append(list(COLUMNS))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(1, index)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="top")
        note = INSTRUCTIONS.get(column, "")
        if note:
            cell.comment = Comment(note, "Mutasi", width=300, height=110)
        sheet.column_dimensions[letter].width = max(
            len(column) + 4, 14 if column in DATES else 0, 22 if column in TEXT else 0
        )
        cells = f"{letter}2:{letter}{ROWS + 1}"
        if column in LISTS:
            values = LISTS[column]
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(values) + '"',
                allow_blank=True,
                showDropDown=False,
                showErrorMessage=True,
                showInputMessage=True,
                errorTitle="Nilai tidak dikenal",
                error=f"Pilih salah satu: {', '.join(values)}",
                promptTitle=column[:32],
                prompt=note[:255],
            )
        elif column in DATES:
            rule = DataValidation(
                type="date",
                operator="between",
                formula1="DATE(1900,1,1)",
                formula2="DATE(2200,12,31)",
                allow_blank=True,
                showErrorMessage=True,
                showInputMessage=True,
                errorTitle="Bukan tanggal",
                error="Tulis tanggal, mis. 2020-01-02",
                promptTitle=column[:32],
                prompt=note[:255],
            )
        elif column in WHOLE:
            rule = DataValidation(
                type="whole",
                operator="between",
                formula1="0",
                formula2="100000",
                allow_blank=True,
                showErrorMessage=True,
                showInputMessage=True,
                errorTitle="Bukan bilangan bulat",
                error=note[:255],
                promptTitle=column[:32],
                prompt=note[:255],
            )
        elif column == "NIP":
            rule = DataValidation(
                type="textLength",
                operator="equal",
                formula1="18",
                allow_blank=True,
                showErrorMessage=True,
                showInputMessage=True,
                errorTitle="NIP 18 digit",
                error="NIP terdiri dari 18 digit, ditulis sebagai teks",
                promptTitle="NIP",
                prompt=note[:255],
            )
        else:
            rule = DataValidation(allow_blank=True, showInputMessage=True, promptTitle=column[:32], prompt=note[:255])
        sheet.add_data_validation(rule)
        rule.add(cells)
        dimension = sheet.column_dimensions[letter]
        if column in TEXT:
            dimension.number_format = "@"  # typed in as text: the NIP keeps its 18 digits
        elif column in DATES:
            dimension.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}1"
    book.properties.title = "Templat impor data pegawai (SIMPEG)"
    book.properties.creator = "Mutasi"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
