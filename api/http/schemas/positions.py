"""Position requests (named like the use-case parameters) and the position record."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from api.http.schemas.common import EMPLOYEE_ID, POSITION_ID, Body, Day, Name, Text, example
from domain.position import Position
from domain.vocabulary import PositionType, Rank

Standard = dict[str, StrictInt]
Jpm = Field(None, ge=0, le=100, max_digits=5, decimal_places=2, examples=[75])


class EstablishPosition(Body):
    """A position (jabatan) with its formasi, rank range and competency standard (levels 1-5)."""

    model_config = example(
        agency="Pemerintah Kota Pariaman",
        unit="BPKAD",
        title="Analis Keuangan Daerah",
        position_type="fungsional_ahli_pertama",
        rank_min="III/a",
        rank_max="III/d",
        formasi=3,
        standard={"integritas": 3, "kerjasama": 3, "keuangan_daerah": 4},
        min_jpm=75,
    )

    agency: Name = Field(examples=["Pemerintah Kota Pariaman"])
    unit: Name = Field(examples=["BPKAD"])
    title: Name = Field(examples=["Analis Keuangan Daerah"])
    position_type: PositionType
    rank_min: Rank
    rank_max: Rank
    formasi: StrictInt = Field(ge=0, le=100_000)
    standard: Standard = Field(examples=[{"integritas": 3, "kerjasama": 3, "keuangan_daerah": 4}])
    min_jpm: Decimal | None = Jpm


class ReviseStandard(Body):
    """Replace the competency standard (and the position's own JPM threshold)."""

    model_config = example(
        standard={"integritas": 3, "keuangan_daerah": 4},
        min_jpm=70,
        reason="new competency dictionary (PermenPANRB 38/2017)",
    )

    standard: Standard = Field(examples=[{"integritas": 3, "keuangan_daerah": 4}])
    min_jpm: Decimal | None = Jpm
    reason: Text


class ReviseFormasi(Body):
    """A new formasi from a workload analysis (ABK)."""

    model_config = example(formasi=3, reason="ABK 2026: workload of three analysts")

    formasi: StrictInt = Field(ge=0, le=100_000, examples=[3])
    reason: Text = Field(examples=["ABK 2026: workload of three analysts"])


class AbolishPosition(Body):
    """Abolish an empty position."""

    model_config = example(abolished_on="2026-06-30", reason="merged into the Bappeda planning desk")

    abolished_on: Day
    reason: Text


class HoldingOut(BaseModel):
    employee_id: UUID
    since: date
    decree_number: str


class PositionOut(BaseModel):
    """A position as of the version read, with its holders and free seats."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": POSITION_ID,
                    "version": 3,
                    "agency": "Pemerintah Kota Pariaman",
                    "unit": "BPKAD",
                    "title": "Analis Keuangan Daerah",
                    "position_type": "fungsional_ahli_pertama",
                    "rank_min": "III/a",
                    "rank_max": "III/d",
                    "formasi": 3,
                    "free_seats": 2,
                    "standard": {"integritas": 3, "kerjasama": 3, "keuangan_daerah": 4},
                    "min_jpm": "75",
                    "holders": [
                        {"employee_id": EMPLOYEE_ID, "since": "2020-01-02", "decree_number": "821.2/101/BKPSDM/2020"}
                    ],
                    "abolished_on": None,
                }
            ]
        }
    )

    id: UUID
    version: int
    agency: str
    unit: str
    title: str
    position_type: PositionType
    rank_min: Rank
    rank_max: Rank
    formasi: int
    free_seats: int
    standard: Standard
    min_jpm: Decimal | None
    holders: list[HoldingOut]
    abolished_on: date | None

    @classmethod
    def of(cls, position: Position) -> PositionOut:
        """The record of a `Position` aggregate: each field is its attribute of that name, the holders
        as a list (tests/api/test_schema_mirrors.py keeps the two in step)."""
        record = {name: getattr(position, name) for name in cls.model_fields}
        return cls.model_validate({**record, "holders": list(position.holders.values())}, from_attributes=True)
