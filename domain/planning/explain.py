"""The reasons: every move re-judged by the ten rules on the plan's seats, every empty seat explained."""

from __future__ import annotations

import heapq
from collections import Counter
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import numpy as np

from domain.eligibility import assess_eligibility, match_for
from domain.eligibility.level import SameLevel
from domain.errors import DomainError
from domain.official import Official
from domain.plan_options import Pair, PlanOptions
from domain.planning.matching import Matching, hundredths
from domain.planning.register import PERSONAL_RULES, Candidate, PlanningRegister
from domain.planning.result import CandidateVerdict, EmptySeat, RecommendedMove, UnitSpread
from domain.policy import RulePolicy
from domain.position import Position

LEVEL = SameLevel()


class PlanInconsistent(DomainError):
    """A recommended move failed a rule when judged again on the plan's seats (a defect, never normal)."""

    code = "plan-inconsistent"


class PlannedPosition:
    """A position as the plan leaves it: the same, minus the holders who move away in the plan."""

    def __init__(self, position: Position, leaving: set[UUID]) -> None:
        self._position = position
        self.holders = {k: v for k, v in position.holders.items() if k not in leaving}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._position, name)


def _points(value: int) -> Decimal:
    return (Decimal(int(value)) / 100).quantize(Decimal("0.01"))


