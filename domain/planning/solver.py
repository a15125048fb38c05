"""The optimisation: a mixed-integer program solved by HiGHS through `scipy.optimize.milp`.

One binary variable per eligible (candidate, position) pair. Each candidate moves at most once; a
position takes at most `free + departures` arrivals (rule 8 judged on the plan's seats), so chains and
cycles of moves come out of the same constraints; an over-staffed position takes arrivals only once
enough of its holders leave (a switch variable). The objective is the JPM gained, in hundredths, times
`scale`, minus one per move: among plans of equal JPM the one with fewer moves wins. Without
keep-in-place the number of moves is maximised first and then held while JPM is maximised.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from domain.errors import RuleViolation

TIME_LIMIT_SECONDS = 120.0


class PlanInfeasible(RuleViolation):
    """The pins, exclusions and limits asked for admit no plan in which every rule holds."""

    code = "plan-infeasible"


@dataclass(frozen=True)
class Arcs:
    """The eligible pairs: candidate row, position column, value in hundredths, pinned or not."""

    person: np.ndarray
    column: np.ndarray
    value: np.ndarray
    pinned: np.ndarray


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
    rows, cols, data, lower, upper = [], [], [], [], []
    row = 0

    def add(row_cols, coeffs, lo, hi):
        nonlocal row
        rows.extend([row] * len(row_cols))
        cols.extend(row_cols)
        data.extend(coeffs)
        lower.append(lo)
        upper.append(hi)
        row += 1

    by_person = np.argsort(arcs.person, kind="stable")
    starts = np.searchsorted(arcs.person[by_person], np.arange(problem.persons + 1))
    for i in range(problem.persons):
        own = by_person[starts[i]:starts[i + 1]]
        if len(own):
            add(own.tolist(), [1.0] * len(own), 1.0 if problem.must_move[i] else 0.0, 1.0)
        elif problem.must_move[i]:
            raise PlanInfeasible("a pinned employee has no eligible target", ())
    leaving = problem.origin[arcs.person]
    switches = []
    for j in sorted(set(arcs.column.tolist())):
        arriving = np.flatnonzero(arcs.column == j)
        departing = np.flatnonzero(leaving == j)
        free = problem.free[j]
        coeffs = [1.0] * len(arriving) + [-1.0] * len(departing)
        members = arriving.tolist() + departing.tolist()
        if free >= 0:
            add(members, coeffs, -np.inf, float(free))
        else:  # over-staffed: arrivals only when the switch is on, and then within free + departures
            switch = n_arcs + len(switches)
            switches.append(j)
            add(members + [switch], coeffs + [float(-free)], -np.inf, 0.0)
            add(arriving.tolist() + [switch], [1.0] * len(arriving) + [-float(len(arriving))], -np.inf, 0.0)
    for j in problem.must_fill:
        arriving = np.flatnonzero(arcs.column == j)
        if not len(arriving):
            raise PlanInfeasible("a pinned position has no eligible candidate", ())
        add(arriving.tolist(), [1.0] * len(arriving), 1.0, np.inf)
    every = list(range(n_arcs))
    if problem.max_moves is not None:
        add(every, [1.0] * n_arcs, 0.0, float(problem.max_moves))
    size = n_arcs + len(switches)
    matrix = coo_matrix((data, (rows, cols)), shape=(row, size)).tocsr()
    lower_x = np.concatenate([arcs.pinned.astype(float), np.zeros(len(switches))])
    bounds = Bounds(lower_x, np.ones(size))
    constraints = [LinearConstraint(matrix, np.array(lower), np.array(upper))]
    scale = float(problem.persons + 1)
    objective = np.concatenate([-(arcs.value.astype(float) * scale - 1.0), np.zeros(len(switches))])
    if not problem.keep_in_place:
        count = np.concatenate([-np.ones(n_arcs), np.zeros(len(switches))])
        first, status = _run(count, bounds, constraints)
        moves = round(-float(count @ first))
        constraints.append(LinearConstraint(
            coo_matrix(([1.0] * n_arcs, ([0] * n_arcs, every)), shape=(1, size)).tocsr(), moves, np.inf))
    x, status = _run(objective, bounds, constraints)
    return np.flatnonzero(x[:n_arcs] > 0.5), status


def _run(objective, bounds, constraints) -> tuple[np.ndarray, str]:
    result = milp(objective, integrality=np.ones(len(objective)), bounds=bounds, constraints=constraints,
                  options={"mip_rel_gap": 0.0, "time_limit": TIME_LIMIT_SECONDS, "presolve": True})
    if result.status == 0:
        return result.x, "optimal"
    if result.x is not None and result.status == 1:
        return result.x, "time_limit"
    if result.status == 2:
        raise PlanInfeasible(
            "no plan satisfies the pins, exclusions and move limit while every rule holds", ())
    raise PlanInfeasible(f"the solver stopped without a plan: {result.message}", ())
