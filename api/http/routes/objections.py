"""/rounds/{id}/proposals/{pid}/objections: file and answer objections (sanggah); /rounds/{id}/mine:
what an employee may read of a round (their own proposals, decisions and objections)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.http.deps import Application, Command, CurrentActor
from api.http.routes.common import GUARDED, READ_ERRORS, command_responses
from api.http.schemas.common import CommandResult
from api.http.schemas.objections import AnswerObjection, FileObjection, ObjectionOut, OwnRoundOut
from domain.proposal import Decision

router = APIRouter(prefix="/rounds", tags=["objections"], dependencies=GUARDED)
_PROPOSAL = "/{round_id}/proposals/{proposal_id}"


def _round(result: CommandResult) -> str:
    return f"/rounds/{result.id}"


@router.post(
    _PROPOSAL + "/objections",
    name="rounds.file_objection",
    summary="Object to a decision",
    status_code=201,
    response_model=CommandResult,
    responses=command_responses(201),
)
async def file_objection(
    round_id: UUID,
    proposal_id: UUID,
    body: FileObjection,
    command: Command,
) -> Response:
    """File an objection to the decision on a proposal, from the announcement until the window
    closes (409 `objection-window-closed` names the day it closed): the employee concerned with their
    own token, or an operator of the agency on their written behalf (`letter_reference`); anyone else
    is 403 `not-the-employee-concerned`. The answer's `objection_id` names it."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.file_objection(
            actor, round_id, proposal_id, body.grounds, body.text, body.letter_reference, expected_version=expected
        ),
        201,
        _round,
    )


@router.post(
    _PROPOSAL + "/objections/{objection_id}/answer",
    name="rounds.answer_objection",
    summary="Answer an objection",
    response_model=CommandResult,
    responses=command_responses(),
)
async def answer_objection(
    round_id: UUID,
    proposal_id: UUID,
    objection_id: UUID,
    body: AnswerObjection,
    command: Command,
) -> Response:
    """The committee answers: dismissed, or upheld, which reopens the decision for the PPK (who
    decides again, judging every rule). Nobody answers an objection to their own act (422
    `conflict-of-interest`); a plan-made proposal needs `human_review` (422 `human-review-required`)."""
    app = command.application
    review = body.human_review.review() if body.human_review else None
    return await command.run_in_thread(
        lambda actor, expected: app.answer_objection(
            actor, round_id, proposal_id, objection_id, body.upheld, body.reasons, review, expected_version=expected
        )
    )


@router.get(
    "/{round_id}/mine",
    name="rounds.own_proposals",
    summary="My proposals in a round",
    response_model=OwnRoundOut,
    responses=READ_ERRORS,
)
def own_proposals(round_id: UUID, app: Application, actor: CurrentActor) -> OwnRoundOut:
    """An employee's own proposals in a round (by the NIP in their token): where to, every decision
    (also one an upheld objection reopened), their objections with answers, and until when they may
    object. Nothing of anyone else."""
    mutation_round, own = app.own_proposals(actor, round_id)
    ids = {p.proposal_id for p in own}
    objections = [o for o in mutation_round.objections.values() if o.proposal_id in ids]
    return OwnRoundOut.model_validate(
        {
            "round_id": mutation_round.id,
            "agency": mutation_round.agency,
            "title": mutation_round.title,
            "status": mutation_round.status.value,
            "announced_on": mutation_round.announced_on,
            "objections_until": mutation_round.objection_window_closes_on(app.policy),
            "proposals": [
                {
                    "proposal_id": p.proposal_id,
                    "from_position_id": p.from_position_id,
                    "target_position_id": p.target_position_id,
                    "status": p.status.value,
                    "reason": p.reason,
                    "decision": _decision(p.decision),
                    "earlier_decisions": [
                        _decision(d) for d in mutation_round.earlier_decisions.get(p.proposal_id, [])
                    ],
                    "plan_explanation": next(
                        (
                            o.plan_explanation
                            for o in objections
                            if o.proposal_id == p.proposal_id and o.plan_explanation
                        ),
                        None,
                    ),
                    "objections": [ObjectionOut.of(o) for o in objections if o.proposal_id == p.proposal_id],
                }
                for p in own
            ],
        }
    )


def _decision(decision: Decision | None) -> dict[str, object] | None:
    if decision is None:
        return None
    return {"approved": decision.approved, "reason": decision.reason, "decided_on": decision.decided_on}
