"""The decisions on each proposal of a round, folded from raw events in recorded order.

Each `Decided` (approved or rejected, by whom, the reason, the day), each objection filed and answered,
and each decision an upheld objection reopened (`DecisionReopened`), as the round recorded them. "As
recorded at T" keeps only the events recorded by T, so it shows the decisions in force then (a decision
reopened by T is no longer in force; the one taken again after T is not there yet).
Pure functions over `AuditEvent`s, like `placements`: the offline bundle replay needs no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, TypedDict
from uuid import UUID

from application.audit.records import AuditEvent

Step = Literal["decided", "objection filed", "objection answered", "reopened"]

_STEPS: dict[str, Step] = {
    "MutationRound.Decided": "decided",
    "MutationRound.ObjectionFiled": "objection filed",
    "MutationRound.ObjectionAnswered": "objection answered",
    "MutationRound.DecisionReopened": "reopened",
}


@dataclass(frozen=True)
class DecisionStep:
    """One recorded step in the decisions on a proposal.

    `decided`: `approved`, `by` (the deciding official), `reason`, `on` (the decision's day; None for
    decisions recorded before it was kept). `objection filed`: `objection_id`, `by`, `grounds`, `reason`
    (the objection's text), `on`. `objection answered`: `objection_id`, `upheld`, `by`, `reason` (the
    answer's reasons), `on`. `reopened`: `objection_id`, the upheld objection that reopened the decision.
    """

    step: Step
    round_id: UUID
    proposal_id: UUID
    version: int
    recorded_at: datetime | None
    approved: bool | None = None
    upheld: bool | None = None
    by: str | None = None
    reason: str | None = None
    on: date | None = None
    objection_id: UUID | None = None
    grounds: str | None = None


class _Common(TypedDict):
    """The fields every step takes from its event."""

    step: Step
    round_id: UUID
    version: int
    recorded_at: datetime | None


def _known(events: Iterable[AuditEvent], recorded_by: datetime | None) -> list[AuditEvent]:
    ordered = sorted(events, key=lambda e: (str(e.originator_id), e.version))
    if recorded_by is None:
        return ordered
    return [e for e in ordered if e.recorded_at is not None and e.recorded_at <= recorded_by]


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _user(official: dict[str, Any] | None) -> str | None:
    return (official or {}).get("user")


def _step(event: AuditEvent) -> DecisionStep | None:
    step = _STEPS.get(event.name)
    if step is None:
        return None
    data = event.data
    common: _Common = {
        "step": step,
        "round_id": event.originator_id,
        "version": event.version,
        "recorded_at": event.recorded_at,
    }
    if step == "decided":
        decision = data["decision"]
        return DecisionStep(
            **common,
            proposal_id=UUID(data["proposal_id"]),
            approved=decision["approved"],
            by=_user(decision.get("decided_by")),
            reason=decision.get("reason"),
            on=_day(decision.get("decided_on")),
        )
    if step == "objection filed":
        objection = data["objection"]
        return DecisionStep(
            **common,
            proposal_id=UUID(objection["proposal_id"]),
            objection_id=UUID(objection["objection_id"]),
            by=_user(objection.get("filed_by")),
            grounds=objection.get("grounds"),
            reason=objection.get("text"),
            on=_day(objection.get("filed_on")),
        )
    if step == "objection answered":
        answer = data["answer"]
        return DecisionStep(
            **common,
            proposal_id=UUID(data["proposal_id"]),
            objection_id=UUID(data["objection_id"]),
            upheld=answer["upheld"],
            by=_user(answer.get("answered_by")),
            reason=answer.get("reasons"),
            on=_day(answer.get("answered_on")),
        )
    return DecisionStep(**common, proposal_id=UUID(data["proposal_id"]), objection_id=UUID(data["objection_id"]))


def proposal_decisions(
    events: Iterable[AuditEvent], recorded_by: datetime | None = None
) -> dict[UUID, list[DecisionStep]]:
    """Per proposal (in the order first decided or contested), its steps in recorded order, as
    recorded by `recorded_by`."""
    steps: dict[UUID, list[DecisionStep]] = {}
    for event in _known(events, recorded_by):
        step = _step(event)
        if step is not None:
            steps.setdefault(step.proposal_id, []).append(step)
    return steps


def decisions_taken(steps: Iterable[DecisionStep]) -> list[DecisionStep]:
    """The decisions only (`Decided`), oldest first: those reopened, then the one standing."""
    return [s for s in steps if s.step == "decided"]


def in_force(steps: Sequence[DecisionStep]) -> DecisionStep | None:
    """The decision standing after these steps: the last one taken, unless reopened since."""
    for step in reversed(steps):
        if step.step == "decided":
            return step
        if step.step == "reopened":
            return None
    return None


def _verdict(approved: bool | None) -> str:
    return "approved" if approved else "rejected"


def describe_decisions(steps: Sequence[DecisionStep]) -> list[str]:
    """Lines of text for the decisions on one proposal, then the one in force."""
    lines = []
    for s in steps:
        if s.step == "decided":
            text = f"decided: {_verdict(s.approved)} by {s.by} on {s.on or '?'}: {s.reason}"
        elif s.step == "objection filed":
            text = f"objection {s.objection_id} filed by {s.by} on {s.on} ({s.grounds}): {s.reason}"
        elif s.step == "objection answered":
            text = f"objection {s.objection_id} {'upheld' if s.upheld else 'dismissed'} by {s.by} on {s.on}: {s.reason}"
        else:
            text = f"decision reopened by objection {s.objection_id}"
        lines.append(
            f"  v{s.version:<4} {text}" + (f"  recorded {s.recorded_at:%Y-%m-%d %H:%M:%S%z}" if s.recorded_at else "")
        )
    standing = in_force(steps)
    if standing is not None:
        lines.append(f"  in force: {_verdict(standing.approved)} (v{standing.version})")
    elif any(s.step == "reopened" for s in steps):
        lines.append("  in force: none (reopened, awaiting a new decision)")
    else:
        lines.append("  in force: none (not decided)")
    return lines
