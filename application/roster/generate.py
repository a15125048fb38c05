"""A deterministic register generator: agencies, units, positions and employees, as SIMPEG rows.

The same size, seed and reference date give the same rows, byte for byte. Rows are produced one at a
time (a generator), so even the national size (about 4.3 million employees) is never held in memory.
The vocabulary (units, their technical competency, position templates) is the demo sample's, but never
its agency (`application.sample.AGENCY`): `mutasi demo` and then an import of a generated register land
in different agencies, so their positions never collide.

Plausibility: each employee's rank lies in their position's range; the rank follows from the years
of service since the civil-service start in the NIP (entry at II/a or III/a, a promotion every four
years); the start lies between the 19th and 28th birthday; the placement date lies after the start;
no position has more holders than its formasi. NIPs are unique by construction: the employee's number
k decides the NIP's 3-digit sequence (k mod 1000) and, from k div 1000, the birth day of the year, the
sex digit and the start month (a bijection, spread by k mod 1000), so no two employees of one run
share a NIP, up to 8.76 million employees.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from application.roster.columns import (
    EXPECTATION_LABELS,
    POTENTIAL_LABELS,
    SANCTION_LABELS,
    SEX_LABELS,
    competency_text,
    position_type_label,
)
from application.sample import AGENCY, POSITIONS, UNITS
from domain.competency import MANAGERIAL, SOCIO_CULTURAL
from domain.vocabulary import Expectation, Potential, Rank, SanctionLevel

SIZES = {"city": 3_000, "province": 50_000, "national": 4_300_000}
REFERENCE_DATE = date(2026, 1, 1)
PROVINCE = "Sumatera Barat"
CITY = "Pemerintah Kota Padang"
REGIONS = (
    "Kota Padang",
    "Kota Bukittinggi",
    "Kota Padang Panjang",
    "Kota Pariaman",
    "Kota Payakumbuh",
    "Kota Sawahlunto",
    "Kota Solok",
    "Kabupaten Agam",
    "Kabupaten Dharmasraya",
    "Kabupaten Kepulauan Mentawai",
    "Kabupaten Lima Puluh Kota",
    "Kabupaten Padang Pariaman",
    "Kabupaten Pasaman",
    "Kabupaten Pasaman Barat",
    "Kabupaten Pesisir Selatan",
    "Kabupaten Sijunjung",
    "Kabupaten Solok",
    "Kabupaten Solok Selatan",
    "Kabupaten Tanah Datar",
)
PROVINCES = (
    "Aceh",
    "Sumatera Utara",
    "Sumatera Barat",
    "Riau",
    "Jambi",
    "Sumatera Selatan",
    "Bengkulu",
    "Lampung",
    "Kepulauan Bangka Belitung",
    "Kepulauan Riau",
    "DKI Jakarta",
    "Jawa Barat",
    "Jawa Tengah",
    "DI Yogyakarta",
    "Jawa Timur",
    "Banten",
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Barat",
    "Kalimantan Tengah",
    "Kalimantan Selatan",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Sulawesi Utara",
    "Sulawesi Tengah",
    "Sulawesi Selatan",
    "Sulawesi Tenggara",
    "Gorontalo",
    "Sulawesi Barat",
    "Maluku",
    "Maluku Utara",
    "Papua",
    "Papua Barat",
    "Papua Selatan",
    "Papua Tengah",
    "Papua Pegunungan",
    "Papua Barat Daya",
)
MALE = (
    "Ahmad",
    "Budi",
    "Eko",
    "Hendra",
    "Joko",
    "Muhammad",
    "Rahmat",
    "Taufik",
    "Wahyu",
    "Yusuf",
    "Andi",
    "Fajar",
    "Rizki",
    "Agus",
    "Dedi",
    "Irfan",
)
FEMALE = (
    "Citra",
    "Dewi",
    "Fitri",
    "Gita",
    "Indah",
    "Kartika",
    "Lestari",
    "Nur",
    "Putri",
    "Sari",
    "Yulia",
    "Ratna",
    "Siti",
    "Wulan",
    "Maya",
    "Rina",
)
FAMILY = (
    "Saputra",
    "Siregar",
    "Nasution",
    "Harahap",
    "Lubis",
    "Pratama",
    "Wijaya",
    "Hidayat",
    "Kusuma",
    "Rahman",
    "Tanjung",
    "Simanjuntak",
    "Gunawan",
    "Setiawan",
    "Chaniago",
    "Piliang",
    "Koto",
    "Sikumbang",
    "Hasibuan",
    "Sinaga",
)
SUB_UNIT_TEMPLATES = POSITIONS[2:]  # a UPTD has no JPT head nor secretary of its own
EXPECTATION_WEIGHTS = (1, 7, 2)  # below, as expected, above
NIP_SPREAD = 365 * 2 * 12  # birth day of year x sex x start month: unique NIPs up to 8.76 million


@dataclass(frozen=True)
class PositionPlan:
    """A position of the generated register."""

    agency: str
    unit: str
    title: str
    kind: Any
    rank_min: Rank
    rank_max: Rank
    formasi: int
    standard: dict[str, int]
    technical: str

    def row(self) -> dict[str, Any]:
        """The position columns of a roster row."""
        return {
            "INSTANSI": self.agency,
            "UNIT_KERJA": self.unit,
            "JABATAN": self.title,
            "JENIS_JABATAN": position_type_label(self.kind),
            "GOL_MIN": self.rank_min.value,
            "GOL_MAX": self.rank_max.value,
            "FORMASI": self.formasi,
            "STANDAR_KOMPETENSI": competency_text(self.standard),
        }


def agencies(size: str) -> list[str]:
    """The agencies (instansi) of a register size."""
    if size == "city":
        return [CITY]
    if size == "province":
        regions = (f"Pemerintah {region}" for region in REGIONS)
        return [f"Pemerintah Provinsi {PROVINCE}", *(name for name in regions if name != AGENCY)]
    return [
        name
        for province in PROVINCES
        for name in (
            f"Pemerintah Provinsi {province}",
            *(f"Pemerintah Daerah {province} {n:02d}" for n in range(1, 14)),
        )
    ]


def _positions(agency: str, sub_units: int) -> Iterator[PositionPlan]:
    for unit, technical in UNITS.items():
        for index in range(sub_units + 1):
            name = unit if index == 0 else f"UPTD {unit} {index:02d}"
            for title, kind, (low, high), formasi, managerial, level in POSITIONS if index == 0 else SUB_UNIT_TEMPLATES:
                standard = {c: managerial for c in MANAGERIAL + SOCIO_CULTURAL} | {technical: level}
                yield PositionPlan(agency, name, title.format(unit=name), kind, low, high, formasi, standard, technical)


def _seats(sub_units: int) -> int:
    head = sum(p[3] for p in POSITIONS)
    return len(UNITS) * (head + sub_units * sum(p[3] for p in SUB_UNIT_TEMPLATES))


class RegisterGenerator:
    """Yields roster rows (dicts keyed by column) for a size and seed, one at a time."""

    def __init__(
        self,
        size: str = "city",
        seed: int = 1,
        as_of: date = REFERENCE_DATE,
        employees: int | None = None,
        skp_years: tuple[int, int] | None = None,
    ) -> None:
        if (SIZES[size] if employees is None and size in SIZES else employees or 0) > 1000 * NIP_SPREAD:
            raise ValueError("at most 8.76 million employees can get unique NIPs")
        if size not in SIZES:
            raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
        self.size, self.seed, self.as_of = size, seed, as_of
        self.employees = SIZES[size] if employees is None else employees
        self.skp_years = skp_years or (as_of.year - 2, as_of.year - 1)
        """The two SKP years each row carries (default: the two years before `as_of`)."""
        self._k = 0

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row of the register: per position its holders, or one row declaring it vacant
        (the same rows on every call)."""
        self._k = 0
        names = agencies(self.size)
        for index, agency in enumerate(names):
            quota = self.employees // len(names) + (1 if index < self.employees % len(names) else 0)
            yield from self._agency(agency, quota, random.Random(f"{self.seed}:{self.size}:{index}"))

    def _agency(self, agency: str, quota: int, rng: random.Random) -> Iterator[dict[str, Any]]:
        per_sub_unit = sum(p[3] for p in SUB_UNIT_TEMPLATES) * len(UNITS)
        sub_units = max(0, -(-(int(quota / 0.85) - _seats(0)) // per_sub_unit))
        seats = _seats(sub_units)
        for plan in _positions(agency, sub_units):
            holders = 0
            for _ in range(plan.formasi):  # selection sampling: exactly `quota` of the seats are filled
                if rng.random() * seats < quota - holders:
                    holders += 1
                seats -= 1
            quota -= holders
            if holders == 0:
                yield plan.row()
            for _ in range(holders):
                yield plan.row() | self._employee(plan, rng)

    @property
    def generated(self) -> int:
        """Employees generated so far."""
        return self._k

    def _employee(self, plan: PositionPlan, rng: random.Random) -> dict[str, Any]:
        k, as_of = self._k, self.as_of
        self._k += 1
        block, sequence = divmod(k, 1000)
        spread = (block * 7919 + sequence * 389) % NIP_SPREAD  # injective in block for one sequence
        day, sex, start_month = spread % 365, (spread // 365) % 2 + 1, spread // 730 + 1
        entry = Rank.III_A if plan.rank_min.order >= Rank.III_A.order else Rank.II_A
        rank = list(Rank)[rng.randint(max(plan.rank_min.order, entry.order), plan.rank_max.order)]
        service = (rank.order - entry.order) * 4 + rng.randint(1, 3)
        start_age = min(rng.randint(22, 28) if entry is Rank.III_A else rng.randint(19, 25), 57 - service)
        start = date(as_of.year - service, start_month, 1)
        birth = date(start.year - start_age, 1, 1) + timedelta(days=day)
        earliest = max(start, as_of - timedelta(days=8 * 365))
        placed_on = earliest + timedelta(days=rng.randrange(max(1, (as_of - earliest).days)))
        nip = f"{birth:%Y%m%d}{start:%Y%m}{sex}{sequence:03d}"
        row: dict[str, Any] = {
            "NIP": nip,
            "NAMA": self._name(rng, sex),
            "JENIS_KELAMIN": SEX_LABELS[sex],
            "TGL_LAHIR": birth,
            "GOL_RUANG": rank.value,
            "TMT_JABATAN": placed_on,
            "NOMOR_SK_JABATAN": f"821.2/{k:07d}/BKPSDM/{placed_on.year}",
        }
        for n, year in enumerate(self.skp_years, start=1):
            if year >= start.year:
                results, behaviour = rng.choices(list(Expectation), EXPECTATION_WEIGHTS, k=2)
                row |= {
                    f"SKP_TAHUN_{n}": year,
                    f"SKP_HASIL_KERJA_{n}": EXPECTATION_LABELS[results],
                    f"SKP_PERILAKU_{n}": EXPECTATION_LABELS[behaviour],
                }
        if rng.random() < 0.8:
            row |= self._assessment(plan, rng, max(start, as_of - timedelta(days=730)))
        if rng.random() < 0.02:
            row |= self._sanction(rng, k, max(start, as_of - timedelta(days=3 * 365)))
        return row

    def _name(self, rng: random.Random, sex: int) -> str:
        return f"{rng.choice(MALE if sex == 1 else FEMALE)} {rng.choice(FAMILY)}"

    def _assessment(self, plan: PositionPlan, rng: random.Random, earliest: date) -> dict[str, Any]:
        scores = {c: max(1, min(5, level + rng.choice((-1, 0, 0, 0, 1)))) for c, level in plan.standard.items()}
        return {
            "TGL_ASESMEN": earliest + timedelta(days=rng.randrange(max(1, (self.as_of - earliest).days))),
            "POTENSI": POTENTIAL_LABELS[rng.choices(list(Potential), (3, 5, 2))[0]],
            "NILAI_KOMPETENSI": competency_text(scores),
            "ASESOR": "UPT Penilaian Kompetensi",
            "METODE_ASESMEN": "assessment centre",
        }

    def _sanction(self, rng: random.Random, k: int, earliest: date) -> dict[str, Any]:
        level = rng.choices(list(SanctionLevel), (6, 3, 1))[0]
        imposed = earliest + timedelta(days=rng.randrange(max(1, (self.as_of - earliest).days)))
        months = {SanctionLevel.LIGHT: 6, SanctionLevel.MODERATE: 12, SanctionLevel.SEVERE: 12}[level]
        return {
            "HUKDIS_TINGKAT": SANCTION_LABELS[level],
            "HUKDIS_TMT": imposed,
            "HUKDIS_SELESAI": imposed + timedelta(days=30 * months),
            "HUKDIS_NOMOR_SK": f"800/{k:07d}/HD/{imposed.year}",
        }
