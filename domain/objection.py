"""Objections (sanggah): after the announcement, the employee concerned may contest a decision on
their proposal within a window of working days; the committee answers each one (DOMAIN.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from uuid import UUID

from domain.authority import OutsideAuthority
from domain.errors import IllegalTransition, RuleViolation
from domain.official import Official


class ObjectionGrounds(str, Enum):
    """Why a decision is contested (a closed list)."""

    RULE_MISJUDGED = "rule_misjudged"
    DATA_WRONG = "data_wrong"
    PERSONAL_CIRCUMSTANCES = "personal_circumstances"
    AUTOMATED_RECOMMENDATION = "automated_recommendation_contested"
    OTHER = "other"


@dataclass(frozen=True)
class HumanReview:
    """UU 27/2022 art. 10: the statement that a person reviewed a case the mutation plan recommended."""

    reviewer: str
    grounds: str


@dataclass(frozen=True)
class ObjectionAnswer:
    """The committee's answer: upheld (the decision is reopened) or dismissed, with its reasons."""

    upheld: bool
    reasons: str
    answered_by: Official
    answered_on: date
    human_review: HumanReview | None = None


@dataclass
class Objection:
    """One objection to the decision on one proposal, and its answer once given."""

    objection_id: UUID
    proposal_id: UUID
    grounds: ObjectionGrounds
    text: str
    filed_by: Official
    filed_on: date
    letter_reference: str | None = None
    """The employee's written letter when an operator files on their behalf."""
    plan_explanation: str | None = None
    """Why the mutation plan placed the employee there, when the proposal came from an adopted plan."""
    answer: ObjectionAnswer | None = None

    @property
    def is_pending(self) -> bool:
        """Filed and not answered yet."""
        return self.answer is None


class ObjectionNotFound(IllegalTransition):
    """The round has no objection with that id on that proposal."""

    code = "objection-not-found"


class NotTheEmployeeConcerned(OutsideAuthority):
    """Only the employee concerned, or an operator of the agency with their written letter, objects."""

    code = "not-the-employee-concerned"


class ObjectionWindowClosed(IllegalTransition):
    """The window for objections to this round has closed (the message names the day it closed)."""

    code = "objection-window-closed"


class ObjectionWindowOpen(IllegalTransition):
    """No decree while the window for objections is open."""

    code = "objection-window-open"


class ObjectionPending(IllegalTransition):
    """No decree while an objection on the proposal is unanswered, or while a reopened decision waits."""

    code = "objection-pending"


class ObjectionAlreadyAnswered(IllegalTransition):
    """An objection is answered once."""

    code = "objection-already-answered"


class HumanReviewRequired(RuleViolation):
    """An objection to a plan-made proposal needs the statement that a person reviewed the case."""

    code = "human-review-required"
