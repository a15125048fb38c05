"""`compute_plan`: from a register and a committee's options to a recommendation with its reasons."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from uuid import UUID

import numpy as np
import numpy.typing as npt

from domain.official import Official
from domain.plan_options import PlanOptions
from domain.planning.explain import Explainer
from domain.planning.matching import Matching, hundredths
from domain.planning.register import PlanningRegister
from domain.planning.result import PlanResult
from domain.planning.solver import Arcs, PlanInfeasible, Problem, solve
from domain.policy import RulePolicy

SOLVER = "scipy.optimize.milp (HiGHS)"
ORDER_BITS = 26
"""The last tie-break weighs each pair 0 to 2**26 - 1, pseudo-randomly: among optimal plans that use F
pairs in all, the lightest is unique but with probability at most F / 2**26 (the isolation lemma), and
the sums stay exact in floating point."""


def compute_plan(register: PlanningRegister, options: PlanOptions, actor: Official, policy: RulePolicy) -> PlanResult:
    """The assignment of pool members to seats that maximises total JPM while every rule holds."""
    options = options.normalised()
    seats = register.seats(options)
    pool, skipped = register.pool(options, actor, policy)
    matching = Matching.of(pool, seats, policy)
    n, m = matching.jpm.shape
    target = np.zeros(m, dtype=bool)
    target[[matching.index[p.id] for p in seats]] = True
    free = {matching.index[p.id]: register.free(p) for p in seats}
    row = {c.id: i for i, c in enumerate(pool)}
    allowed = _allowed(matching, target, options, row)
    eligible = matching.personal_ok[:, None] & matching.rank_ok & matching.competency_ok & matching.level_ok & allowed
    person, column = np.nonzero(eligible)
    pinned = np.zeros(len(person), dtype=bool)
    for pair in options.pinned_pairs:
        i, j = row[pair.employee_id], matching.index[pair.position_id]
        if not eligible[i, j]:
            explainer = Explainer(register, pool, matching, options, actor, policy)
            verdict = explainer.blocked(i, j)
            raise PlanInfeasible(
                f"the pinned pair breaks a rule: {verdict.reason}",
                tuple(r for r in verdict.rules if not r.startswith("plan:")),
            )
        pinned |= (person == i) & (column == j)
    bonus = _shortage_bonus(register, matching, options)
    stay = matching.stay_jpm() if options.keep_in_place else np.zeros(n, dtype=np.int64)
    origin = matching.origin
    value = matching.jpm[person, column] - stay[person] + bonus[column] - bonus[origin[person]]
    forced = (
        pinned
        | np.isin(person, [row[e] for e in options.pinned_employees])
        | np.isin(column, [matching.index[p] for p in options.pinned_positions])
    )
    useful = _useful(person, column, value, origin, m, forced) if options.keep_in_place else slice(None)
    eligible_pairs = len(person)
    person, column, value, pinned = person[useful], column[useful], value[useful], pinned[useful]
    gain = matching.jpm[person, column] - matching.stay_jpm()[person]
    order = _pair_order((c.employee.id for c in pool), (p.id for p in matching.columns), person, column)
    must_move = np.zeros(n, dtype=bool)
    must_move[[row[e] for e in options.pinned_employees]] = True
    problem = Problem(
        n,
        origin,
        free,
        must_move,
        tuple(matching.index[p] for p in options.pinned_positions),
        options.max_moves,
        options.keep_in_place,
    )
    # Ties: among equally good plans the one that gains more JPM (keep-in-place off, or shortage
    # bonuses, value other things than the gain), then a fixed order of the pairs, so that the plan
    # depends on the register and the options only, never on the solver's path.
    chosen, status = solve(Arcs(person, column, value, pinned, (gain, -order)), problem)
    explainer = Explainer(register, pool, matching, options, actor, policy)
    moves = explainer.moves(person[chosen], column[chosen])
    return PlanResult(
        moves=moves,
        empty_seats=explainer.empty_seats(target, free, moves),
        spread=explainer.spread(moves),
        skipped=skipped,
        pool_size=n,
        seats_open_before=sum(max(0, f) for f in free.values()),
        pairs_considered=int(n * target.sum()),
        eligible_pairs=eligible_pairs,
        total_jpm=sum((mv.jpm for mv in moves), Decimal(0)),
        jpm_gain=sum((mv.jpm - mv.jpm_in_current_position for mv in moves), Decimal(0)),
        solver=SOLVER,
        status=status,
    )


def _useful(
    person: npt.NDArray[np.intp],
    column: npt.NDArray[np.intp],
    value: npt.NDArray[np.int64],
    origin: npt.NDArray[np.int64],
    m: int,
    forced: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    """The pairs that can be part of an optimal plan: those that gain, and those that lose less than
    the best chain of moves into the seat they free could gain (an upper bound found by iterating
    best-chain values down from the total of all gains); pinned pairs, people and positions stay."""
    best = np.zeros(int(person.max(initial=-1)) + 1, dtype=np.int64)
    np.maximum.at(best, person, value)
    total = int(best.sum())
    bound = np.full(m, total, dtype=np.int64)
    for _ in range(50):
        through = value + bound[origin[person]]
        again = np.zeros(m, dtype=np.int64)
        np.maximum.at(again, column, through)
        again = np.minimum(np.maximum(again, 0), total)
        if np.array_equal(again, bound):
            break
        bound = again
    return (value > 0) | (value + bound[origin[person]] > 0) | forced


def _pair_order(
    employees: Iterable[UUID],
    positions: Iterable[UUID],
    person: npt.NDArray[np.intp],
    column: npt.NDArray[np.intp],
) -> npt.NDArray[np.int64]:
    """A fixed pseudo-random weight per pair, below 2**ORDER_BITS, from the employee's and the
    position's ids (not from where they sit in the arrays: another employee joining the pool does
    not reorder the others' pairs)."""
    rows = np.array([_digest(e) for e in employees], dtype=np.uint64)
    cols = np.array([_digest(p) for p in positions], dtype=np.uint64)
    mixed = _splitmix(rows[person] ^ _splitmix(cols[column]))
    return (mixed >> np.uint64(64 - ORDER_BITS)).astype(np.int64)


