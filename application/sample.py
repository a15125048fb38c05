"""A deterministic sample register of a city government, loaded through the use cases.

Used by `mutasi demo` so that a newcomer sees a realistic register: a dozen units, a few hundred
employees with valid NIPs, positions with competency standards, two years of SKP ratings, assessments.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from uuid import UUID

from application.context import Actor
from application.service import MutasiApplication
from domain.competency import MANAGERIAL, SOCIO_CULTURAL
from domain.employee import Employee
from domain.position import Position
from domain.vocabulary import Expectation, PositionType, Potential, Rank

AGENCY = "Pemerintah Kota Pariaman"
UNITS = {
    "Dinas Pendidikan": "manajemen_sekolah",
    "Dinas Kesehatan": "kesehatan_masyarakat",
    "BPKAD": "keuangan_daerah",
    "Bappeda": "perencanaan_pembangunan",
    "Dinas PUPR": "teknik_sipil",
    "Dinas Sosial": "pelayanan_sosial",
    "Dinas Perhubungan": "manajemen_transportasi",
    "Disdukcapil": "administrasi_kependudukan",
    "Satpol PP": "penegakan_perda",
    "Inspektorat": "pengawasan_internal",
    "BKPSDM": "manajemen_asn",
    "Dinas Pariwisata": "pengembangan_pariwisata",
}
# title pattern, type, rank range, formasi, managerial level, technical level
POSITIONS = (
    ("Kepala {unit}", PositionType.JPT_PRATAMA, (Rank.IV_A, Rank.IV_C), 1, 4, 4),
    ("Sekretaris {unit}", PositionType.ADMINISTRATOR, (Rank.III_D, Rank.IV_B), 1, 3, 3),
    ("Kepala Subbagian Umum {unit}", PositionType.PENGAWAS, (Rank.III_B, Rank.III_D), 1, 3, 3),
    ("Analis Kebijakan {unit}", PositionType.FUNGSIONAL_AHLI_MUDA, (Rank.III_C, Rank.IV_A), 4, 3, 4),
    ("Analis {unit}", PositionType.FUNGSIONAL_AHLI_PERTAMA, (Rank.III_A, Rank.III_C), 8, 2, 3),
    ("Pengadministrasi Umum {unit}", PositionType.PELAKSANA, (Rank.II_A, Rank.III_B), 12, 2, 2),
)
OPERATOR = Actor("demo-operator")
ASSESSOR = Actor("demo-assessor")


@dataclass
class SampleRegister:
    """Ids of what the sample loaded, by unit."""

    positions: dict[str, list[UUID]] = field(default_factory=dict)
    employees: list[UUID] = field(default_factory=list)


def _nip(rng: random.Random, seq: int, today: date) -> tuple[str, date, int]:
    age = rng.randint(24, 57)
    birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    start_year = min(birth.year + rng.randint(22, 30), today.year - 1)
    return f"{birth:%Y%m%d}{start_year:04d}{rng.randint(1, 12):02d}{rng.choice((1, 2))}{seq % 1000:03d}", birth, start_year


def _rank_for(low: Rank, high: Rank, service_years: int) -> Rank:
    ranks = list(Rank)[low.order : high.order + 1]
    return ranks[min(len(ranks) - 1, service_years // 6)]


def _standard(unit: str, managerial: int, technical: int) -> dict[str, int]:
    standard = {name: managerial for name in MANAGERIAL + SOCIO_CULTURAL}
    standard[UNITS[unit]] = technical
    return standard


def load_sample(app: MutasiApplication, seed: int = 2026, employees: int = 300) -> SampleRegister:
    """Load the sample register (what is already there is kept); the same seed, the same register."""
    rng, today, loaded, seq = random.Random(seed), app.today(), SampleRegister(), 0
    seats: list[tuple[UUID, str, PositionType, tuple[Rank, Rank], dict[str, int]]] = []
    for unit in UNITS:
        loaded.positions[unit] = []
        for title, kind, ranks, formasi, managerial, technical in POSITIONS:
            standard = _standard(unit, managerial, technical)
            position_id = Position.create_id(AGENCY, unit, title.format(unit=unit))
            if not app.exists(position_id):
                app.establish_position(
                    OPERATOR, AGENCY, unit, title.format(unit=unit), kind, ranks[0], ranks[1],
                    formasi, standard,
                )
            loaded.positions[unit].append(position_id)
            seats += [(position_id, unit, kind, ranks, standard)] * formasi
    rng.shuffle(seats)
    for position_id, _unit, _kind, ranks, standard in seats[:employees]:
        seq += 1
        nip, _birth, start_year = _nip(rng, seq, today)
        rank = _rank_for(ranks[0], ranks[1], today.year - start_year)
        placed_on = date(rng.randint(max(start_year, today.year - 8), today.year - 1), rng.randint(1, 12), 1)
        scores = {n: max(1, min(5, level + rng.choice((-1, 0, 0, 0, 1)))) for n, level in standard.items()}
        potential = rng.choice(list(Potential))
        assessed_on = date(today.year - 1, rng.randint(1, 12), rng.randint(1, 28))
        ratings = {
            year: (rng.choices(list(Expectation), weights=(1, 7, 2))[0],
                   rng.choices(list(Expectation), weights=(1, 7, 2))[0])
            for year in (today.year - 2, today.year - 1)
        }
        employee_id = Employee.create_id(nip)
        loaded.employees.append(employee_id)
        if app.exists(employee_id):
            continue
        app.register_employee(OPERATOR, nip, f"Pegawai Contoh {seq:03d}", rank)
        app.place_employee(OPERATOR, employee_id, position_id, placed_on, f"821/{seq:03d}/BKPSDM")
        app.assess_competency(
            ASSESSOR, employee_id, scores, potential, "UPT Penilaian Kompetensi", "assessment centre",
            assessed_on,
        )
        for year, (results, behaviour) in ratings.items():
            app.rate_performance(OPERATOR, employee_id, year, results, behaviour)
    return loaded
