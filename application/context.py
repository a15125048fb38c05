"""Who is acting, and what a command recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID, uuid4

from domain.official import Official
from domain.vocabulary import Office, Predikat


@dataclass(frozen=True)
class Actor:
    """The user behind a command, with the correlation id of the request that carried it, the
    agencies they act for (`domain.official.NATIONAL` for all) and their deciding office, if any."""

    user: str
    nip: str | None = None
    correlation_id: str = field(default_factory=lambda: uuid4().hex)
    agencies: tuple[str, ...] = ()
    office: Office | None = None

    @property
    def official(self) -> Official:
        """The actor as the domain names people who propose, review and decide."""
        return Official(self.user, self.nip, self.agencies, self.office)


@dataclass(frozen=True)
class Recorded:
    """What a command recorded: the aggregate, its new version, and the store position of its last event.

    `position` lets a reader wait until a projection has caught up with this write. Some commands
    also return what they created or computed (`proposal_id`, `plan_id`, `predikat`).
    """

    aggregate_id: UUID
    version: int
    position: int | None
    proposal_id: UUID | None = None
    plan_id: UUID | None = None
    predikat: Predikat | None = None
    objection_id: UUID | None = None
