"""Parsing one roster row into checked values, or the list of what is wrong with it (column, reason).

The checks are the domain's own (NIP, rank, position type, competency levels, names), plus the
agreements a SIMPEG row must keep with itself: sex and birth date as in the NIP, the rank within the
position's range, the placement not before the civil-service start, complete SKP, assessment and
sanction groups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from application.roster.columns import (
    ASSESSMENT_COLUMNS,
    EMPLOYEE_COLUMNS,
    EXPECTATION_LABELS,
    POSITION_COLUMNS,
    POTENTIAL_LABELS,
    SANCTION_COLUMNS,
    SANCTION_LABELS,
    SEX_LABELS,
)
from domain.competency import validate_levels
from domain.errors import DomainError
from domain.nip import Nip
from domain.position import Position
from domain.values import require_text
from domain.vocabulary import Expectation, PositionType, Potential, Rank, SanctionLevel

EXPECTATIONS = {label.casefold(): value for value, label in EXPECTATION_LABELS.items()}
POTENTIALS = {label.casefold(): value for value, label in POTENTIAL_LABELS.items()}
SANCTIONS = {label.casefold(): value for value, label in SANCTION_LABELS.items()}
SEXES = {label: sex for sex, label in SEX_LABELS.items()}
ORDER = {rank: index for index, rank in enumerate(Rank)}
POSITION_MEMORY = 8_192  # rows of one position follow one another in an export
_POSITIONS: dict[tuple[Any, ...], PositionRow] = {}  # position cells -> the parsed (valid) position


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong with one cell of a row."""

    column: str
    value: str
    reason: str


@dataclass(frozen=True, slots=True)
class PositionRow:
    """The position a row names, as `Position.establish` takes it."""

    agency: str
    unit: str
    title: str
    position_type: PositionType
    rank_min: Rank
    rank_max: Rank
    formasi: int
    standard: dict[str, int]
    _id: UUID = field(init=False, repr=False, compare=False)
    _signature: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_id", Position.create_id(self.agency, self.unit, self.title))
        object.__setattr__(self, "_signature", json.dumps(self.signature()))

    @property
    def id(self) -> UUID:
        """The position's deterministic id (agency, unit, title)."""
        return self._id

    @property
    def signature_json(self) -> str:
        """`signature()` as JSON text, as the first pass stores it."""
        return self._signature

    def signature(self) -> dict[str, str]:
        """The attributes every row of this position must repeat identically, by column."""
        return {
            "JENIS_JABATAN": self.position_type.value,
            "GOL_MIN": self.rank_min.value,
            "GOL_MAX": self.rank_max.value,
            "FORMASI": str(self.formasi),
            "STANDAR_KOMPETENSI": ";".join(f"{k}:{v}" for k, v in self.standard.items()),
        }


@dataclass(frozen=True, slots=True)
class EmployeeRow:
    """A civil servant and their history, as the Employee commands take them."""

    nip: str
    name: str
    rank: Rank
    placed_on: date
    decree_number: str
    ratings: tuple[tuple[int, Expectation, Expectation], ...]
    assessment: tuple[dict[str, int], Potential, str, str, date] | None
    sanction: tuple[SanctionLevel, date, date, str] | None


@dataclass(frozen=True, slots=True)
class RosterRow:
    """A valid row: a position, and the employee holding it (None for a vacant position's row)."""

    position: PositionRow
    employee: EmployeeRow | None


