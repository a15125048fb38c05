"""/rounds: open, propose, review, decide, announce, decree, execute, evaluate, close, read."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Response

from api.http.deps import Application, Command, CurrentActor
from api.http.routes.common import GUARDED, READ_ERRORS, ReadParams, command_options, read_responses, tag_version
from api.http.schemas.common import CommandResult
from api.http.schemas.rounds import (
    Announce,
    CloseRound,
    Decide,
    EligibilityCheck,
    EligibilityOut,
    EvaluateTransfer,
    ExecuteTogether,
    IssueDecree,
    OpenRound,
    Propose,
    Recommend,
    RecordConsent,
    RecordTechnicalReview,
    RoundOut,
    Withdraw,
)

router = APIRouter(prefix="/rounds", tags=["rounds"], dependencies=GUARDED)
_COMMAND = command_options()
_CREATED = command_options(201)


def _round(result: CommandResult) -> str:
    """A round, and what it holds (proposals, evaluations), are read at the round."""
    return f"/rounds/{result.id}"


_PROPOSAL = "/{round_id}/proposals/{proposal_id}"


@router.post("", name="rounds.open", summary="Open a mutation round", **_CREATED)
async def open_round(body: OpenRound, command: Command) -> Response:
    """Open a round with the agency's election-freeze windows."""
    app = command.application
    windows = [w.window() for w in body.freeze_windows]
    return await command.run_in_thread(
        lambda actor, _: app.open_round(actor, **body.model_dump(exclude={"freeze_windows"}), freeze_windows=windows),
        201,
        _round,
    )


@router.get(
    "/{round_id}",
    name="rounds.read",
    summary="Read a round with its proposals",
    response_model=RoundOut,
    responses=read_responses("the round as read, tagged with its version"),
)
def read(round_id: UUID, at: ReadParams, app: Application, actor: CurrentActor, response: Response) -> RoundOut:
    """The round with its proposals, each with JPM and the eligibility result rule by rule
    (for callers who act for the round's agency, and national auditors)."""
    mutation_round = app.get_round(round_id, version=at.version, as_of=at.as_of, reader=actor)
    tag_version(response, mutation_round.version)
    return RoundOut.of(mutation_round, app.policy)


@router.post(
    "/{round_id}/eligibility-checks",
    name="rounds.check_eligibility",
    summary="Check a candidate move against the rules",
    response_model=EligibilityOut,
    responses=READ_ERRORS,
)
def check_eligibility(round_id: UUID, body: EligibilityCheck, app: Application, actor: CurrentActor) -> EligibilityOut:
    """All ten rules for a candidate move in this round, asked by the caller; records nothing.
    Rule 9 answers for the caller doing `act`, exactly as that act's own guard would."""
    return EligibilityOut.of(app.check_eligibility(actor, round_id, **body.model_dump()))


@router.post("/{round_id}/proposals", name="rounds.propose", summary="Propose a candidate", **_CREATED)
async def propose(round_id: UUID, body: Propose, command: Command) -> Response:
    """Propose a candidate; JPM and every rule's result are recorded with the proposal."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.propose(actor, round_id, **body.model_dump(), expected_version=expected),
        201,
        _round,
    )


@router.post(_PROPOSAL + "/withdrawal", name="rounds.withdraw", summary="Withdraw a proposal", **_COMMAND)
async def withdraw(round_id: UUID, proposal_id: UUID, body: Withdraw, command: Command) -> Response:
    """Withdraw an undecided proposal."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.withdraw(
            actor, round_id, proposal_id, **body.model_dump(), expected_version=expected
        )
    )


@router.post(_PROPOSAL + "/consents", name="rounds.record_consent", summary="Record a PPK's consent", **_COMMAND)
async def record_consent(round_id: UUID, proposal_id: UUID, body: RecordConsent, command: Command) -> Response:
    """Record a PPK's written consent to a cross-agency transfer."""
    app = command.application
    given_by = body.given_by.official()
    return await command.run_in_thread(
        lambda actor, expected: app.record_consent(
            actor,
            round_id,
            proposal_id,
            **body.model_dump(exclude={"given_by"}),
            given_by=given_by,
            expected_version=expected,
        )
    )