def _digest(key: UUID) -> int:
    return int.from_bytes(hashlib.blake2b(key.bytes, digest_size=8).digest(), "little")


def _splitmix(z: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser, elementwise (uint64 arithmetic wraps around)."""
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _allowed(matching: Matching, target: np.ndarray, options: PlanOptions, row: dict[UUID, int]) -> np.ndarray:
    """Pairs the plan's own options allow: a seat, not the position held, above min JPM, not excluded."""
    n, m = matching.jpm.shape
    allowed = np.broadcast_to(target[None, :], (n, m)).copy()
    allowed[np.arange(n), matching.origin] = False
    if options.min_jpm is not None:
        allowed &= matching.jpm >= hundredths(options.min_jpm)
    for pair in options.excluded_pairs:
        if pair.employee_id in row and pair.position_id in matching.index:
            allowed[row[pair.employee_id], matching.index[pair.position_id]] = False
    return allowed


def _shortage_bonus(register: PlanningRegister, matching: Matching, options: PlanOptions) -> np.ndarray:
    """Per position, in hundredths: the weight times its unit's vacancy rate (1 for priority units)."""
    bonus = np.zeros(len(matching.columns), dtype=np.int64)
    if not options.shortage_weight:
        return bonus
    totals: dict[str, list[int]] = {}
    for p in register.positions.values():
        if p.agency == register.round.agency and p.abolished_on is None:
            formasi, short = totals.setdefault(p.unit, [0, 0])
            totals[p.unit] = [formasi + p.formasi, short + max(0, register.free(p))]
    for j, p in enumerate(matching.columns):
        if p.agency != register.round.agency or p.unit not in totals:
            continue
        formasi, short = totals[p.unit]
        rate = (
            Decimal(1)
            if p.unit in options.priority_units
            else (Decimal(short) / Decimal(formasi) if formasi else Decimal(0))
        )
        bonus[j] = int((options.shortage_weight * rate * 100).to_integral_value())
    return bonus
