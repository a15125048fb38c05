"""Whose record is it: the agency of an employee, a position, a round or a plan, and `domain.authority`
applied to it (DOMAIN.md "Who may act for an agency").

- A position belongs to its agency; a round to its agency; a plan to its round's agency.
- An employee belongs to the agency of the position they hold (once retired: the one they last held);
  one who never held a position belongs to the agency that registered them. A record made before
  agencies were named (`Employee.Registered` version 1) that holds no position names no agency: any
  official of the role may act on it until it is placed.
- National officials (agencies `["*"]`) reach every agency: checking them reads nothing.
- Lists and reports of many agencies are scoped by `scoped_agency`: a caller who is not national reads
  one agency they serve at a time.
- A command on a round loads it through `_round`, which also notes the employee's NIP on each proposal
  recorded without it (`MutationRound.Proposed` version 1): every act judges rule 9 on that NIP.
"""

from __future__ import annotations

from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.base import MutasiBase
from application.context import Actor
from application.errors import (
    EmployeeNotFound,
    NotFoundError,
    PositionNotFound,
    RoundNotFound,
    VersionMismatch,
)
from domain.authority import OutsideAuthority, check_acts_for
from domain.employee import Employee
from domain.errors import InvalidValue
from domain.mutation_round import MutationRound
from domain.official import Official
from domain.planning.plan import MutationPlan
from domain.position import Position

A = TypeVar("A", bound=Aggregate)
_MISSING: dict[type[Aggregate], type[NotFoundError]] = {
    Employee: EmployeeNotFound,
    Position: PositionNotFound,
    MutationRound: RoundNotFound,
}


def check_national(official: Official, what: str) -> None:
    """Refuse unless `official` serves every agency: for what no single agency scopes (the whole store)."""
    if not official.is_national:
        served = ", ".join(official.agencies) or "no agency"
        raise OutsideAuthority(f"{official.user} acts for {served}; only a national official may read {what}")


def scoped_agency(official: Official, agency: str | None, what: str = "lists and reports") -> str | None:
    """The agency an act or a list of `official` is about: the one named, if they serve it (else
    `OutsideAuthority`); when none is named, every agency (None) for a national official, else the one
    agency they serve (one who serves several must name it: `InvalidValue`)."""
    if agency is not None:
        check_acts_for(official, agency, f"its {what}")
        return agency
    if official.is_national:
        return None
    if len(official.agencies) == 1:
        return official.agencies[0]
    if not official.agencies:
        raise OutsideAuthority(f"{official.user} acts for no agency and may not act on any agency's {what}")
    raise InvalidValue(f"{official.user} acts for several agencies: name the agency of the {what}")


class AgencyAuthority(MutasiBase):
    """The agency of each record, read through the application, and the checks on it."""

    def check_reaches(
        self,
        actor: Actor,
        aggregate_id: UUID,
        what: str = "this record",
        kind: type[Aggregate] = Aggregate,
    ) -> None:
        """Refuse (`OutsideAuthority`) unless `actor` acts for the agency of the record `aggregate_id`
        (employee, position, round or plan); only a national official reaches a record of another kind.
        For routes that read elsewhere (the views, the audit log). An unknown id, or one of another
        `kind` than asked, is a `NotFoundError` (checking a national official reads nothing)."""
        official = actor.official
        if official.is_national:
            return
        aggregate = self._load(kind, aggregate_id, _MISSING.get(kind, NotFoundError))
        if not isinstance(aggregate, (Employee, Position, MutationRound, MutationPlan)):
            check_national(official, what)
        self._check(actor, aggregate, what)

    def _check(self, actor: Actor, aggregate: Aggregate, what: str) -> None:
        """Refuse unless `actor` acts for the agency of `aggregate` (no check for a record of no agency)."""
        official = actor.official
        if official.is_national:
            return
        agency = self._agency_of(aggregate)
        if agency is not None:
            check_acts_for(official, agency, what)

    def _agency_of(self, aggregate: Aggregate) -> str | None:
        if isinstance(aggregate, (Position, MutationRound)):
            return aggregate.agency
        if isinstance(aggregate, Employee):
            if not aggregate.placements:
                return aggregate.agency
            return self._load(Position, aggregate.placements[-1].position_id, PositionNotFound).agency
        if isinstance(aggregate, MutationPlan):
            return self._load(MutationRound, aggregate.round_id, RoundNotFound).agency
        return None

    def _load_for(
        self,
        actor: Actor,
        cls: type[A],
        aggregate_id: UUID,
        missing: type[NotFoundError],
        expected_version: int | None,
        what: str,
    ) -> A:
        """Load for a command of `actor`: not found, then outside authority, then the expected version
        (RFC 9110 13.2.1: preconditions count only for a request that would otherwise succeed)."""
        aggregate = self._load(cls, aggregate_id, missing)
        self._check(actor, aggregate, what)
        self._expect(aggregate, expected_version)
        return aggregate

    def _round(self, actor: Actor | None, round_id: UUID, expected_version: int | None) -> MutationRound:
        """The round for a command of `actor`: unknown (404), then outside their agency (403), then
        moved since the version they read (412); `actor` None leaves the agency to the domain (an
        employee objects to their own transfer). Proposals recorded without their employee's NIP
        (`Proposed` version 1) get it noted here, in one `EmployeeNipsNoted` saved with the command's
        own events (or not at all when the command is refused): every act judges rule 9 on it."""
        if actor is None:
            mutation_round = self._load(MutationRound, round_id, RoundNotFound, expected_version)
        else:
            mutation_round = self._load_for(
                actor, MutationRound, round_id, RoundNotFound, expected_version, "this round"
            )
        lacking = mutation_round.proposals_without_nip()
        if lacking:
            mutation_round.note_employee_nips(
                {p.proposal_id: self._load(Employee, p.employee_id, EmployeeNotFound).nip for p in lacking}
            )
        return mutation_round

    @staticmethod
    def _expect(aggregate: Aggregate, expected_version: int | None) -> None:
        """Refuse (`VersionMismatch`) unless `aggregate` is at the version the caller expects (if any)."""
        if expected_version is not None and aggregate.version != expected_version:
            raise VersionMismatch(
                f"{type(aggregate).__name__} {aggregate.id} is at version {aggregate.version}, not {expected_version}",
                expected_version,
                aggregate.version,
            )