class _Cells:
    """Reads typed values from a row's cells, collecting every error instead of stopping at one."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        self.errors: list[RowError] = []

    def raw(self, column: str) -> Any:
        return self.values.get(column)

    def blank(self, column: str) -> bool:
        return self.values.get(column) in (None, "")

    def fail(self, column: str, reason: str) -> None:
        value = self.raw(column)
        self.errors.append(RowError(column, "" if value is None else str(value), reason))

    def get(self, column: str, parse: Any, what: str) -> Any:
        value = self.values.get(column)
        if value is None or value == "":
            self.fail(column, f"{what} is required")
            return None
        try:
            return parse(value)
        except (DomainError, ValueError, TypeError) as error:
            self.fail(column, str(error) or f"not a valid {what}")
            return None


def _text(value: Any) -> str:
    return require_text(str(value), "text")


def _int(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not (isinstance(value, int) or str(value).isdigit()):
        raise ValueError(f"not a whole number: {value!r}")
    return int(value)


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    if len(text) == 10 and text[4] == "-":
        return date.fromisoformat(text)
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date (YYYY-MM-DD or DD-MM-YYYY): {text!r}")


def _nip(value: Any) -> Nip:
    if isinstance(value, float):
        raise ValueError("the NIP was stored as a number and lost digits; format the column as text")
    return Nip.parse(str(value))


def _lookup(table: dict[str, Any], what: str) -> Any:
    def parse(value: Any) -> Any:
        try:
            return table[" ".join(str(value).split()).casefold()]
        except KeyError:
            raise ValueError(f"{what} must be one of: {', '.join(table)}") from None

    return parse


_SEX = _lookup(SEXES | {"l": 1, "p": 2}, "sex")
_SKP_RESULTS = _lookup(EXPECTATIONS, "SKP results")
_SKP_BEHAVIOUR = _lookup(EXPECTATIONS, "SKP behaviour")
_POTENTIAL = _lookup(POTENTIALS, "potential")
_SANCTION = _lookup(SANCTIONS, "sanction level")


def _position_type(value: Any) -> PositionType:
    return PositionType("_".join(str(value).casefold().split()))


@lru_cache(maxsize=65_536)
def _levels(value: Any) -> dict[str, int]:
    """Parsed levels; cached, since rows repeat their position's standard (callers never mutate)."""
    levels: dict[str, Any] = {}
    for part in str(value).split(";"):
        name, _, level = part.strip().partition(":")
        if not level.strip().isdigit():
            raise ValueError(f"{part.strip()!r} is not name:level")
        levels[name.strip()] = int(level)
    return validate_levels(levels, "competencies")


def parse_row(values: dict[str, Any]) -> RosterRow | list[RowError]:
    """The checked row, or every error found in it."""
    cells = _Cells(values)
    position = _position(cells)
    employee = None
    if not cells.blank("NIP"):
        employee = _employee(cells, position)
    else:
        for column in EMPLOYEE_COLUMNS[1:] + ASSESSMENT_COLUMNS + SANCTION_COLUMNS:
            if not cells.blank(column):
                cells.fail(column, "employee data in a row without NIP (a vacant position's row)")
                break
    if cells.errors or position is None:
        return cells.errors
    return RosterRow(position, employee)


def _position(cells: _Cells) -> PositionRow | None:
    """The row's position; rows of one position repeat its cells, so a valid parse is remembered."""
    key = tuple(cells.values.get(column) for column in POSITION_COLUMNS)
    known = _POSITIONS.get(key)
    if known is None:
        known = _parse_position(cells)
        if known is not None and not cells.errors:
            if len(_POSITIONS) >= POSITION_MEMORY:
                _POSITIONS.clear()
            _POSITIONS[key] = known
    return known


def _parse_position(cells: _Cells) -> PositionRow | None:
    agency = cells.get("INSTANSI", _text, "agency")
    unit = cells.get("UNIT_KERJA", _text, "unit")
    title = cells.get("JABATAN", _text, "position title")
    kind = cells.get("JENIS_JABATAN", _position_type, "position type")
    rank_min = cells.get("GOL_MIN", Rank, "lowest rank")
    rank_max = cells.get("GOL_MAX", Rank, "highest rank")
    formasi = cells.get("FORMASI", _int, "formasi")
    standard = cells.get("STANDAR_KOMPETENSI", _levels, "competency standard")
    if rank_min and rank_max and ORDER[rank_min] > ORDER[rank_max]:
        cells.fail("GOL_MAX", f"rank range {rank_min.value}-{rank_max.value} is reversed")
    if formasi is not None and formasi > 100_000:
        cells.fail("FORMASI", "formasi must lie in 0-100000")
    if None in (agency, unit, title, kind, rank_min, rank_max, formasi, standard):
        return None
    return PositionRow(agency, unit, title, kind, rank_min, rank_max, formasi, standard)


