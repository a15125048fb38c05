"""Every candidate against every position at once: JPM, rank range, competency threshold and level
as arrays.

This is the cheap pruning step: the JPM of the domain (`job_person_match`, rounded half up to
hundredths) is computed exactly in integers, so the arrays agree with the rules to the last digit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

import numpy as np
import numpy.typing as npt

from domain.eligibility.level import relation
from domain.planning.register import Candidate
from domain.policy import RulePolicy
from domain.position import Position
from domain.vocabulary import PositionType


def hundredths(value: Decimal) -> int:
    """The least whole number of hundredths that is at least `value` (thresholds compare with >=)."""
    return math.ceil(Decimal(value) * 100)


@dataclass(frozen=True)
class Matching:
    """Arrays over candidates (rows) and positions (columns); JPM in hundredths of a point."""

    columns: tuple[Position, ...]
    index: dict[UUID, int]
    jpm: npt.NDArray[np.int64]
    rank_ok: np.ndarray
    competency_ok: np.ndarray
    level_ok: np.ndarray
    personal_ok: np.ndarray
    origin: npt.NDArray[np.int64]

    @classmethod
    def of(cls, candidates: tuple[Candidate, ...], positions: tuple[Position, ...], policy: RulePolicy) -> Matching:
        """Compute the arrays for `candidates` against `positions` and their own positions."""
        columns = {p.id: p for p in positions}
        for candidate in candidates:
            columns.setdefault(candidate.current.id, candidate.current)
        cols = tuple(sorted(columns.values(), key=lambda p: str(p.id)))
        index = {p.id: j for j, p in enumerate(cols)}
        names = sorted({name for p in cols for name in p.standard})
        at = {name: k for k, name in enumerate(names)}
        scores = np.zeros((len(candidates), len(names)), dtype=np.int64)
        assessed = np.zeros(len(candidates), dtype=bool)
        for i, candidate in enumerate(candidates):
            assessment = candidate.employee.latest_assessment
            if assessment is None:
                continue
            assessed[i] = True
            for name, level in assessment.scores.items():
                if name in at:
                    scores[i, at[name]] = level
        jpm = np.zeros((len(candidates), len(cols)), dtype=np.int64)
        for j, p in enumerate(cols):
            standard = np.zeros(len(names), dtype=np.int64)
            for name, level in p.standard.items():
                standard[at[name]] = level
            required = int(standard.sum())
            met = np.minimum(scores, standard).sum(axis=1)
            jpm[:, j] = (met * 20000 + required) // (2 * required)  # x100, rounded half up
        ranks = np.array([c.employee.rank.order for c in candidates], dtype=np.int64)[:, None]
        low = np.array([p.rank_min.order for p in cols], dtype=np.int64)[None, :]
        high = np.array([p.rank_max.order for p in cols], dtype=np.int64)[None, :]
        threshold = np.array(
            [hundredths(p.min_jpm if p.min_jpm is not None else policy.min_jpm_for_transfer) for p in cols],
            dtype=np.int64,
        )[None, :]
        return cls(
            columns=cols,
            index=index,
            jpm=jpm,
            rank_ok=(low <= ranks) & (ranks <= high),
            competency_ok=assessed[:, None] & (jpm >= threshold),
            level_ok=_level_ok(candidates, cols, policy),
            personal_ok=np.array([not c.failed_personal for c in candidates], dtype=bool),
            origin=np.array([index[c.current.id] for c in candidates], dtype=np.int64),
        )

    def stay_jpm(self) -> npt.NDArray[np.int64]:
        """Each candidate's JPM (hundredths) in the position held now."""
        return self.jpm[np.arange(len(self.origin)), self.origin]


def _level_ok(candidates: tuple[Candidate, ...], cols: tuple[Position, ...], policy: RulePolicy) -> np.ndarray:
    """Rule 10 for every pair: the column is of the candidate's level or an equivalent one."""
    types = list(PositionType)
    table = np.array(
        [[relation(current, target, policy.level_equivalences).keeps_level for target in types] for current in types],
        dtype=bool,
    )
    held = np.array([types.index(c.current.position_type) for c in candidates], dtype=np.int64)
    offered = np.array([types.index(p.position_type) for p in cols], dtype=np.int64)
    return table[held[:, None], offered[None, :]].reshape(len(candidates), len(cols))
