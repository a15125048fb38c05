"""The optimisation: an integer program over HiGHS (`scipy.optimize.linprog`, then `milp` if needed).

One binary variable per eligible (candidate, position) pair, and one "leaves" variable per candidate
(the sum of its pairs, at most 1). A position takes at most `free + departures` arrivals (rule 8
judged on the plan's seats), so chains and cycles of moves come out of the same constraints; an
over-staffed position takes arrivals only once enough of its holders leave (a switch variable). The
objective is the JPM gained, in hundredths, times `scale`, minus one per move: among plans of equal
JPM the one with fewer moves wins. Without keep-in-place the number of moves is maximised first and
then held while JPM is maximised.

Without pins, move limits or switches the constraints form a network matrix, so the LP relaxation's
vertex is integral: it is solved first (by column generation over the pairs) and `milp` runs only
when the relaxation is fractional.

Ties are broken, in turn, by the per-pair amounts of `Arcs.ties` (the planner's: more JPM gained, then
a fixed pseudo-random order of the pairs), each maximised among the plans optimal for everything
before it. Without that, which of several equally good plans came out would depend on the path the
solver took (the pairs column generation started from, the vertex the simplex reached), so the same
register could give different plans. Each tier is solved over the optimal face of the one before:
the variables whose reduced cost shows they cannot be in an optimal plan are fixed, the rows whose
dual is not zero are held at their bound (or, after `milp`, the previous objective is bounded by its
optimum), so the network structure survives and the tiers cost a small LP each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

from domain.errors import RuleViolation

TIME_LIMIT_SECONDS = 120.0
TIE_TIME_LIMIT_SECONDS = 30.0
"""A tie-break that `milp` cannot settle in this time keeps the optimal plan already found."""
START_PAIRS_PER_PERSON = 4
MAX_PRICING_ROUNDS = 200
ENTER_PER_PERSON = 2
PRICING_TOLERANCE = 1e-6
FACE_TOLERANCE = 1e-3
"""Reduced costs and duals of this integral data are integers (network) or simple fractions."""


class PlanInfeasible(RuleViolation):
    """The pins, exclusions and limits asked for admit no plan in which every rule holds."""

    code = "plan-infeasible"


@dataclass(frozen=True)
class Arcs:
    """The eligible pairs: candidate row, position column, value in hundredths, pinned or not, and the
    integral per-pair amounts that break ties, maximised in turn among the optimal plans."""

    person: np.ndarray
    column: np.ndarray
    value: np.ndarray
    pinned: np.ndarray
    ties: tuple[np.ndarray, ...] = ()


@dataclass(frozen=True)
class Problem:
    """The program's data besides the arcs."""

    persons: int
    origin: np.ndarray
    free: dict[int, int]
    must_move: np.ndarray
    must_fill: tuple[int, ...]
    max_moves: int | None
    keep_in_place: bool


