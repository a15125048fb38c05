"""Employee requests (named like the use-case parameters) and the employee record."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from api.http.schemas.common import EMPLOYEE_ID, POSITION_ID, Body, Day, Name, NipText, Text, example
from domain.employee import Employee
from domain.vocabulary import (
    DevelopmentActivity,
    Expectation,
    PositionType,
    Potential,
    Predikat,
    Rank,
    SanctionLevel,
)

Scores = dict[str, StrictInt]


class RegisterEmployee(Body):
    """Register a civil servant by NIP."""

    model_config = example(
        nip="198501152010031001", name="Siti Rahmawati", rank="III/b", agency="Pemerintah Kota Pariaman"
    )

    nip: NipText
    name: Name = Field(examples=["Siti Rahmawati"])
    rank: Rank
    agency: Name | None = Field(
        None,
        examples=["Pemerintah Kota Pariaman"],
        description=(
            "the registering agency, which the caller must serve; by default the one agency the caller "
            "serves (a caller serving several must name it). Once placed, an employee belongs to the "
            "agency of the position held"
        ),
    )


class NipLookup(Body):
    """Find an employee by NIP (sent in a body, so NIPs stay out of URLs and access logs)."""

    model_config = example(nip="198501152010031001")

    nip: NipText


class ChangeRank(Body):
    """A rank change (kenaikan pangkat) by decree."""

    model_config = example(rank="III/c", effective_on="2026-04-01", reference="823.3/045/BKPSDM/2026")

    rank: Rank
    effective_on: Day
    reference: Text


class AssessCompetency(Body):
    """A competency assessment: levels 1-5 per competency (snake_case names)."""

    model_config = example(
        scores={"integritas": 4, "kerjasama": 3, "keuangan_daerah": 4},
        potential="high",
        assessor="UPT Penilaian Kompetensi",
        method="assessment centre",
        assessed_on="2025-06-01",
    )

    scores: Scores = Field(examples=[{"integritas": 4, "kerjasama": 3, "keuangan_daerah": 4}])
    potential: Potential
    assessor: Name = Field(examples=["UPT Penilaian Kompetensi"])
    method: Name = Field(examples=["assessment centre"])
    assessed_on: Day


class RatePerformance(Body):
    """One year's SKP rating from results and behaviour; the response carries the predikat."""

    model_config = example(year=2025, results="above", behaviour="as_expected")

    year: StrictInt = Field(ge=1970, le=2200, examples=[2025])
    results: Expectation
    behaviour: Expectation


class RecordSanction(Body):
    """A disciplinary sanction."""

    model_config = example(level="light", imposed_on="2025-02-03", ends_on="2025-08-03", reference="800.1.6/012/2025")

    level: SanctionLevel
    imposed_on: Day
    ends_on: Day
    reference: Text


class OpenDisciplinaryCase(Body):
    """A pending disciplinary case."""

    model_config = example(reference="800.1.6/031/2026", opened_on="2026-01-12")

    reference: Text
    opened_on: Day


class CloseDisciplinaryCase(Body):
    """Closing a pending case."""

    model_config = example(reference="800.1.6/031/2026", closed_on="2026-02-20", outcome="no violation found")

    reference: Text
    closed_on: Day
    outcome: Text


class PlaceEmployee(Body):
    """Seat an employee in a first position."""

    model_config = example(position_id=POSITION_ID, effective_on="2020-01-02", decree_number="821.2/101/BKPSDM/2020")

    position_id: UUID
    effective_on: Day
    decree_number: Name


class PlanDevelopment(Body):
    """A development activity with its JP hours; the response carries the plan id."""

    model_config = example(
        activity="training",
        title="Diklat keuangan daerah",
        competency="keuangan_daerah",
        jp_hours=24,
        due_on="2026-09-30",
    )

    activity: DevelopmentActivity
    title: Name
    competency: str | None = Field(None, max_length=64)
    jp_hours: StrictInt = Field(ge=1, le=1000)
    due_on: Day


class CompleteDevelopment(Body):
    """A planned activity completed, with the JP hours done."""

    model_config = example(completed_on="2026-05-20", jp_hours=16)

    completed_on: Day
    jp_hours: StrictInt = Field(ge=0, le=1000)


class RetireEmployee(Body):
    """Retirement (pensiun); the seat held is freed."""

    model_config = example(retired_on="2026-07-01", reason="reached the retirement age (BUP 58)")

    retired_on: Day
    reason: Text


