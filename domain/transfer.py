"""Domain services that change several aggregates together; the caller saves them in one go."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.employee import Employee, PostTransferEvaluation
from domain.errors import IllegalTransition
from domain.mutation_round import MutationRound
from domain.official import Official
from domain.position import Position
from domain.proposal import EvaluationFindings


def place_employee(employee: Employee, position: Position, effective_on: date, decree_number: str) -> None:
    """Seat an employee in a first position: both the employee and the position change."""
    position.check_seat_for(employee.id)
    employee.place(position.id, effective_on, decree_number)
    position.add_holder(employee.id, effective_on, decree_number)


def retire_employee(employee: Employee, position: Position | None, retired_on: date, reason: str) -> None:
    """Retire an employee and free the seat they held, if any."""
    if (position.id if position else None) != employee.position_id:
        raise IllegalTransition("the position given is not the one the employee holds")
    employee.retire(retired_on, reason)
    if position is not None:
        position.remove_holder(employee.id, retired_on, f"retirement: {reason}")


def execute_transfer(
    mutation_round: MutationRound, proposal_id: UUID, employee: Employee, origin: Position,
    target: Position, today: date,
) -> None:
    """Carry out a decreed transfer: round, employee and both positions change together."""
    proposal = mutation_round.proposal(proposal_id)
    mutation_round.check_concerns(proposal, employee, origin, target)
    target.check_seat_for(employee.id)  # before anything changes: a chain's departure goes first
    mutation_round.execute(proposal_id, today)
    decree = proposal.decree
    assert decree is not None  # execute() refuses a proposal without a decree
    employee.transfer(origin.id, target.id, decree.number, decree.effective_on, mutation_round.id)
    origin.remove_holder(employee.id, decree.effective_on, decree.number)
    target.add_holder(employee.id, decree.effective_on, decree.number)


def evaluate_transfer(
    mutation_round: MutationRound, proposal_id: UUID, employee: Employee,
    findings: EvaluationFindings, evaluator: Official,
) -> PostTransferEvaluation:
    """Record a post-transfer evaluation on the round and on the employee, before vs after."""
    proposal = mutation_round.proposal(proposal_id)
    if employee.id != proposal.employee_id:
        raise IllegalTransition("the employee is not the one this proposal moved")
    executed_on = proposal.executed_on
    before = employee.latest_rating(before=executed_on) if executed_on else None
    performance_before = before.predikat if before else None
    mutation_round.evaluate(proposal_id, findings, performance_before, evaluator, employee.nip)
    evaluation = PostTransferEvaluation(
        mutation_round.id, proposal_id, findings.months_after, findings.evaluated_on,
        performance_before, findings.performance_after, findings.adaptation,
        findings.service_quality, findings.notes, findings.corrective_action,
    )
    employee.record_evaluation(evaluation)
    return evaluation