def solve(arcs: Arcs, problem: Problem) -> tuple[np.ndarray, str]:
    """The indices of the chosen arcs and the solver status ("optimal" or "time_limit")."""
    n_arcs = len(arcs.person)
    if n_arcs == 0:
        if problem.must_move.any() or problem.must_fill:
            raise PlanInfeasible("pinned employees or positions have no eligible pair at all")
        return np.zeros(0, dtype=np.int64), "optimal"
    rows: list[int] = []
    cols: list[int] = []
    data: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    row = 0

    def add(row_cols: list[int], coeffs: list[float], lo: float, hi: float) -> None:
        nonlocal row
        rows.extend([row] * len(row_cols))
        cols.extend(row_cols)
        data.extend(coeffs)
        lower.append(lo)
        upper.append(hi)
        row += 1

    movers = np.unique(arcs.person)
    missing = np.flatnonzero(problem.must_move)
    if len(np.setdiff1d(missing, movers)):
        raise PlanInfeasible("a pinned employee has no eligible target", ())
    leave = {int(i): n_arcs + k for k, i in enumerate(movers.tolist())}
    n_vars = n_arcs + len(movers)
    by_person = np.argsort(arcs.person, kind="stable")
    starts = np.searchsorted(arcs.person[by_person], movers)
    ends = np.searchsorted(arcs.person[by_person], movers, side="right")
    for i, a, b in zip(
        movers.tolist(), starts.tolist(), ends.tolist(), strict=False
    ):  # moves of i = its leave variable
        own = by_person[a:b].tolist()
        add(own + [leave[i]], [1.0] * len(own) + [-1.0], 0.0, 0.0)
    holders: dict[int, list[int]] = {}
    for i in movers.tolist():
        holders.setdefault(int(problem.origin[i]), []).append(leave[i])
    by_column = np.argsort(arcs.column, kind="stable")
    targets = np.unique(arcs.column)
    firsts = np.searchsorted(arcs.column[by_column], targets)
    lasts = np.searchsorted(arcs.column[by_column], targets, side="right")
    arriving_at = {int(j): by_column[a:b].tolist() for j, a, b in zip(targets.tolist(), firsts, lasts, strict=False)}
    switches: list[int] = []
    for j, arriving in arriving_at.items():
        departing = holders.get(j, [])
        free = problem.free[j]
        coeffs = [1.0] * len(arriving) + [-1.0] * len(departing)
        if free >= 0:
            add(arriving + departing, coeffs, -np.inf, float(free))
        else:  # over-staffed: arrivals only when the switch is on, and then within free + departures
            switch = n_vars + len(switches)
            switches.append(j)
            add(arriving + departing + [switch], coeffs + [float(-free)], -np.inf, 0.0)
            add(arriving + [switch], [1.0] * len(arriving) + [-float(len(arriving))], -np.inf, 0.0)
    for j in problem.must_fill:
        if j not in arriving_at:
            raise PlanInfeasible("a pinned position has no eligible candidate", ())
        add(arriving_at[j], [1.0] * len(arriving_at[j]), 1.0, np.inf)
    leaves = list(leave.values())
    count_rows: list[int] = []
    if problem.max_moves is not None:
        count_rows.append(row)
        add(leaves, [1.0] * len(leaves), 0.0, float(problem.max_moves))
    size = n_vars + len(switches)
    matrix = coo_matrix(
        (np.array(data, dtype=np.float64), (np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp))),
        shape=(row, size),
    ).tocsr()
    lower_x = np.zeros(size)
    lower_x[:n_arcs] = arcs.pinned
    lower_x[[leave[int(i)] for i in missing]] = 1.0
    model = _Model(matrix, np.array(lower), np.array(upper), lower_x, np.ones(size))
    scale = float(problem.persons + 1)
    objective = np.zeros(size)
    objective[:n_arcs] = -arcs.value.astype(float) * scale
    objective[leaves] = 1.0  # one hundredth / scale per move: fewer moves among equal plans
    start = np.ones(size, dtype=bool)
    start[:n_arcs] = _starting_pairs(arcs, problem)
    group = np.full(size, -1, dtype=np.int64)
    group[:n_arcs] = arcs.person
    if not problem.keep_in_place:
        count = np.zeros(size)
        count[leaves] = -1.0
        first, _, _ = _optimise(count, model, start, group, tuple(count_rows))
        moves = round(-float(count @ first))
        at_least = coo_matrix(
            (np.ones(len(leaves)), (np.zeros(len(leaves), dtype=np.intp), np.array(leaves, dtype=np.intp))),
            shape=(1, size),
        ).tocsr()
        count_rows.append(len(model.lower))
        model = _Model(
            vstack([model.matrix, at_least]).tocsr(),
            np.append(model.lower, moves),
            np.append(model.upper, np.inf),
            model.lower_x,
            model.upper_x,
        )
    x, status, bound = _optimise(objective, model, start, group, tuple(count_rows))
    if status == "optimal":
        tiers = []
        for tie in arcs.ties:
            if not np.array_equal(tie, arcs.value):  # already what the objective maximises
                tier = np.zeros(size)
                tier[:n_arcs] = -np.asarray(tie, dtype=float)
                tiers.append(tier)
        x = _break_ties([objective, *tiers], x, model, bound)
    return np.flatnonzero(x[:n_arcs] > 0.5), status


