"""The register as the planner sees it: the pool of candidates, the seats, and who is already promised."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from domain.eligibility import RULES, EligibilityCase, RuleOutcome
from domain.employee import Employee
from domain.errors import InvalidValue
from domain.mutation_round import MutationRound
from domain.official import Official
from domain.plan_options import PlanOptions
from domain.planning.result import SkippedCandidate
from domain.policy import RulePolicy
from domain.position import Position
from domain.proposal import ProposalStatus
from domain.vocabulary import TransferKind

PERSONAL_RULES = (
    "tenure",
    "senior_executive_lock",
    "election_freeze",
    "performance",
    "discipline",
    "conflict_of_interest",
)
"""The rules that look only at the employee, the date and the actor: judged once per candidate."""


@dataclass(frozen=True)
class Candidate:
    """A pool member: the employee, the position held, and the outcomes of the personal rules."""

    employee: Employee
    current: Position
    personal: tuple[RuleOutcome, ...]
    flags: tuple[str, ...]

    @property
    def id(self) -> UUID:
        return self.employee.id

    @property
    def failed_personal(self) -> tuple[RuleOutcome, ...]:
        return tuple(o for o in self.personal if not o.passed)


@dataclass(frozen=True)
class PlanningRegister:
    """Everything a plan is computed from: the round, the positions and the employees (no I/O)."""

    round: MutationRound
    positions: dict[UUID, Position]
    employees: tuple[Employee, ...]

    @classmethod
    def of(
        cls, mutation_round: MutationRound, positions: Iterable[Position], employees: Iterable[Employee]
    ) -> PlanningRegister:
        """Sorted by id, so the same register always gives the same plan."""
        return cls(
            mutation_round,
            {p.id: p for p in sorted(positions, key=lambda p: str(p.id))},
            tuple(sorted(employees, key=lambda e: str(e.id))),
        )

    def case(
        self,
        employee: Employee,
        current: Position,
        target: Position,
        actor: Official,
        policy: RulePolicy,
        seats_promised: int = 0,
        seats_freed: int = 0,
    ) -> EligibilityCase:
        """The eligibility case of moving `employee` to `target` in this round."""
        r = self.round
        return EligibilityCase(
            employee=employee,
            current_position=current,
            target=target,
            kind=r.kind,
            effective_on=r.planned_effective_on,
            actor=actor,
            policy=policy,
            freeze_windows=r.freeze_windows,
            seats_promised=seats_promised,
            seats_freed=seats_freed,
        )

    def seats(self, options: PlanOptions) -> tuple[Position, ...]:
        """The positions the plan may fill: the round agency's, not abolished, in the target units."""
        excluded = set(options.excluded_positions)
        seats = tuple(
            p
            for p in self.positions.values()
            if p.agency == self.round.agency
            and p.abolished_on is None
            and p.id not in excluded
            and (not options.target_units or p.unit in options.target_units)
        )
        ids = {p.id for p in seats}
        wanted = set(options.pinned_positions) | {pair.position_id for pair in options.pinned_pairs}
        if wanted - ids:
            raise InvalidValue(f"pinned positions are not seats of this plan: {sorted(map(str, wanted - ids))}")
        return seats

    def promised(self, position_id: UUID) -> int:
        """Seats of the position promised to approved proposals of the round."""
        return self.round.seats_promised(position_id)

    def freed(self, position_id: UUID) -> int:
        """Holders of the position approved to leave it in the round (their seats count as free)."""
        return self.round.seats_freed(position_id)

    def free(self, position: Position) -> int:
        """Rule 8's free seats before the plan: formasi - staying holders - promised (negative: over)."""
        return position.formasi - len(position.holders) + self.freed(position.id) - self.promised(position.id)

    def pool(
        self, options: PlanOptions, actor: Official, policy: RulePolicy
    ) -> tuple[tuple[Candidate, ...], tuple[SkippedCandidate, ...]]:
        """The candidates the options select, and those they select but the plan must leave out."""
        forced = set(options.volunteers) | set(options.pinned_employees) | {p.employee_id for p in options.pinned_pairs}
        busy = {
            p.employee_id: p
            for p in self.round.proposals.values()
            if p.status not in (ProposalStatus.WITHDRAWN, ProposalStatus.REJECTED)
        }
        within = self.round.kind is TransferKind.WITHIN_AGENCY
        pool, skipped = [], []
        for employee in self.employees:
            current = self.positions.get(employee.position_id) if employee.position_id else None
            if employee.retired_on is not None or current is None:
                continue
            if (current.agency == self.round.agency) != within:
                continue
            personal = tuple(
                rule.check(self.case(employee, current, current, actor, policy))
                for rule in RULES
                if rule.code in PERSONAL_RULES
            )
            flags = tuple(f for o in personal for f in o.flags)
            selected = (
                (not options.units or current.unit in options.units)
                and (not options.position_types or current.position_type in options.position_types)
                and (not options.due_for_rotation_only or "due_for_rotation" in flags)
            )
            if not selected and employee.id not in forced:
                continue
            if employee.id in options.excluded_employees:
                skipped.append(SkippedCandidate(employee.id, employee.name, "excluded by hand"))
            elif employee.id in busy:
                proposal = busy[employee.id]
                skipped.append(
                    SkippedCandidate(
                        employee.id,
                        employee.name,
                        f"already has proposal {proposal.proposal_id} ({proposal.status.value}) in this round",
                    )
                )
            else:
                extra = ("volunteer",) if employee.id in options.volunteers else ()
                pool.append(Candidate(employee, current, personal, flags + extra))
        missing = forced - set(options.volunteers) - {c.id for c in pool}
        if missing:
            raise InvalidValue(f"pinned employees are not in the candidate pool: {sorted(map(str, missing))}")
        return tuple(pool), tuple(skipped)