def _employee(cells: _Cells, position: PositionRow | None) -> EmployeeRow | None:
    nip = cells.get("NIP", _nip, "NIP")
    name = cells.get("NAMA", _text, "name")
    sex = cells.get("JENIS_KELAMIN", _SEX, "sex")
    birth = cells.get("TGL_LAHIR", _date, "birth date")
    rank = cells.get("GOL_RUANG", Rank, "rank")
    placed_on = cells.get("TMT_JABATAN", _date, "placement date")
    decree = cells.get("NOMOR_SK_JABATAN", _text, "placement decree number")
    if nip and sex and sex != nip.sex:
        cells.fail("JENIS_KELAMIN", f"the NIP's sex digit says {SEX_LABELS[nip.sex]}")
    if nip and birth and birth != nip.birth_date:
        cells.fail("TGL_LAHIR", f"the NIP says born {nip.birth_date.isoformat()}")
    if rank and position and not ORDER[position.rank_min] <= ORDER[rank] <= ORDER[position.rank_max]:
        cells.fail(
            "GOL_RUANG",
            f"rank {rank.value} is outside the position's range {position.rank_min.value}-{position.rank_max.value}",
        )
    if nip and placed_on and (placed_on.year, placed_on.month) < (nip.start_year, nip.start_month):
        cells.fail("TMT_JABATAN", f"placed before the civil-service start {nip.start_year}-{nip.start_month:02d}")
    ratings = _ratings(cells)
    assessment = _assessment(cells)
    sanction = _sanction(cells)
    if None in (nip, name, rank, placed_on, decree) or cells.errors:
        return None
    return EmployeeRow(nip.value, name, rank, placed_on, decree, ratings, assessment, sanction)


def _group(cells: _Cells, columns: tuple[str, ...], what: str) -> bool:
    """True when the group is filled; an error when only part of it is."""
    filled = [not cells.blank(c) for c in columns]
    if any(filled) and not all(filled):
        cells.fail(columns[filled.index(False)], f"{what}: fill all of {', '.join(columns)} or none")
        return False
    return all(filled)


def _ratings(cells: _Cells) -> tuple[tuple[int, Expectation, Expectation], ...]:
    ratings: list[tuple[int, Expectation, Expectation]] = []
    for n in (1, 2):
        columns = (f"SKP_TAHUN_{n}", f"SKP_HASIL_KERJA_{n}", f"SKP_PERILAKU_{n}")
        if not _group(cells, columns, f"SKP {n}"):
            continue
        year = cells.get(columns[0], _int, "SKP year")
        if year is not None and not 1970 <= year <= 2200:
            cells.fail(columns[0], "SKP year must lie in 1970-2200")
        results = cells.get(columns[1], _SKP_RESULTS, "SKP results")
        behaviour = cells.get(columns[2], _SKP_BEHAVIOUR, "SKP behaviour")
        if any(year == r[0] for r in ratings):
            cells.fail(columns[0], f"SKP year {year} is given twice")
        ratings.append((year, results, behaviour))
    return tuple(ratings)


def _assessment(cells: _Cells) -> tuple[dict[str, int], Potential, str, str, date] | None:
    if not _group(cells, ASSESSMENT_COLUMNS, "assessment"):
        return None
    assessed_on = cells.get("TGL_ASESMEN", _date, "assessment date")
    potential = cells.get("POTENSI", _POTENTIAL, "potential")
    scores = cells.get("NILAI_KOMPETENSI", _levels, "competency scores")
    assessor = cells.get("ASESOR", _text, "assessor")
    method = cells.get("METODE_ASESMEN", _text, "assessment method")
    return scores, potential, assessor, method, assessed_on


def _sanction(cells: _Cells) -> tuple[SanctionLevel, date, date, str] | None:
    if not _group(cells, SANCTION_COLUMNS, "sanction"):
        return None
    level = cells.get("HUKDIS_TINGKAT", _SANCTION, "sanction level")
    imposed = cells.get("HUKDIS_TMT", _date, "sanction start")
    ends = cells.get("HUKDIS_SELESAI", _date, "sanction end")
    reference = cells.get("HUKDIS_NOMOR_SK", _text, "sanction decree number")
    if imposed and ends and ends < imposed:
        cells.fail("HUKDIS_SELESAI", "a sanction cannot end before it is imposed")
    return level, imposed, ends, reference
