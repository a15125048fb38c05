"""`mutasi import` refuses a hostile file cleanly: exit 2, one line naming the file (and sheet, line,
column), nothing imported, in bounded time and memory. The limits are settings; tests that would need
huge files under the defaults set small limits instead."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path
from time import perf_counter

import pytest

from api.cli.main import main
from application.bootstrap import initialise_store, open_application
from application.roster.columns import COLUMNS
from application.roster.files import ReadOptions, read_roster
from application.settings import Settings
from tests.roster.support import error_lines, holders, roster_rows, write

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """An initialised SQLite store that `mutasi` (settings from the environment) imports into."""
    settings = Settings(_env_file=None, store="sqlite", sqlite_path=tmp_path / "events.sqlite3")
    initialise_store(settings)
    monkeypatch.setenv("MUTASI_STORE", "sqlite")
    monkeypatch.setenv("MUTASI_SQLITE_PATH", str(settings.sqlite_path))
    return settings


def stored_events(settings: Settings) -> int:
    app = open_application(settings)
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def run_import(path: Path, monkeypatch, *options: str, **limits: int) -> tuple[int, float, int]:
    """`mutasi import PATH` with `import_*` limits; exit status, seconds and peak traced memory."""
    for name, value in limits.items():
        monkeypatch.setenv(f"MUTASI_IMPORT_{name.upper()}", str(value))
    tracemalloc.start()
    started = perf_counter()
    try:
        status = main(["import", str(path), "--no-progress", *options])
    finally:
        seconds = perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return status, seconds, peak


def refused(path: Path, store: Settings, monkeypatch, capsys, *options: str, **limits: int) -> str:
    """The one line a refused import printed (after checking exit 2, time, memory, nothing stored)."""
    status, seconds, peak = run_import(path, monkeypatch, *options, **limits)
    err = capsys.readouterr().err
    assert status == 2, err
    [line] = err.splitlines()
    assert line.startswith(f"mutasi: {path.name}"), line
    assert seconds < 15 and peak < 64 << 20, (seconds, peak)
    assert stored_events(store) == 0
    return line


def rebuilt(source: Path, target: Path, replace: dict[str, bytes]) -> Path:
    """`source` (an XLSX) with parts replaced or added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for part in old.infolist():
            new.writestr(part.filename, replace.pop(part.filename, None) or old.read(part))
        for name, content in replace.items():
            new.writestr(name, content)
    return target


def sheet_xml(rows: str, dimension: str | None = None) -> bytes:
    header = "".join(f'<c r="{_column(i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(COLUMNS))
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + (f'<dimension ref="{dimension}"/>' if dimension else "")
        + f'<sheetData><row r="1">{header}</row>{rows}</sheetData></worksheet>'
    ).encode()


def line_of(rows: list, row: dict) -> int:
    """The file line of `row` (after the header)."""
    return next(n for n, candidate in enumerate(rows, start=2) if candidate is row)


