"""A deterministic sample register of a city government, loaded through the use cases.

Used by `mutasi demo` so that a newcomer sees a realistic register: a dozen units, a few hundred
employees with valid NIPs, positions with competency standards, two years of SKP ratings, assessments.
`sample_records` gives it as plain commands (sent in-process by `load_sample`, or over HTTP by the demo).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from application.context import Actor
from application.service import MutasiApplication
from domain.competency import MANAGERIAL, SOCIO_CULTURAL
from domain.eligibility.conduct import final_rating_years
from domain.employee import Employee
from domain.official import NATIONAL
from domain.policy import RulePolicy
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
OPERATOR = Actor("demo-operator", agencies=(NATIONAL,))  # in-process, the sample acts as the system
ASSESSOR = Actor("demo-assessor", agencies=(NATIONAL,))
ACTORS = {"operator": OPERATOR, "assessor": ASSESSOR}
PAST = timedelta(days=90)
"""How far back the register already stood as it is: the demo's past round (`application.sample_history`)
lies within these days, so every placement, assessment and SKP year it reads comes before its acts."""


@dataclass(frozen=True)
class SampleCommand:
    """One step of the sample: `MutasiApplication.<use_case>(ACTORS[role], **args)`.

    The arguments are plain values named like the use case's parameters, so that the same step can
    also be sent over HTTP (the REST API's bodies use the same names).
    """

    use_case: str
    role: str
    args: dict[str, Any]


@dataclass(frozen=True)
class SampleRecord:
    """One aggregate of the sample (a position or an employee) and the steps that build it.

    The first step creates the aggregate; a record whose aggregate already exists is skipped whole.
    """

    kind: str
    aggregate_id: UUID
    unit: str | None
    commands: tuple[SampleCommand, ...]


@dataclass
class SampleRegister:
    """Ids of what the sample loaded, by unit."""

    positions: dict[str, list[UUID]] = field(default_factory=dict)
    employees: list[UUID] = field(default_factory=list)

    def add(self, record: SampleRecord) -> None:
        """Note a record's aggregate id."""
        if record.kind == "position":
            self.positions.setdefault(record.unit or "", []).append(record.aggregate_id)
        else:
            self.employees.append(record.aggregate_id)


def _nip(rng: random.Random, seq: int, today: date) -> tuple[str, date, int]:
    age = rng.randint(24, 57)
    birth = date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
    start_year = min(birth.year + rng.randint(22, 30), today.year - 1)
    return (
        f"{birth:%Y%m%d}{start_year:04d}{rng.randint(1, 12):02d}{rng.choice((1, 2))}{seq % 1000:03d}",
        birth,
        start_year,
    )


def _rank_for(low: Rank, high: Rank, service_years: int) -> Rank:
    ranks = list(Rank)[low.order : high.order + 1]
    return ranks[min(len(ranks) - 1, service_years // 6)]


def _standard(unit: str, managerial: int, technical: int) -> dict[str, int]:
    standard = {name: managerial for name in MANAGERIAL + SOCIO_CULTURAL}
    standard[UNITS[unit]] = technical
    return standard


def sample_records(today: date, seed: int = 2026, employees: int = 300) -> Iterator[SampleRecord]:
    """The sample register as records of plain commands; the same seed and day, the same register."""
    rng, seq = random.Random(seed), 0
    seats: list[tuple[UUID, str, PositionType, tuple[Rank, Rank], dict[str, int]]] = []
    for unit in UNITS:
        for title, kind, ranks, formasi, managerial, technical in POSITIONS:
            standard = _standard(unit, managerial, technical)
            position_id = Position.create_id(AGENCY, unit, title.format(unit=unit))
            yield SampleRecord(
                "position",
                position_id,
                unit,
                (
                    SampleCommand(
                        "establish_position",
                        "operator",
                        {
                            "agency": AGENCY,
                            "unit": unit,
                            "title": title.format(unit=unit),
                            "position_type": kind,
                            "rank_min": ranks[0],
                            "rank_max": ranks[1],
                            "formasi": formasi,
                            "standard": standard,
                        },
                    ),
                ),
            )
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
        if placed_on > today - PAST:  # the register stood before the past round (`sample_history`)
            placed_on = placed_on.replace(year=placed_on.year - 1)
        assessed_on = min(assessed_on, today - PAST)
        ratings = {
            year: (
                rng.choices(list(Expectation), weights=(1, 7, 2))[0],
                rng.choices(list(Expectation), weights=(1, 7, 2))[0],
            )
            for year in final_rating_years(today, RulePolicy())  # the years rule 4 reads today
        }
        earlier = random.Random(f"{seed}:{nip}")  # its own draws: the register of a seed stays as it was
        for year in final_rating_years(today - PAST, RulePolicy()):  # the years it read at the past round
            if year not in ratings:
                ratings[year] = (
                    earlier.choices(list(Expectation), weights=(1, 7, 2))[0],
                    earlier.choices(list(Expectation), weights=(1, 7, 2))[0],
                )
        employee_id = Employee.create_id(nip)
        yield SampleRecord(
            "employee",
            employee_id,
            None,
            (
                SampleCommand(
                    "register_employee",
                    "operator",
                    {"nip": nip, "name": f"Pegawai Contoh {seq:03d}", "rank": rank, "agency": AGENCY},
                ),
                SampleCommand(
                    "place_employee",
                    "operator",
                    {
                        "employee_id": employee_id,
                        "position_id": position_id,
                        "effective_on": placed_on,
                        "decree_number": f"821/{seq:03d}/BKPSDM",
                    },
                ),
                SampleCommand(
                    "assess_competency",
                    "assessor",
                    {
                        "employee_id": employee_id,
                        "scores": scores,
                        "potential": potential,
                        "assessor": "UPT Penilaian Kompetensi",
                        "method": "assessment centre",
                        "assessed_on": assessed_on,
                    },
                ),
                *(
                    SampleCommand(
                        "rate_performance",
                        "operator",
                        {"employee_id": employee_id, "year": year, "results": results, "behaviour": behaviour},
                    )
                    for year, (results, behaviour) in sorted(ratings.items())
                ),
            ),
        )


def load_sample(app: MutasiApplication, seed: int = 2026, employees: int = 300) -> SampleRegister:
    """Load the sample register (what is already there is kept); the same seed, the same register."""
    loaded = SampleRegister()
    for record in sample_records(app.today(), seed, employees):
        loaded.add(record)
        if app.exists(record.aggregate_id):
            continue
        for command in record.commands:
            getattr(app, command.use_case)(ACTORS[command.role], **command.args)
    return loaded
