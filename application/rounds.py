"""Use cases on mutation rounds: open, propose, review, decide, announce, decree, execute, evaluate."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from uuid import UUID

from application.authority import AgencyAuthority
from application.context import Actor, Recorded
from application.errors import EmployeeNotFound, PositionNotFound, RoundNotFound
from domain.authority import check_acts_for
from domain.eligibility import EligibilityReport, FreezeWindow
from domain.eligibility.conflict import Act
from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.official import Official
from domain.position import Position
from domain.proposal import (
    Consent,
    Decree,
    EvaluationFindings,
    Override,
    Recommendation,
    TechnicalReview,
)
from domain.transfer import evaluate_transfer, execute_transfer, execute_transfers_together
from domain.vocabulary import ConsentParty, TransferKind


class RoundUseCases(AgencyAuthority):
    """Commands and queries on the MutationRound aggregate, and the transfers it carries out."""

    def open_round(
        self,
        actor: Actor,
        agency: str,
        kind: TransferKind,
        title: str,
        period_starts_on: date,
        period_ends_on: date,
        planned_effective_on: date,
        freeze_windows: Sequence[FreezeWindow] = (),
        non_working_days: Sequence[date] = (),
    ) -> Recorded:
        """Open a round with the agency's election-freeze windows and non-working days."""
        mutation_round = MutationRound.open(
            agency,
            kind,
            title,
            period_starts_on,
            period_ends_on,
            planned_effective_on,
            tuple(freeze_windows),
            actor.official,
            tuple(non_working_days),
        )
        return self._recorded(actor, mutation_round)

    def get_round(
        self,
        round_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
        reader: Actor | None = None,
    ) -> MutationRound:
        """The round now, at a version, or as recorded at a past moment; a `reader` must act for
        the round's agency (or every agency). Without one: the application's own reads."""
        mutation_round = self._read(MutationRound, round_id, RoundNotFound, version, as_of)
        if reader is not None:
            check_acts_for(reader.official, mutation_round.agency, "this round")
        return mutation_round

    def _people(self, employee_id: UUID, target_id: UUID) -> tuple[Employee, Position, Position]:
        employee = self._load(Employee, employee_id, EmployeeNotFound)
        if employee.position_id is None:
            raise EmployeeNotFound(f"employee {employee.nip} holds no position to move from")
        current = self._load(Position, employee.position_id, PositionNotFound)
        target = self._load(Position, target_id, PositionNotFound)
        return employee, current, target

    def check_eligibility(
        self,
        actor: Actor,
        round_id: UUID,
        employee_id: UUID,
        target_position_id: UUID,
        act: Act | None = None,
        proposal_id: UUID | None = None,
    ) -> EligibilityReport:
        """Every rule for a candidate move in this round, without recording anything; rule 9 is
        judged for the caller doing `act` (default: proposing, or deciding `proposal_id`)."""
        mutation_round = self._load_for(actor, MutationRound, round_id, RoundNotFound, None, "this round")
        employee, current, target = self._people(employee_id, target_position_id)
        return mutation_round.eligibility(
            employee, current, target, actor.official, self.policy, proposal_id, act, self.today()
        )

    def propose(
        self,
        actor: Actor,
        round_id: UUID,
        employee_id: UUID,
        target_position_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Propose a candidate; the JPM and every rule's result are recorded with the proposal."""
        mutation_round = self._round(actor, round_id, expected_version)
        employee, current, target = self._people(employee_id, target_position_id)
        proposal_id = mutation_round.propose(employee, current, target, reason, actor.official, self.policy)
        return self._recorded(actor, mutation_round, proposal_id=proposal_id)

    def withdraw(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        reason: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Withdraw an undecided proposal."""
        mutation_round = self._round(actor, round_id, expected_version)
        mutation_round.withdraw(proposal_id, actor.official, reason)
        return self._recorded(actor, mutation_round, proposal_id=proposal_id)

    def record_consent(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        party: ConsentParty,
        given_by: Official,
        position_id: UUID,
        letter_number: str,
        given_on: date,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a PPK's written consent to a cross-agency transfer."""
        mutation_round = self._round(actor, round_id, expected_version)
        consent = Consent(ConsentParty(party), given_by, position_id, letter_number, given_on)
        mutation_round.record_consent(proposal_id, consent, actor.official)
        return self._recorded(actor, mutation_round, proposal_id=proposal_id)

    def record_technical_review(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        approved: bool,
        reference: str,
        reviewed_on: date,
        notes: str = "",
        expected_version: int | None = None,
    ) -> Recorded:
        """Record BKN's technical review of a cross-agency proposal."""
        mutation_round = self._round(actor, round_id, expected_version)
        review = TechnicalReview(approved, actor.official, reference, reviewed_on, notes)
        mutation_round.record_technical_review(proposal_id, review)
        return self._recorded(actor, mutation_round, proposal_id=proposal_id)

    def recommend(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        recommended: bool,
        notes: str,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record the committee's recommendation to the PPK."""
        mutation_round = self._round(actor, round_id, expected_version)
        recommendation = Recommendation(recommended, actor.official, notes)
        mutation_round.recommend(proposal_id, recommendation)
        return self._recorded(actor, mutation_round, proposal_id=proposal_id)

    def decide(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        approve: bool,
        reason: str,
        overrides: Sequence[Override] = (),
        expected_version: int | None = None,
    ) -> Recorded:
        """Approve (rules checked again now; failures need overrides) or reject a proposal."""
        mutation_round = self._round(actor, round_id, expected_version)
        proposal = mutation_round.proposal(proposal_id)
        if approve:
            employee, current, target = self._people(proposal.employee_id, proposal.target_position_id)
            mutation_round.approve(
                proposal_id,
                employee,
                current,
                target,
                actor.official,
                reason,
                self.policy,
                tuple(overrides),
                self.today(),
            )
        else:
            origin = self._load(Position, proposal.from_position_id, PositionNotFound)
            mutation_round.reject(proposal_id, actor.official, reason, origin.agency, self.today())
        return self._recorded(actor, mutation_round, proposal_id=proposal_id)

    def announce(
        self, actor: Actor, round_id: UUID, announced_on: date, expected_version: int | None = None
    ) -> Recorded:
        """Publish the round's decided list."""
        mutation_round = self._round(actor, round_id, expected_version)
        mutation_round.announce(actor.official, announced_on)
        return self._recorded(actor, mutation_round)

    def issue_decree(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        number: str,
        signed_on: date,
        effective_on: date,
        overrides: Sequence[Override] = (),
        expected_version: int | None = None,
    ) -> Recorded:
        """Record the SK of an approved proposal (signed by the acting PPK): every rule is judged
        again on its TMT, and what newly fails (or a back-dated TMT) needs an override."""
        mutation_round = self._round(actor, round_id, expected_version)
        proposal = mutation_round.proposal(proposal_id)
        employee, current, target = self._people(proposal.employee_id, proposal.target_position_id)
        decree = Decree(number, signed_on, effective_on, actor.official)
        mutation_round.issue_decree(
            proposal_id, decree, employee, current, target, self.policy, self.today(), tuple(overrides)
        )
        return self._recorded(actor, mutation_round, proposal_id=proposal_id)

    def execute_transfer(
        self, actor: Actor, round_id: UUID, proposal_id: UUID, expected_version: int | None = None
    ) -> Recorded:
        """Carry out a decreed transfer: round, employee and both positions in one atomic save."""
        mutation_round = self._round(actor, round_id, expected_version)
        proposal = mutation_round.proposal(proposal_id)
        employee = self._load(Employee, proposal.employee_id, EmployeeNotFound)
        origin = self._load(Position, proposal.from_position_id, PositionNotFound)
        target = self._load(Position, proposal.target_position_id, PositionNotFound)
        execute_transfer(
            mutation_round, proposal_id, employee, origin, target, self.today(), actor.official, self.policy
        )
        return self._recorded(actor, mutation_round, employee, origin, target, proposal_id=proposal_id)

    def execute_transfers_together(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_ids: Sequence[UUID],
        expected_version: int | None = None,
    ) -> Recorded:
        """Carry out decreed transfers of the round at once, e.g. a swap of two full positions: the
        round, every employee and every position in one atomic save; all of them or none."""
        mutation_round = self._round(actor, round_id, expected_version)
        proposals = [mutation_round.proposal(proposal_id) for proposal_id in proposal_ids]
        employees = {p.employee_id: self._load(Employee, p.employee_id, EmployeeNotFound) for p in proposals}
        position_ids = dict.fromkeys(i for p in proposals for i in (p.from_position_id, p.target_position_id))
        positions = {i: self._load(Position, i, PositionNotFound) for i in position_ids}
        execute_transfers_together(
            mutation_round, proposal_ids, employees, positions, self.today(), actor.official, self.policy
        )
        return self._recorded(actor, mutation_round, *employees.values(), *positions.values())

    def evaluate_transfer(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        findings: EvaluationFindings,
        expected_version: int | None = None,
    ) -> Recorded:
        """Record a post-transfer evaluation on the round and the employee together."""
        mutation_round = self._round(actor, round_id, expected_version)
        employee_id = mutation_round.proposal(proposal_id).employee_id
        employee = self._load(Employee, employee_id, EmployeeNotFound)
        evaluate_transfer(mutation_round, proposal_id, employee, findings, actor.official, self.today(), self.policy)
        return self._recorded(actor, mutation_round, employee, proposal_id=proposal_id)

    def close_round(
        self, actor: Actor, round_id: UUID, closed_on: date, expected_version: int | None = None
    ) -> Recorded:
        """Close the round."""
        mutation_round = self._round(actor, round_id, expected_version)
        mutation_round.close(actor.official, closed_on)
        return self._recorded(actor, mutation_round)
