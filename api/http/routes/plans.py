"""/rounds/{round_id}/plans and /plans: compute a mutation plan, read it, adopt it into proposals."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.http.deps import Application, Command, CurrentActor
from api.http.routes.common import GUARDED, ReadParams, command_options, command_responses, read_responses, tag_version
from api.http.schemas.common import CommandResult
from api.http.schemas.plans import AdoptPlan, PlanOut, PlanRequest

router = APIRouter(tags=["plans"], dependencies=GUARDED)
_COMMAND = command_options()


@router.post(
    "/rounds/{round_id}/plans",
    name="plans.compute",
    summary="Compute a mutation plan",
    status_code=201,
    response_model=CommandResult,
    responses=command_responses(201),
)
async def compute(round_id: UUID, body: PlanRequest, command: Command) -> Response:
    """Compute the placement that maximises total JPM while every rule holds, and keep it.

    The answer's `plan_id` names the plan; read it with `GET /plans/{plan_id}`. `If-Match` names the
    round's version the committee looked at (412 if it moved). A pin that breaks a rule, or pins and
    limits that cannot all hold, are a 422 naming the rules.
    """
    app = command.application
    options = body.options()
    return await command.run_in_thread(
        lambda actor, expected: app.compute_plan(actor, round_id, options, expected_version=expected),
        201,
        lambda result: f"/plans/{result.plan_id}",
    )


@router.get(
    "/plans/{plan_id}",
    name="plans.read",
    summary="Read a mutation plan",
    response_model=PlanOut,
    responses=read_responses("the plan as read, tagged with its version"),
)
def read(plan_id: UUID, at: ReadParams, app: Application, actor: CurrentActor, response: Response) -> PlanOut:
    """The plan: options, every recommended move with each rule's result and the gaps to develop,
    every empty seat with each candidate's blocking rule, the spread per unit, and what was adopted.
    The caller must act for the round's agency (403 otherwise)."""
    plan = app.get_plan(plan_id, version=at.version, as_of=at.as_of, reader=actor)
    tag_version(response, plan.version)
    return PlanOut.of(plan)


@router.post("/plans/{plan_id}/adopt", name="plans.adopt", summary="Adopt a plan into proposals", **_COMMAND)
async def adopt(plan_id: UUID, body: AdoptPlan, command: Command) -> Response:
    """Turn the plan's moves (or the selected employees' moves) into proposals of the round, all or
    none, in the plan's order; each proposal records the plan's id, version and options."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.adopt_plan(
            actor, plan_id, body.employee_ids, body.reason, expected_version=expected
        )
    )