@router.post(
    _PROPOSAL + "/technical-review",
    name="rounds.record_technical_review",
    summary="Record BKN's technical review",
    **_COMMAND,
)
async def record_technical_review(
    round_id: UUID,
    proposal_id: UUID,
    body: RecordTechnicalReview,
    command: Command,
) -> Response:
    """Record BKN's technical review of a cross-agency proposal (the caller is the reviewer)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.record_technical_review(
            actor, round_id, proposal_id, **body.model_dump(), expected_version=expected
        )
    )


@router.post(
    _PROPOSAL + "/recommendation", name="rounds.recommend", summary="Recommend a proposal (committee)", **_COMMAND
)
async def recommend(round_id: UUID, proposal_id: UUID, body: Recommend, command: Command) -> Response:
    """Record the committee's (TPK) recommendation to the PPK."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.recommend(
            actor, round_id, proposal_id, **body.model_dump(), expected_version=expected
        )
    )


@router.post(_PROPOSAL + "/decision", name="rounds.decide", summary="Approve or reject a proposal (PPK)", **_COMMAND)
async def decide(round_id: UUID, proposal_id: UUID, body: Decide, command: Command) -> Response:
    """Approve (every rule re-checked now; each failure needs an override) or reject a proposal."""
    app = command.application
    overrides = [o.override() for o in body.overrides]
    return await command.run_in_thread(
        lambda actor, expected: app.decide(
            actor, round_id, proposal_id, body.approve, body.reason, overrides, expected_version=expected
        )
    )


@router.post("/{round_id}/announcement", name="rounds.announce", summary="Announce the decided list", **_COMMAND)
async def announce(round_id: UUID, body: Announce, command: Command) -> Response:
    """Publish the round's decided list; afterwards no more proposals or decisions."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.announce(actor, round_id, **body.model_dump(), expected_version=expected)
    )


@router.post(_PROPOSAL + "/decree", name="rounds.issue_decree", summary="Issue the decree (SK)", **_COMMAND)
async def issue_decree(round_id: UUID, proposal_id: UUID, body: IssueDecree, command: Command) -> Response:
    """Record the SK of an approved proposal, signed by the calling PPK: every rule is judged again
    on the TMT; what newly fails (or a back-dated TMT, or one outside the period) needs an override."""
    app = command.application
    overrides = [o.override() for o in body.overrides]
    return await command.run_in_thread(
        lambda actor, expected: app.issue_decree(
            actor,
            round_id,
            proposal_id,
            body.number,
            body.signed_on,
            body.effective_on,
            overrides,
            expected_version=expected,
        )
    )


@router.post(_PROPOSAL + "/execution", name="rounds.execute_transfer", summary="Execute a decreed transfer", **_COMMAND)
async def execute_transfer(round_id: UUID, proposal_id: UUID, command: Command) -> Response:
    """Carry out a decreed transfer on or after its effective date (round, employee, positions)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.execute_transfer(actor, round_id, proposal_id, expected_version=expected)
    )


@router.post(
    "/{round_id}/executions",
    name="rounds.execute_transfers_together",
    summary="Execute several transfers together",
    **_COMMAND,
)
async def execute_transfers_together(round_id: UUID, body: ExecuteTogether, command: Command) -> Response:
    """Carry out several decreed transfers at once, all or none: everyone leaves before anyone
    arrives, so a swap or a cycle of full positions (moves a plan marks `joint`) can take effect."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.execute_transfers_together(
            actor, round_id, body.proposal_ids, expected_version=expected
        )
    )


@router.post(
    _PROPOSAL + "/evaluations", name="rounds.evaluate_transfer", summary="Record a post-transfer evaluation", **_CREATED
)
async def evaluate_transfer(round_id: UUID, proposal_id: UUID, body: EvaluateTransfer, command: Command) -> Response:
    """Record a post-transfer evaluation (on the round and the employee together)."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.evaluate_transfer(
            actor, round_id, proposal_id, body.findings(), expected_version=expected
        ),
        201,
        _round,
    )


@router.post("/{round_id}/closure", name="rounds.close", summary="Close the round", **_COMMAND)
async def close(round_id: UUID, body: CloseRound, command: Command) -> Response:
    """Close the round; refused while a decreed transfer awaits execution."""
    app = command.application
    return await command.run_in_thread(
        lambda actor, expected: app.close_round(actor, round_id, **body.model_dump(), expected_version=expected)
    )
