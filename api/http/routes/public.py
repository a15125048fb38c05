"""/public: what the public may see of an announced round, personal data minimised (UU 27/2022)."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from api.http.deps import Application
from api.http.problems import documented
from api.http.routes.common import GUARDED
from api.http.schemas.rounds import AnnouncedTransfer, AnnouncementOut
from application.errors import RoundNotFound
from application.service import MutasiApplication
from domain.mutation_round import MutationRound, RoundStatus
from domain.nip import Nip
from domain.proposal import ProposalStatus

router = APIRouter(prefix="/public", tags=["public"], dependencies=GUARDED)
_PUBLISHED = (RoundStatus.ANNOUNCED, RoundStatus.CLOSED)
_APPROVED = (ProposalStatus.APPROVED, ProposalStatus.DECREED, ProposalStatus.EXECUTED)


@router.get(
    "/rounds/{round_id}/announcement",
    name="public.announcement",
    summary="The announced transfers of a round",
    response_model=AnnouncementOut,
    responses=documented(401, 404, 422, 503),
)
def announcement(round_id: UUID, app: Application) -> AnnouncementOut:
    """The approved transfers of an announced round: masked NIP, name, from and to; nothing else.

    A round that is not announced yet is not found here: the same 404, with the same words, as an id
    that names no round at all, so its existence does not leak.
    """
    unpublished = RoundNotFound(f"no announced round {round_id}")
    try:
        mutation_round = app.get_round(round_id)
    except RoundNotFound:
        raise unpublished from None
    if mutation_round.status not in _PUBLISHED or mutation_round.announced_on is None:
        raise unpublished
    return AnnouncementOut(
        round_id=mutation_round.id,
        agency=mutation_round.agency,
        title=mutation_round.title,
        kind=mutation_round.kind,
        announced_on=mutation_round.announced_on,
        transfers=_transfers(app, mutation_round),
    )


def _transfers(app: MutasiApplication, mutation_round: MutationRound) -> list[AnnouncedTransfer]:
    transfers = []
    for proposal in mutation_round.proposals.values():
        if proposal.status not in _APPROVED:
            continue
        employee = app.get_employee(proposal.employee_id)
        origin = app.get_position(proposal.from_position_id)
        target = app.get_position(proposal.target_position_id)
        transfers.append(
            AnnouncedTransfer(
                masked_nip=Nip.parse(employee.nip).masked(),
                name=employee.name,
                from_unit=origin.unit,
                from_title=origin.title,
                to_unit=target.unit,
                to_title=target.title,
                decree_number=proposal.decree.number if proposal.decree else None,
                effective_on=proposal.decree.effective_on if proposal.decree else None,
            )
        )
    return transfers