def _column(index: int) -> str:
    return ("" if index < 26 else chr(64 + index // 26)) + chr(65 + index % 26)


def test_a_ten_megabyte_field_is_refused(tmp_path, store, monkeypatch, capsys) -> None:
    rows = roster_rows(employees=3)
    holders(rows)[1]["NAMA"] = "A" * 10_000_000
    path = write(rows, tmp_path / "big.csv")
    line = refused(path, store, monkeypatch, capsys)
    assert f"big.csv line {line_of(rows, holders(rows)[1])}: " in line and "import_max_field_bytes" in line


def test_a_field_over_the_limit_is_refused_with_its_line_and_column(tmp_path, store, monkeypatch, capsys) -> None:
    rows = roster_rows(employees=3)
    holders(rows)[1]["NAMA"] = "é" * 600  # 1,200 bytes, 600 characters
    line = line_of(rows, holders(rows)[1])
    csv_line = refused(write(rows, tmp_path / "wide.csv"), store, monkeypatch, capsys, max_field_bytes=1000)
    assert f"wide.csv line {line} column NAMA: a cell of 1,200 bytes, over the limit of 1,000" in csv_line
    xlsx_line = refused(write(rows, tmp_path / "wide.xlsx"), store, monkeypatch, capsys, max_field_bytes=1000)
    assert f"wide.xlsx sheet Pegawai line {line} column NAMA: a cell of 1,200 bytes" in xlsx_line


def test_a_text_file_named_xlsx_is_refused(tmp_path, store, monkeypatch, capsys) -> None:
    path = tmp_path / "roster.xlsx"
    path.write_text("INSTANSI,UNIT_KERJA\nthis is no workbook\n")
    assert "not an XLSX workbook" in refused(path, store, monkeypatch, capsys)


def test_an_xlsx_workbook_named_csv_is_refused(tmp_path, store, monkeypatch, capsys) -> None:
    path = write(roster_rows(employees=2), tmp_path / "roster.xlsx").rename(tmp_path / "roster.csv")
    assert "name it .xlsx" in refused(path, store, monkeypatch, capsys)


def test_shared_strings_that_inflate_beyond_the_limit_are_refused_before_parsing(
    tmp_path, store, monkeypatch, capsys
) -> None:
    roster = write(roster_rows(employees=2), tmp_path / "plain.xlsx")
    bomb = b"<sst><si><t>" + b"A" * 50_000_000 + b"</t></si></sst>"
    path = rebuilt(roster, tmp_path / "bomb.xlsx", {"xl/sharedStrings.xml": bomb})
    assert path.stat().st_size < 200_000
    line = refused(path, store, monkeypatch, capsys, max_xlsx_part_bytes=1_000_000)
    assert "part xl/sharedStrings.xml inflates to 50,000,027 bytes" in line
    assert "import_max_xlsx_part_bytes" in line
    total = refused(path, store, monkeypatch, capsys, max_xlsx_uncompressed_bytes=10_000_000)
    assert "import_max_xlsx_uncompressed_bytes" in total


def test_a_sheet_may_inflate_more_than_other_parts_but_not_beyond_its_own_limit(
    tmp_path, store, monkeypatch, capsys
) -> None:
    path = write(roster_rows(employees=2), tmp_path / "roster.xlsx")
    sheet_size = zipfile.ZipFile(path).getinfo(SHEET).file_size
    line = refused(path, store, monkeypatch, capsys, max_xlsx_sheet_bytes=sheet_size - 1)
    assert f"part {SHEET} inflates to" in line and "import_max_xlsx_sheet_bytes" in line
    status, _, _ = run_import(
        path,
        monkeypatch,
        max_xlsx_sheet_bytes=sheet_size,  # sheets are streamed
        max_xlsx_part_bytes=sheet_size - 1,
    )
    assert status == 0


def test_a_part_that_lies_about_its_size_is_refused(tmp_path, store, monkeypatch, capsys) -> None:
    roster = write(roster_rows(employees=2), tmp_path / "plain.xlsx")
    content = bytearray(roster.read_bytes())
    declared = zipfile.ZipFile(roster).getinfo(SHEET).file_size
    true_size = declared.to_bytes(4, "little")
    assert content.count(true_size) >= 2
    content[:] = content.replace(true_size, (200).to_bytes(4, "little"))  # local header and directory
    path = tmp_path / "liar.xlsx"
    path.write_bytes(bytes(content))
    assert zipfile.ZipFile(path).getinfo(SHEET).file_size == 200
    assert "not a readable XLSX workbook" in refused(path, store, monkeypatch, capsys)


def test_millions_of_empty_rows_are_refused_from_the_dimension_or_by_counting(
    tmp_path, store, monkeypatch, capsys
) -> None:
    roster = write(roster_rows(employees=2), tmp_path / "plain.xlsx")
    last = '<row r="3000000"><c r="A3000000" t="inlineStr"><is><t>x</t></is></c></row>'
    declared = rebuilt(roster, tmp_path / "declared.xlsx", {SHEET: sheet_xml(last, "A1:AK3000000")})
    line = refused(declared, store, monkeypatch, capsys, max_rows=1000)
    assert "declared.xlsx sheet Pegawai: declares 3,000,000 rows" in line and "import_max_rows" in line
    hidden = rebuilt(roster, tmp_path / "hidden.xlsx", {SHEET: sheet_xml(last, "A1:AK2")})  # a lying dimension
    line = refused(hidden, store, monkeypatch, capsys, max_rows=1000)
    assert "hidden.xlsx sheet Pegawai line 1002: more than 1,000 rows" in line
    started = perf_counter()  # under the default limit, the missing rows cost no parsing and no error line
    assert [row.line for row in read_roster(hidden)] == [3_000_000]
    assert perf_counter() - started < 15


def test_a_latin1_csv_is_refused_with_its_line_and_read_when_declared(tmp_path, store, monkeypatch, capsys) -> None:
    rows = roster_rows(employees=4)
    holders(rows)[2]["NAMA"] = "José Ramírez"
    utf8 = write(rows, tmp_path / "utf8.csv")
    line_of_jose = next(n for n, text in enumerate(utf8.read_text().splitlines(), 1) if "José" in text)
    path = tmp_path / "latin1.csv"
    path.write_bytes(utf8.read_text(encoding="utf-8").encode("latin-1"))
    line = refused(path, store, monkeypatch, capsys)
    assert line.startswith(f"mutasi: latin1.csv line {line_of_jose}: not UTF-8 (byte 0xe9")
    assert "--encoding latin-1" in line

    assert run_import(path, monkeypatch, "--encoding", "latin-1")[0] == 0
    app = open_application(store)
    try:
        assert app.find_employee_by_nip(holders(rows)[2]["NIP"]).name == "José Ramírez"
    finally:
        app.close()


def test_utf8_with_a_byte_order_mark_is_read(tmp_path, store, monkeypatch, capsys) -> None:
    path = write(roster_rows(employees=3), tmp_path / "bom.csv")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert run_import(path, monkeypatch)[0] == 0
    assert "imported 3 employees" in capsys.readouterr().out


def test_an_unknown_or_unreadable_encoding_is_refused(tmp_path, store, monkeypatch, capsys) -> None:
    path = write(roster_rows(employees=1), tmp_path / "r.csv")
    for encoding, reason in (("klingon", "unknown encoding"), ("utf-16", "not ASCII-compatible")):
        assert run_import(path, monkeypatch, "--encoding", encoding)[0] == 2
        [line] = capsys.readouterr().err.splitlines()
        assert f"--encoding {encoding}: " in line and reason in line
    with pytest.raises(ValueError):
        ReadOptions.from_settings(encoding="klingon")


def test_a_csv_over_the_row_limit_is_refused(tmp_path, store, monkeypatch, capsys) -> None:
    rows = roster_rows(employees=10)
    path = write(rows, tmp_path / "long.csv")
    line = refused(path, store, monkeypatch, capsys, max_rows=len(rows) - 1)
    assert f"long.csv line {len(rows) + 1}: more than {len(rows) - 1} rows (setting import_max_rows)" in line
    assert run_import(path, monkeypatch, max_rows=len(rows))[0] == 0


def test_the_error_file_lists_the_first_problems_then_counts_the_rest(tmp_path, store, monkeypatch, capsys) -> None:
    rows = roster_rows(employees=8)
    for row in holders(rows)[:5]:
        row["NIP"] = "123"
    path = write(rows, tmp_path / "bad.csv")
    assert run_import(path, monkeypatch, max_error_rows=2)[0] == 1
    assert "5 bad (5 problems" in capsys.readouterr().out
    lines = error_lines(Path(f"{path}.errors.csv"))
    assert [e["column"] for e in lines[:2]] == ["NIP", "NIP"]
    assert lines[2]["reason"] == "3 more problems not listed (setting import_max_error_rows = 2)"
    assert len(lines) == 3


def test_a_csv_line_that_is_not_csv_names_its_line(tmp_path, store, monkeypatch, capsys) -> None:
    path = write(roster_rows(employees=2), tmp_path / "nul.csv")
    path.write_bytes(path.read_bytes() + b"a,b\rc\n")  # a lone carriage return ends no CSV line
    assert "nul.csv line " in refused(path, store, monkeypatch, capsys)


def test_entity_expansion_in_a_part_is_refused(tmp_path, store, monkeypatch, capsys) -> None:
    roster = write(roster_rows(employees=2), tmp_path / "plain.xlsx")
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10 if i else "lol" * 10}">' for i in range(10))
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&e9;</t></si></sst>'
    )
    types = (
        zipfile.ZipFile(roster)
        .read("[Content_Types].xml")
        .replace(
            b"</Types>",
            (
                b'<Override PartName="/xl/sharedStrings.xml" '
                b'ContentType="application/vnd.openxmlformats-officedocument.'
                b'spreadsheetml.sharedStrings+xml"/></Types>'
            ),
        )
    )
    path = rebuilt(
        roster, tmp_path / "laughs.xlsx", {"xl/sharedStrings.xml": strings.encode(), "[Content_Types].xml": types}
    )
    assert "not a readable XLSX workbook" in refused(path, store, monkeypatch, capsys)
