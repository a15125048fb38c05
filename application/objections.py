"""Use cases of objections (sanggah): file one, answer one, and the employee's own view of a round."""

from __future__ import annotations

from uuid import UUID

from application.authority import AgencyAuthority
from application.context import Actor, Recorded
from application.errors import RoundNotFound
from application.planning import PlanNotFound
from domain.employee import Employee
from domain.mutation_round import MutationRound
from domain.objection import HumanReview, ObjectionGrounds
from domain.planning.plan import MutationPlan, move_explanation
from domain.proposal import Proposal


class ObjectionUseCases(AgencyAuthority):
    """Commands on the objection stage of a round, and what an employee may read of their own."""

    def file_objection(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        grounds: ObjectionGrounds,
        text: str,
        letter_reference: str | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """File an objection to a decided proposal: by the employee concerned (their NIP in the token)
        or by an operator of the agency on their written behalf (`letter_reference`). A proposal
        adopted from a mutation plan carries the plan's explanation of the move."""
        mutation_round = self._round(None, round_id, expected_version)  # the domain judges who may object
        proposal = mutation_round.proposal(proposal_id)
        explanation = None
        if proposal.plan is not None:
            plan = self._load(MutationPlan, proposal.plan.plan_id, PlanNotFound)
            explanation = move_explanation(plan, proposal.employee_id)
        objection_id = mutation_round.file_objection(
            proposal_id,
            actor.official,
            ObjectionGrounds(grounds),
            text,
            self.today(),
            self.policy,
            letter_reference,
            explanation,
        )
        return self._recorded(actor, mutation_round, proposal_id=proposal_id, objection_id=objection_id)

    def answer_objection(
        self,
        actor: Actor,
        round_id: UUID,
        proposal_id: UUID,
        objection_id: UUID,
        upheld: bool,
        reasons: str,
        human_review: HumanReview | None = None,
        expected_version: int | None = None,
    ) -> Recorded:
        """The committee answers an objection; an upheld one reopens the decision for the PPK."""
        mutation_round = self._round(actor, round_id, expected_version)
        mutation_round.answer_objection(
            proposal_id, objection_id, upheld, reasons, actor.official, self.today(), human_review
        )
        return self._recorded(actor, mutation_round, proposal_id=proposal_id, objection_id=objection_id)

    def own_proposals(self, actor: Actor, round_id: UUID) -> tuple[MutationRound, list[Proposal]]:
        """The round and the proposals in it that concern the caller (by the NIP in their token)."""
        mutation_round = self._load(MutationRound, round_id, RoundNotFound)
        if not actor.nip:
            return mutation_round, []
        own = Employee.create_id(actor.nip)
        return mutation_round, [p for p in mutation_round.proposals.values() if p.employee_id == own]
