"""Domain services that change several aggregates together; the caller saves them in one go."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TypeVar
from uuid import UUID

from domain.employee import Employee, PostTransferEvaluation
from domain.errors import IllegalTransition
from domain.mutation_round import MutationRound
from domain.official import Official
from domain.policy import RulePolicy
from domain.position import Position
from domain.proposal import EvaluationFindings

A = TypeVar("A")


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
    mutation_round: MutationRound,
    proposal_id: UUID,
    employee: Employee,
    origin: Position,
    target: Position,
    today: date,
    executor: Official,
    policy: RulePolicy,
) -> None:
    """Carry out a decreed transfer: round, employee and both positions change together."""
    mutation_round.check_concerns(mutation_round.proposal(proposal_id), employee, origin, target)
    execute_transfers_together(
        mutation_round,
        [proposal_id],
        {employee.id: employee},
        {origin.id: origin, target.id: target},
        today,
        executor,
        policy,
    )


def execute_transfers_together(
    mutation_round: MutationRound,
    proposal_ids: Sequence[UUID],
    employees: Mapping[UUID, Employee],
    positions: Mapping[UUID, Position],
    today: date,
    executor: Official,
    policy: RulePolicy,
) -> None:
    """Carry out decreed transfers of one round that take effect together, such as a swap or any
    cycle of full positions (which a mutation plan marks `joint`): everyone leaves before anyone
    arrives, so a target needs its seat only once the movers leaving it have gone. Everything is
    checked before anything changes, each decree judged again as it stands now
    (`MutationRound.check_executable`): a refused set changes no aggregate.

    `employees` and `positions` hold (at least) the proposals' employees, origins and targets.
    """
    if not proposal_ids:
        raise IllegalTransition("no transfer to execute")
    if len(set(proposal_ids)) != len(proposal_ids):
        raise IllegalTransition("a transfer is listed twice")
    moves = []
    for proposal_id in proposal_ids:
        proposal = mutation_round.proposal(proposal_id)
        employee, origin, target = (
            _one(employees, proposal.employee_id, "employee"),
            _one(positions, proposal.from_position_id, "position"),
            _one(positions, proposal.target_position_id, "position"),
        )
        mutation_round.check_executable(proposal_id, today, employee, origin, target, executor, policy)
        decree = proposal.decree
        assert decree is not None  # check_executable refuses a proposal without a decree
        employee.check_transfer(origin.id, target.id, decree.effective_on)
        origin.check_holds(employee.id)
        moves.append((proposal_id, decree, employee, origin, target))
    if len({employee.id for _, _, employee, _, _ in moves}) != len(moves):
        raise IllegalTransition("an employee can be moved by one transfer only")
    arriving: dict[UUID, list[UUID]] = {}
    leaving: dict[UUID, set[UUID]] = {}
    for _, _, employee, origin, target in moves:
        arriving.setdefault(target.id, []).append(employee.id)
        leaving.setdefault(origin.id, set()).add(employee.id)
    for target_id, movers in arriving.items():
        positions[target_id].check_seats_for(movers, leaving.get(target_id, set()))
    for proposal_id, decree, employee, origin, target in moves:  # every departure first ...
        mutation_round.record_execution(proposal_id)
        employee.transfer(origin.id, target.id, decree.number, decree.effective_on, mutation_round.id)
        origin.remove_holder(employee.id, decree.effective_on, decree.number)
    for _, decree, employee, _, target in moves:  # ... then every arrival
        target.add_holder(employee.id, decree.effective_on, decree.number)


def _one(aggregates: Mapping[UUID, A], aggregate_id: UUID, kind: str) -> A:
    try:
        return aggregates[aggregate_id]
    except KeyError:
        raise IllegalTransition(f"the {kind} {aggregate_id} of a transfer was not given") from None


def evaluate_transfer(
    mutation_round: MutationRound,
    proposal_id: UUID,
    employee: Employee,
    findings: EvaluationFindings,
    evaluator: Official,
    today: date,
    policy: RulePolicy,
) -> PostTransferEvaluation:
    """Record a post-transfer evaluation on the round and on the employee, before vs after."""
    proposal = mutation_round.proposal(proposal_id)
    if employee.id != proposal.employee_id:
        raise IllegalTransition("the employee is not the one this proposal moved")
    executed_on = proposal.executed_on
    before = employee.latest_rating(before=executed_on) if executed_on else None
    performance_before = before.predikat if before else None
    mutation_round.evaluate(proposal_id, findings, performance_before, evaluator, today, policy)
    evaluation = PostTransferEvaluation(
        mutation_round.id,
        proposal_id,
        findings.months_after,
        findings.evaluated_on,
        performance_before,
        findings.performance_after,
        findings.adaptation,
        findings.service_quality,
        findings.notes,
        findings.corrective_action,
    )
    employee.record_evaluation(evaluation)
    return evaluation
