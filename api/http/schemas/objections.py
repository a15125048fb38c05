"""Objection (sanggah) requests and records: filed by the employee concerned or on their behalf,
answered by the committee."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api.http.schemas.common import Body, Name, OfficialOut, Text
from domain.objection import HumanReview, Objection, ObjectionGrounds


class FileObjection(Body):
    """An objection to the decision on a proposal, within the window after the announcement.
    The employee concerned files it with their own token; an operator files it on their written
    behalf, naming the letter."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "grounds": "personal_circumstances",
                    "text": "My child attends school in the old district; I ask to stay until the school year ends.",
                }
            ]
        },
    )

    grounds: ObjectionGrounds
    text: Text
    letter_reference: Name | None = Field(None, description="the employee's letter, when an operator files it")


class HumanReviewIn(Body):
    """Who reviewed a plan-recommended case in person, and on which grounds (UU 27/2022 art. 10)."""

    reviewer: Name = Field(examples=["Drs. Rahmat, ketua TPK"])
    grounds: Text = Field(examples=["read the file and heard the employee on 20 February"])

    def review(self) -> HumanReview:
        """As the domain's `HumanReview`."""
        return HumanReview(self.reviewer, self.grounds)


class AnswerObjection(Body):
    """The committee's answer: upheld (the PPK decides again) or dismissed, with its reasons; for a
    proposal a mutation plan made, the statement that a person reviewed the case."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "upheld": False,
                    "reasons": "the school year ends before the TMT; the move stands",
                }
            ]
        },
    )

    upheld: StrictBool
    reasons: Text
    human_review: HumanReviewIn | None = None


class HumanReviewOut(BaseModel):
    reviewer: str
    grounds: str


class ObjectionAnswerOut(BaseModel):
    upheld: bool
    reasons: str
    answered_by: OfficialOut
    answered_on: date
    human_review: HumanReviewOut | None


class ObjectionOut(BaseModel):
    """An objection with its answer once given."""

    objection_id: UUID
    proposal_id: UUID
    grounds: ObjectionGrounds
    text: str
    filed_by: OfficialOut
    filed_on: date
    letter_reference: str | None
    plan_explanation: str | None
    answer: ObjectionAnswerOut | None

    @classmethod
    def of(cls, objection: Objection) -> ObjectionOut:
        """From the domain's `Objection`."""
        return cls.model_validate(objection, from_attributes=True)


class OwnDecisionOut(BaseModel):
    approved: bool
    reason: str
    decided_on: date | None


class OwnProposalOut(BaseModel):
    """One of the caller's own proposals: where to, its decisions and their objections."""

    proposal_id: UUID
    from_position_id: UUID
    target_position_id: UUID
    status: str
    reason: str
    decision: OwnDecisionOut | None
    earlier_decisions: list[OwnDecisionOut]
    plan_explanation: str | None = Field(description="why a mutation plan recommended the move, if one did")
    objections: list[ObjectionOut]


class OwnRoundOut(BaseModel):
    """What an employee may read of a round: their own proposals only, and the objection window."""

    round_id: UUID
    agency: str
    title: str
    status: str
    announced_on: date | None
    objections_until: date | None = Field(description="the last day an objection is taken (once announced)")
    proposals: list[OwnProposalOut]
