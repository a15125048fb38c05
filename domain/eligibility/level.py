"""Rule 10: a mutasi keeps the level; a lower level is a demotion, a higher one a promotion."""

from __future__ import annotations

from enum import Enum
from functools import lru_cache

from domain.eligibility.case import EligibilityCase, RuleOutcome
from domain.errors import InvalidValue
from domain.vocabulary import PositionType as T

LADDERS: tuple[tuple[T, ...], ...] = (
    (T.JPT_UTAMA, T.JPT_MADYA, T.JPT_PRATAMA, T.ADMINISTRATOR, T.PENGAWAS, T.PELAKSANA),
    (T.FUNGSIONAL_AHLI_UTAMA, T.FUNGSIONAL_AHLI_MADYA, T.FUNGSIONAL_AHLI_MUDA, T.FUNGSIONAL_AHLI_PERTAMA),
    (T.FUNGSIONAL_PENYELIA, T.FUNGSIONAL_MAHIR, T.FUNGSIONAL_TERAMPIL, T.FUNGSIONAL_PEMULA),
)
"""The levels of each ladder, highest first: structural, functional expertise, functional skill."""

LABELS = {t: t.value.replace("_", " ").title().replace("Jpt", "JPT") for t in T}


class Relation(str, Enum):
    """Where a target level stands against the current one."""

    SAME = "same"
    EQUIVALENT = "equivalent"
    LOWER = "lower"
    HIGHER = "higher"
    INCOMPARABLE = "incomparable"

    @property
    def keeps_level(self) -> bool:
        """True for a move that rule 10 lets pass: to the same or an equivalent level."""
        return self in (Relation.SAME, Relation.EQUIVALENT)


Equivalences = tuple[tuple[T, T], ...]


@lru_cache(maxsize=16)
def level_order(equivalences: Equivalences) -> dict[tuple[T, T], Relation]:
    """The relation of every target level to every current level, under the equivalence table.

    Each ladder orders its own levels; a listed pair is equivalent both ways; both carry over
    transitively (Pelaksana ≈ Ahli Pertama puts JPT Pratama above Ahli Pertama). `InvalidValue` when
    the table contradicts the ladders (a level would end up above itself).
    """
    levels = list(T)
    at = {t: k for k, t in enumerate(levels)}
    # reach[i][j]: 0 no path from i down to j, 1 a path of equivalences only, 2 a path through a step down
    reach = [[1 if i == j else 0 for j in range(len(levels))] for i in range(len(levels))]
    for ladder in LADDERS:
        for high, upper in enumerate(ladder):
            for lower in ladder[high + 1 :]:
                reach[at[upper]][at[lower]] = 2
    for a, b in equivalences:
        if a == b:
            raise InvalidValue(f"level equivalence pairs {LABELS[a]} with itself")
        reach[at[a]][at[b]] = max(reach[at[a]][at[b]], 1)
        reach[at[b]][at[a]] = max(reach[at[b]][at[a]], 1)
    for k in range(len(levels)):
        for i in range(len(levels)):
            if reach[i][k]:
                for j in range(len(levels)):
                    if reach[k][j]:
                        reach[i][j] = max(reach[i][j], reach[i][k], reach[k][j])
    for i, level in enumerate(levels):
        if reach[i][i] == 2:
            raise InvalidValue(
                f"the level equivalences contradict the order of levels: they put {LABELS[level]} above itself"
            )
    relations = {}
    for current in levels:
        for target in levels:
            down, up = reach[at[current]][at[target]], reach[at[target]][at[current]]
            relations[current, target] = (
                Relation.SAME
                if current == target
                else Relation.EQUIVALENT
                if down == up == 1
                else Relation.LOWER
                if down == 2
                else Relation.HIGHER
                if up == 2
                else Relation.INCOMPARABLE
            )
    return relations


def relation(current: T, target: T, equivalences: Equivalences) -> Relation:
    """Where `target` stands against `current` under the equivalence table."""
    return level_order(tuple((T(a), T(b)) for a, b in equivalences))[T(current), T(target)]


class SameLevel:
    """Rule 10: the target is of the current position's level or of an equivalent one."""

    code = "level"
    title = "Same or equivalent level"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        if case.current_position is None:
            return RuleOutcome(self.code, False, "the employee holds no position, so the move has no level to keep")
        current, target = case.current_position.position_type, case.target.position_type
        found = relation(current, target, case.policy.level_equivalences)
        move = f"from {LABELS[current]} to {LABELS[target]}"
        if found is Relation.SAME:
            return RuleOutcome(self.code, True, f"{move}: the same level")
        if found is Relation.EQUIVALENT:
            return RuleOutcome(self.code, True, f"{move}: equivalent levels (penyetaraan jabatan)")
        why = {
            Relation.LOWER: "a lower level: a demotion (penurunan jabatan), not a mutasi",
            Relation.HIGHER: "a higher level: a promotion, not a mutasi",
            Relation.INCOMPARABLE: "levels that are neither the same, equivalent, nor ordered against each "
            "other (incomparable): not a mutasi",
        }[found]
        return RuleOutcome(self.code, False, f"{move}: {why}")