class AssessmentOut(BaseModel):
    scores: Scores
    potential: Potential
    assessor: str
    method: str
    assessed_on: date


class RatingOut(BaseModel):
    year: int
    results: Expectation
    behaviour: Expectation
    predikat: Predikat


class SanctionOut(BaseModel):
    level: SanctionLevel
    imposed_on: date
    ends_on: date
    reference: str


class PlacementOut(BaseModel):
    position_id: UUID
    since: date
    decree_number: str
    round_id: UUID | None = None
    until: date | None = None


class DevelopmentPlanOut(BaseModel):
    plan_id: UUID
    activity: DevelopmentActivity
    title: str
    competency: str | None
    jp_hours: int
    due_on: date
    completed_on: date | None
    jp_hours_done: int


class EvaluationOut(BaseModel):
    round_id: UUID
    proposal_id: UUID
    months_after: int
    evaluated_on: date
    performance_before: Predikat | None
    performance_after: Predikat
    adaptation: Expectation
    service_quality: Expectation
    notes: str
    corrective_action: str | None


class EmployeeOut(BaseModel):
    """An employee's full record (staff roles only), as of the version read."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": EMPLOYEE_ID,
                    "version": 5,
                    "nip": "198501152010031001",
                    "name": "Siti Rahmawati",
                    "rank": "III/b",
                    "position_id": POSITION_ID,
                    "placements": [
                        {
                            "position_id": POSITION_ID,
                            "since": "2020-01-02",
                            "decree_number": "821.2/101/BKPSDM/2020",
                            "round_id": None,
                            "until": None,
                        }
                    ],
                    "assessments": [
                        {
                            "scores": {"integritas": 4, "kerjasama": 3, "keuangan_daerah": 4},
                            "potential": "high",
                            "assessor": "UPT Penilaian Kompetensi",
                            "method": "assessment centre",
                            "assessed_on": "2025-06-01",
                        }
                    ],
                    "ratings": [{"year": 2025, "results": "above", "behaviour": "as_expected", "predikat": "Baik"}],
                    "sanctions": [],
                    "open_disciplinary_cases": {},
                    "development_plans": [],
                    "evaluations": [],
                    "retired_on": None,
                }
            ]
        }
    )

    id: UUID
    version: int
    nip: str
    name: str
    rank: Rank
    position_id: UUID | None
    placements: list[PlacementOut]
    assessments: list[AssessmentOut]
    ratings: list[RatingOut]
    sanctions: list[SanctionOut]
    open_disciplinary_cases: dict[str, date]
    development_plans: list[DevelopmentPlanOut]
    evaluations: list[EvaluationOut]
    retired_on: date | None

    @classmethod
    def of(cls, employee: Employee) -> EmployeeOut:
        """The record of an `Employee` aggregate."""
        return cls.model_validate(
            {
                "id": employee.id,
                "version": employee.version,
                "nip": employee.nip,
                "name": employee.name,
                "rank": employee.rank,
                "position_id": employee.position_id,
                "placements": employee.placements,
                "assessments": employee.assessments,
                "ratings": [employee.ratings[y] for y in sorted(employee.ratings)],
                "sanctions": employee.sanctions,
                "open_disciplinary_cases": employee.open_cases,
                "development_plans": list(employee.development.values()),
                "evaluations": employee.evaluations,
                "retired_on": employee.retired_on,
            },
            from_attributes=True,
        )


class EmployeeSearch(Body):
    """Filters of the employee directory (read model); the NIP prefix travels in the body, not the URL."""

    model_config = example(unit="BPKAD", rank="III/b", status="active", nip_prefix="1985", limit=50, offset=0)

    agency: Name | None = None
    unit: Name | None = Field(None, examples=["BPKAD"])
    rank: Rank | None = None
    position_type: PositionType | None = None
    nip_prefix: str | None = Field(None, pattern=r"^[0-9]{1,18}$", examples=["1985"])
    status: Literal["active", "retired"] | None = None
    limit: StrictInt = Field(50, ge=1, le=500)
    offset: StrictInt = Field(0, ge=0, le=10**9)
    min_position: StrictInt | None = Field(
        None,
        ge=1,
        le=2**62,
        description=("wait (up to ~2 s) until the directory has applied this position (a command's `position`)"),
    )