def _entering(candidates: np.ndarray, reduced: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Of the columns that price out, each candidate's `ENTER_PER_PERSON` most negative ones."""
    chosen = np.flatnonzero(candidates)
    if not len(chosen):
        return candidates
    order = chosen[np.lexsort((reduced[chosen], group[chosen]))]
    firsts = np.searchsorted(group[order], group[order])
    keep = (np.arange(len(order)) - firsts) < ENTER_PER_PERSON
    entering = np.zeros_like(candidates)
    entering[order[keep]] = True
    return entering


def _starting_pairs(arcs: Arcs, problem: Problem) -> np.ndarray:
    """Each person's best few pairs, and every pair a pin concerns: where column generation starts."""
    order = np.lexsort((-arcs.value, arcs.person))
    rank = np.empty(len(order), dtype=np.int64)
    firsts = np.searchsorted(arcs.person[order], arcs.person[order])
    rank[order] = np.arange(len(order)) - firsts
    start = rank < START_PAIRS_PER_PERSON
    start |= arcs.pinned | problem.must_move[arcs.person] | np.isin(arcs.column, problem.must_fill)
    return start


@dataclass(frozen=True)
class _Model:
    matrix: csr_matrix[np.float64]
    lower: np.ndarray
    upper: np.ndarray
    lower_x: np.ndarray
    upper_x: np.ndarray


@dataclass(frozen=True)
class _Bound:
    """An optimal dual of a model's LP relaxation (as in `objective - matrix.T @ duals`) and its value."""

    duals: np.ndarray
    value: float


def _integral(x: np.ndarray) -> bool:
    return bool(np.all(np.minimum(x, 1 - x) < 1e-7))


def _relax(
    objective: np.ndarray, model: _Model, start: np.ndarray, group: np.ndarray
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """The LP relaxation by column generation: over the pairs in `start` first, then adding, for each
    candidate, the few pairs of most negative reduced cost under the duals, until no pair has one
    (then the restricted optimum is the optimum over all pairs). Returns the solution (None if the LP
    has none), the dual of each row (as in `objective - matrix.T @ duals`) and the columns used."""
    upper_rows, lower_rows = np.isfinite(model.upper), np.isfinite(model.lower)
    a_ub = vstack([model.matrix[upper_rows], -model.matrix[lower_rows]]).tocsc()
    b_ub = np.concatenate([model.upper[upper_rows], -model.lower[lower_rows]])
    bounds = np.c_[model.lower_x, model.upper_x]
    active = start.copy()
    duals = np.zeros(len(model.lower))
    for _ in range(MAX_PRICING_ROUNDS + 1):  # the first LP, then each pricing round's
        columns = np.flatnonzero(active)
        relaxed = linprog(
            objective[columns], A_ub=a_ub[:, columns], b_ub=b_ub, bounds=bounds[columns], method="highs-ds"
        )
        if relaxed.status != 0:
            if active.all():
                if relaxed.status == 2:
                    raise PlanInfeasible(
                        "no plan satisfies the pins, exclusions and move limit while every rule holds", ()
                    )
                return None, duals, active
            active[:] = True  # the restricted program is infeasible: price nothing, take every pair
            continue
        marginals = relaxed.ineqlin.marginals
        reduced = objective - a_ub.T @ marginals
        entering = _entering(~active & (reduced < -PRICING_TOLERANCE), reduced, group)
        if not entering.any():
            x = np.zeros(len(objective))
            x[columns] = relaxed.x
            duals[upper_rows] += marginals[: int(upper_rows.sum())]
            duals[lower_rows] -= marginals[int(upper_rows.sum()) :]
            return x, duals, active
        active |= entering
    return None, duals, active


def _certified(activity: np.ndarray, low: np.ndarray, high: np.ndarray, duals: np.ndarray) -> bool:
    """Whether an integral minimiser of the Lagrangian (`objective - rows.T @ duals`) is optimal for
    the program with the rows: it meets them, and each row with a dual holds at the bound that dual
    belongs to (complementary slackness). A negative dual prices the upper bound, so the row must be
    at its upper bound; a positive one the lower bound. Tight at the other bound proves nothing: a
    plan of no move is tight at "at most k moves"' lower bound 0 too."""
    feasible = np.all((activity >= low - 1e-7) & (activity <= high + 1e-7))
    at_upper = np.isclose(activity, high)
    at_lower = np.isclose(activity, low)
    slack = np.where(duals < -1e-9, at_upper, np.where(duals > 1e-9, at_lower, True))
    return bool(feasible and np.all(slack))


def _optimise(
    objective: np.ndarray, model: _Model, start: np.ndarray, group: np.ndarray, count_rows: tuple[int, ...] = ()
) -> tuple[np.ndarray, str, _Bound | None]:
    """The LP relaxation first (dual simplex): without move limits, pins or over-staffed switches the
    constraint matrix is a network matrix, so its vertex is integral and optimal for the integer
    program too. When a count of moves (`count_rows`) makes it fractional, those rows move into the
    objective with their duals (a Lagrangian step): an integral answer that meets them, tight where
    their dual is not zero, is optimal too. Otherwise branch and bound with `milp`. Also returns the
    relaxation's optimal dual and value, the bound that tie-breaking restricts the variables with.
    """
    x, duals, active = _relax(objective, model, start, group)
    bound = None if x is None else _Bound(duals, float(objective @ x))
    if x is not None and _integral(x):
        return np.round(x), "optimal", bound
    if x is not None and count_rows:
        rows = list(count_rows)
        keep = np.ones(len(model.lower), dtype=bool)
        keep[rows] = False
        counted = model.matrix[rows]
        rest = _Model(model.matrix[keep], model.lower[keep], model.upper[keep], model.lower_x, model.upper_x)
        priced, _, _ = _relax(objective - counted.T @ duals[rows], rest, active, group)
        if priced is not None and _integral(priced):
            if _certified(counted @ np.round(priced), model.lower[rows], model.upper[rows], duals[rows]):
                return np.round(priced), "optimal", bound
    result = milp(
        objective,
        integrality=np.ones(len(objective), dtype=np.int64),
        bounds=Bounds(model.lower_x, model.upper_x),
        constraints=[LinearConstraint(model.matrix, model.lower, model.upper)],
        options={"mip_rel_gap": 0.0, "time_limit": TIME_LIMIT_SECONDS, "presolve": True},
    )
    if result.status == 0:
        return np.round(result.x), "optimal", bound
    if result.x is not None and result.status == 1:
        return np.round(result.x), "time_limit", bound
    if result.status == 2:
        raise PlanInfeasible("no plan satisfies the pins, exclusions and move limit while every rule holds", ())
    raise PlanInfeasible(f"the solver stopped without a plan: {result.message}", ())


def _break_ties(objectives: list[np.ndarray], x: np.ndarray, model: _Model, bound: _Bound | None) -> np.ndarray:
    """Of the plans optimal for `objectives[0]` (`x` is one, `bound` its relaxation's dual), the one
    optimal for each following objective in turn, over the optimal face of the ones before. The face
    does not depend on which optimal plan or dual the solver found, so neither does the result (when
    the last objective has a single optimum there). Keeps `x` if numerical trouble loses optimality."""
    if bound is None and len(objectives) > 1:  # column generation gave up: the full relaxation, once
        everything = np.ones(len(x), dtype=bool)
        relaxed, duals, _ = _relax(objectives[0], model, everything, np.zeros(len(x), dtype=np.int64))
        bound = None if relaxed is None else _Bound(duals, float(objectives[0] @ relaxed))
    for k in range(1, len(objectives)):
        face = _optimal_face(objectives[k - 1], x, model, bound)
        solved = _solve_within(objectives[k], face)
        if solved is None:
            return x
        better, bound = solved
        if any(float(objectives[i] @ better) > float(objectives[i] @ x) + 0.5 for i in range(k)):
            return x
        x, model = better, face
    return x


def _optimal_face(objective: np.ndarray, x: np.ndarray, model: _Model, bound: _Bound | None) -> _Model:
    """The model narrowed to the integral plans as good as `x` for `objective` (integral data, so
    plans differ by at least one). Reduced-cost fixing: a plan that moves a variable off its bound
    loses its reduced cost against the relaxation's value, so when the gap between `x` and that value
    is smaller, the variable keeps its bound in every optimal plan. With no gap (the relaxation was
    integral) the rows whose dual is not zero are held at their bound too, and what remains is the
    optimal face itself; otherwise a row bounds the objective by its optimum."""
    value = float(objective @ x)
    lower_x, upper_x = model.lower_x.copy(), model.upper_x.copy()
    lower, upper, matrix = model.lower.copy(), model.upper.copy(), model.matrix
    gap = np.inf if bound is None else max(0.0, value - bound.value)
    if bound is not None:
        reduced = objective - matrix.T @ bound.duals
        span = upper_x - lower_x
        at_lower = reduced * span > gap + FACE_TOLERANCE
        at_upper = -reduced * span > gap + FACE_TOLERANCE
        upper_x[at_lower] = lower_x[at_lower]
        lower_x[at_upper] = upper_x[at_upper]
    if bound is not None and gap <= FACE_TOLERANCE:
        held_up, held_down = bound.duals < -FACE_TOLERANCE, bound.duals > FACE_TOLERANCE
        lower[held_up] = upper[held_up]
        upper[held_down] = lower[held_down]
    else:
        matrix = vstack([matrix, csr_matrix(objective[None, :])]).tocsr()
        lower, upper = np.append(lower, -np.inf), np.append(upper, value + 0.5)
    return _Model(matrix, lower, upper, lower_x, upper_x)


def _solve_within(objective: np.ndarray, model: _Model) -> tuple[np.ndarray, _Bound] | None:
    """The optimum of `objective` over the model's integral points, solved over its free variables
    only: the LP relaxation, and `milp` when that is fractional. None when the solver fails."""
    free = model.upper_x - model.lower_x > 0.5
    count = int(free.sum())
    x = model.lower_x.copy()
    fixed = model.matrix @ np.where(free, 0.0, x)
    if not free.any():
        return x, _Bound(np.zeros(len(model.lower)), float(objective @ x))
    sub = _Model(
        model.matrix[:, free].tocsr(),
        model.lower - fixed,
        model.upper - fixed,
        model.lower_x[free],
        model.upper_x[free],
    )
    try:
        relaxed, duals, _ = _relax(objective[free], sub, np.ones(count, dtype=bool), np.zeros(count, dtype=np.int64))
    except PlanInfeasible:
        return None
    if relaxed is None:
        return None
    x[free] = relaxed
    bound = _Bound(duals, float(objective @ x))
    if _integral(relaxed):
        return np.round(x), bound
    result = milp(
        objective[free],
        integrality=np.ones(count, dtype=np.int64),
        bounds=Bounds(sub.lower_x, sub.upper_x),
        constraints=[LinearConstraint(sub.matrix, sub.lower, sub.upper)],
        options={"mip_rel_gap": 0.0, "time_limit": TIE_TIME_LIMIT_SECONDS, "presolve": True},
    )
    if result.status != 0:
        return None
    x[free] = np.round(result.x)
    return x, bound