class Explainer:
    """Builds the plan's explanations from the register, the pool and the matching arrays."""

    def __init__(
        self,
        register: PlanningRegister,
        pool: tuple[Candidate, ...],
        matching: Matching,
        options: PlanOptions,
        actor: Official,
        policy: RulePolicy,
    ) -> None:
        self.register, self.pool, self.matching = register, pool, matching
        self.options, self.actor, self.policy = options, actor, policy
        fails = [[not o.passed for o in c.personal] for c in pool]
        self.personal_fail = np.array(fails, dtype=bool).reshape(len(pool), len(PERSONAL_RULES))
        self.excluded = set(options.excluded_pairs)
        self.stay = matching.stay_jpm()

    # -- recommended moves -------------------------------------------------------

    def moves(self, persons: np.ndarray, columns: np.ndarray) -> tuple[RecommendedMove, ...]:
        """Each chosen pair judged again by all ten rules on the plan's seats, in execution order."""
        cols = self.matching.columns
        leaving: dict[UUID, set[UUID]] = {}
        arriving: Counter[UUID] = Counter()
        for i, j in zip(persons.tolist(), columns.tolist(), strict=False):
            leaving.setdefault(self.pool[i].current.id, set()).add(self.pool[i].id)
            arriving[cols[j].id] += 1
        order, takes, joint = self._sequence(persons, columns)
        moves = []
        for i, j in zip(persons.tolist(), columns.tolist(), strict=False):
            candidate, target = self.pool[i], cols[j]
            # the proxy answers as the position it wraps (its holders aside): the rules take it as one
            planned = cast(Position, PlannedPosition(target, leaving.get(target.id, set())))
            case = self.register.case(
                candidate.employee,
                candidate.current,
                planned,
                self.actor,
                self.policy,
                self.register.promised(target.id) + arriving[target.id] - 1,
                self.register.freed(target.id),
            )
            report = assess_eligibility(case)
            if not report.passed:
                raise PlanInconsistent(
                    f"{candidate.employee.nip} to {target.title}: "
                    + "; ".join(f"{o.rule}: {o.explanation}" for o in report.failed)
                )
            match = match_for(case)
            moves.append(
                RecommendedMove(
                    employee_id=candidate.id,
                    name=candidate.employee.name,
                    nip=candidate.employee.nip,
                    from_position_id=candidate.current.id,
                    from_unit=candidate.current.unit,
                    from_title=candidate.current.title,
                    to_position_id=target.id,
                    to_unit=target.unit,
                    to_title=target.title,
                    jpm=match.jpm,
                    category=match.category,
                    jpm_in_current_position=_points(self.stay[i]),
                    eligibility=report.outcomes,
                    gaps=match.gaps,
                    flags=candidate.flags,
                    order=order[candidate.id],
                    takes_seat_of=takes.get(candidate.id),
                    joint=candidate.id in joint,
                )
            )
        return tuple(sorted(moves, key=lambda mv: mv.order))

    def _sequence(
        self, persons: np.ndarray, columns: np.ndarray
    ) -> tuple[dict[UUID, int], dict[UUID, UUID], set[UUID]]:
        """An order in which each move finds a free seat; whose departure frees it; moves stuck in cycles.

        Among the moves whose seat is free, the one of the smallest employee id goes first.
        """
        cols = self.matching.columns
        vacant = {p.id: max(0, self.register.free(p)) for p in cols}
        surplus = {p.id: max(0, -self.register.free(p)) for p in cols}
        freed: dict[UUID, list[UUID]] = {}
        waiting: dict[UUID, list[tuple[str, int]]] = {}
        moves = {}
        for i, j in zip(persons.tolist(), columns.tolist(), strict=False):
            moves[i] = (self.pool[i], cols[j])
            waiting.setdefault(cols[j].id, []).append((str(self.pool[i].id), i))
        ready = [key for target, keys in waiting.items() if vacant[target] for key in keys]
        heapq.heapify(ready)
        order: dict[UUID, int] = {}
        takes: dict[UUID, UUID] = {}
        done: set[int] = set()
        while ready:
            key = heapq.heappop(ready)
            candidate, target = moves[key[1]]
            if key[1] in done or not (vacant[target.id] or freed.get(target.id)):
                continue
            done.add(key[1])
            order[candidate.id] = len(order) + 1
            if vacant[target.id]:
                vacant[target.id] -= 1
            else:
                takes[candidate.id] = freed[target.id].pop(0)
            origin = candidate.current.id
            if surplus.get(origin):
                surplus[origin] -= 1  # leaving an over-staffed position frees no seat yet
                continue
            freed.setdefault(origin, []).append(candidate.id)
            for other in waiting.get(origin, []):
                if other[1] not in done:
                    heapq.heappush(ready, other)
        pending = sorted((moves[i] for i in moves if i not in done), key=lambda pair: str(pair[0].id))
        joint = set()
        for candidate, target in pending:  # a cycle of full positions: no free seat to start from
            order[candidate.id] = len(order) + 1
            joint.add(candidate.id)
            holder = next((c.id for c, _ in pending if c.current.id == target.id), None)
            if holder is not None:
                takes[candidate.id] = holder
        return order, takes, joint

    # -- empty seats ---------------------------------------------------------------

    def blocked(self, i: int, j: int) -> CandidateVerdict:
        """The rules (and plan options) that keep candidate `i` out of column `j`, first reason in words."""
        candidate, target = self.pool[i], self.matching.columns[j]
        jpm = int(self.matching.jpm[i, j])
        rules, reasons = [], []
        for outcome in candidate.failed_personal:
            rules.append(outcome.rule)
            reasons.append(outcome.explanation)
        if not self.matching.rank_ok[i, j]:
            rules.append("rank")
            reasons.append(
                f"rank {candidate.employee.rank.value} lies outside {target.rank_min.value} to {target.rank_max.value}"
            )
        if not self.matching.competency_ok[i, j]:
            threshold = target.min_jpm if target.min_jpm is not None else self.policy.min_jpm_for_transfer
            rules.append("competency_fit")
            reasons.append(
                "no competency assessment recorded"
                if candidate.employee.latest_assessment is None
                else f"JPM {_points(jpm)} below the threshold of {threshold}"
            )
        if not self.matching.level_ok[i, j]:
            case = self.register.case(candidate.employee, candidate.current, target, self.actor, self.policy)
            rules.append(LEVEL.code)
            reasons.append(LEVEL.check(case).explanation)
        if self.options.min_jpm is not None and jpm < hundredths(self.options.min_jpm):
            rules.append("plan:min_jpm")
            reasons.append(f"JPM {_points(jpm)} below the plan's minimum of {self.options.min_jpm}")
        if Pair(candidate.id, target.id) in self.excluded:
            rules.append("plan:excluded")
            reasons.append("pair excluded by hand")
        return CandidateVerdict(
            candidate.id,
            candidate.employee.name,
            _points(jpm),
            tuple(rules),
            f"{rules[0]}: {reasons[0]}" if rules else "",
        )

    def empty_seats(
        self, target: np.ndarray, free: dict[int, int], moves: tuple[RecommendedMove, ...]
    ) -> tuple[EmptySeat, ...]:
        """Each seat position left with free seats: why nobody fills them, candidate by candidate."""
        m = self.matching
        index = m.index
        moved = {mv.employee_id: mv for mv in moves}
        balance = dict(free)
        for mv in moves:
            balance[index[mv.to_position_id]] -= 1
            if index[mv.from_position_id] in balance:
                balance[index[mv.from_position_id]] += 1
        limit_reached = self.options.max_moves is not None and len(moves) >= self.options.max_moves
        seats = []
        for j in np.flatnonzero(target).tolist():
            if balance[j] < 1:
                continue
            position = m.columns[j]
            rows = np.flatnonzero(m.origin != j)
            if not len(rows):
                seats.append(
                    EmptySeat(
                        position.id, position.unit, position.title, balance[j], "no candidate in the pool", {}, (), 0
                    )
                )
                continue
            counts = self._counts(rows, j)
            ranked = rows[np.lexsort((rows, -m.jpm[rows, j]))][: self.options.explain_limit]
            verdicts = tuple(self._verdict(int(i), j, moved, limit_reached) for i in ranked)
            blocked_all = counts.pop("eligible", 0) == 0
            reason = (
                "no eligible candidate: each candidate is blocked by a rule (see blocked_by)"
                if blocked_all
                else "the eligible candidates are recommended elsewhere or better kept in place"
            )
            seats.append(
                EmptySeat(position.id, position.unit, position.title, balance[j], reason, counts, verdicts, len(rows))
            )
        return tuple(seats)

    def _counts(self, rows: np.ndarray, j: int) -> dict[str, int]:
        m = self.matching
        fails = {code: self.personal_fail[rows, k] for k, code in enumerate(PERSONAL_RULES)}
        fails["rank"] = ~m.rank_ok[rows, j]
        fails["competency_fit"] = ~m.competency_ok[rows, j]
        fails[LEVEL.code] = ~m.level_ok[rows, j]
        if self.options.min_jpm is not None:
            fails["plan:min_jpm"] = m.jpm[rows, j] < hundredths(self.options.min_jpm)
        column_id = m.columns[j].id
        if self.excluded:
            fails["plan:excluded"] = np.array(
                [Pair(self.pool[i].id, column_id) in self.excluded for i in rows.tolist()], dtype=bool
            )
        blocked = np.zeros(len(rows), dtype=bool)
        counts = {}
        for code, mask in fails.items():
            blocked |= mask
            if mask.any():
                counts[code] = int(mask.sum())
        counts["eligible"] = int((~blocked).sum())
        return counts

    def _verdict(self, i: int, j: int, moved: dict[UUID, RecommendedMove], limit_reached: bool) -> CandidateVerdict:
        verdict = self.blocked(i, j)
        if verdict.rules:
            return verdict
        candidate = self.pool[i]
        if candidate.id in moved:
            mv = moved[candidate.id]
            reason = (
                f"recommended for another seat of this position, JPM {mv.jpm}"
                if mv.to_position_id == self.matching.columns[j].id
                else f"recommended for {mv.to_title} ({mv.to_unit}) instead, JPM {mv.jpm}"
            )
        elif limit_reached:
            reason = f"eligible, but the plan's limit of {self.options.max_moves} moves was reached"
        elif not self.options.keep_in_place:
            reason = (
                f"eligible (JPM {verdict.jpm} here), not chosen: the plan already moves as many "
                "candidates as the seats allow, with more JPM elsewhere"
            )
        else:
            reason = (
                f"eligible, kept in place: JPM {_points(self.stay[i])} where they are, "
                f"{verdict.jpm} here; the move would not raise the plan's total"
            )
        return CandidateVerdict(candidate.id, candidate.employee.name, verdict.jpm, ("plan:not_chosen",), reason)

    # -- spread --------------------------------------------------------------------

    def spread(self, moves: tuple[RecommendedMove, ...]) -> tuple[UnitSpread, ...]:
        """Staffing per unit of the round's agency before and after the plan, against formasi."""
        agency = self.register.round.agency
        rows: dict[str, list[int]] = {}
        for p in self.register.positions.values():
            if p.agency != agency:
                continue
            formasi, staffed, promised, arriving, leaving = rows.setdefault(p.unit, [0, 0, 0, 0, 0])
            rows[p.unit] = [
                formasi + (0 if p.abolished_on else p.formasi),
                staffed + len(p.holders),
                promised + self.register.promised(p.id),
                arriving,
                leaving,
            ]
        for mv in moves:
            rows.setdefault(mv.to_unit, [0] * 5)[3] += 1
            if self.register.positions[mv.from_position_id].agency == agency:
                rows.setdefault(mv.from_unit, [0] * 5)[4] += 1
        return tuple(UnitSpread(unit, f, s, pr, a, lv, s + a - lv) for unit, (f, s, pr, a, lv) in sorted(rows.items()))
