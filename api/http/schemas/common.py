"""Shapes shared by every resource: command results, officials, bounded dates and texts."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field

from application.context import Recorded
from domain.official import Official
from domain.vocabulary import Predikat

Day = Annotated[date, Field(ge=date(1900, 1, 1), le=date(2199, 12, 31), examples=["2026-03-02"])]
"""A calendar date within the range the register can hold."""
Text = Annotated[str, Field(min_length=1, max_length=2000)]
Name = Annotated[str, Field(min_length=1, max_length=200)]
NipText = Annotated[str, Field(min_length=1, max_length=40, examples=["198501152010031001"])]


class Body(BaseModel):
    """A request body: unknown fields are refused, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid")


def example(**fields: Any) -> ConfigDict:
    """The configuration of a request body with one complete example (shown in the OpenAPI document)."""
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [fields]})


EMPLOYEE_ID = "d20a9f5e-a578-5ae2-bc4d-d5ead2cb2262"
POSITION_ID = "3b0f5c44-3f0e-5d55-9a1c-0d3c8e6f9b21"
PROPOSAL_ID = "6f1d0d7e-8b0f-4f37-9a55-1c7a1f0f2e3b"
ROUND_ID = "0b5e3a56-4c1f-5e8e-9d6a-2f8f7f3c1a10"
"""Ids used in the examples, the same throughout, so that the examples tell one story."""


class CommandResult(BaseModel):
    """What a command recorded: the aggregate, its new version (also the ETag), and the store position.

    `position` is the notification id of the last event recorded: a reader can wait until a
    projection has processed it (read-your-writes).
    """

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b5e3a56-4c1f-5e8e-9d6a-2f8f7f3c1a10",
                    "version": 4,
                    "position": 1187,
                    "proposal_id": "6f1d0d7e-8b0f-4f37-9a55-1c7a1f0f2e3b",
                }
            ]
        }
    )

    id: UUID
    version: int
    position: int | None
    proposal_id: UUID | None = None
    plan_id: UUID | None = None
    predikat: Predikat | None = None
    objection_id: UUID | None = None

    @classmethod
    def of(cls, recorded: Recorded) -> CommandResult:
        """The response for a `Recorded`."""
        return cls(**_fields(recorded))

    @staticmethod
    def json_of(recorded: Recorded) -> bytes:
        """`of(recorded).model_dump_json()`, byte for byte, without building the model: the body of
        every command's answer (orjson writes the same compact JSON, UUIDs and the predikat as text)."""
        return orjson.dumps(_fields(recorded))


def _fields(recorded: Recorded) -> dict[str, Any]:
    """`CommandResult`'s fields, in its order, from a `Recorded`."""
    return {
        "id": recorded.aggregate_id,
        "version": recorded.version,
        "position": recorded.position,
        "proposal_id": recorded.proposal_id,
        "plan_id": recorded.plan_id,
        "predikat": recorded.predikat,
        "objection_id": recorded.objection_id,
    }


class OfficialIn(Body):
    """A person who gives consent or authorises an override: user id and, if a civil servant, NIP."""

    model_config = example(user="walikota-pariaman", nip="197001011995031001")

    user: Name = Field(examples=["walikota-pariaman"])
    nip: NipText | None = None

    def official(self) -> Official:
        """As the domain's `Official`."""
        return Official(self.user, self.nip)


class OfficialOut(BaseModel):
    """An official as recorded: user, NIP, the agencies they acted for and their deciding office."""

    user: str
    nip: str | None = None
    agencies: list[str] = []
    office: str | None = None
