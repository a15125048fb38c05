"""The ten eligibility rules of DOMAIN.md, each a small object answering pass/fail with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from domain.eligibility.career import MinimumTenure, SeniorExecutiveLock
from domain.eligibility.case import (
    EligibilityCase,
    EligibilityRule,
    FreezeWindow,
    RuleOutcome,
)
from domain.eligibility.conduct import DisciplineRecord, PerformanceRecord
from domain.eligibility.conflict import NoConflictOfInterest
from domain.eligibility.fit import CompetencyFit, FreeSeat, RankInRange, match_for
from domain.eligibility.level import SameLevel
from domain.eligibility.timing import ElectionFreeze

RULES: tuple[EligibilityRule, ...] = (
    MinimumTenure(),
    SeniorExecutiveLock(),
    ElectionFreeze(),
    PerformanceRecord(),
    DisciplineRecord(),
    CompetencyFit(),
    RankInRange(),
    FreeSeat(),
    NoConflictOfInterest(),
    SameLevel(),
)
RULE_CODES = tuple(rule.code for rule in RULES)


@dataclass(frozen=True)
class EligibilityReport:
    """Every rule's outcome for one case, in DOMAIN.md's order."""

    outcomes: tuple[RuleOutcome, ...]

    @property
    def passed(self) -> bool:
        """True when every rule passed."""
        return all(o.passed for o in self.outcomes)

    @property
    def failed(self) -> tuple[RuleOutcome, ...]:
        """The outcomes of the rules that failed."""
        return tuple(o for o in self.outcomes if not o.passed)

    def outcome(self, rule: str) -> RuleOutcome:
        """The outcome of one rule by its code."""
        return next(o for o in self.outcomes if o.rule == rule)


def assess_eligibility(case: EligibilityCase) -> EligibilityReport:
    """Run all ten rules on a case."""
    return EligibilityReport(tuple(rule.check(case) for rule in RULES))


__all__ = [
    "RULES",
    "RULE_CODES",
    "EligibilityCase",
    "EligibilityReport",
    "EligibilityRule",
    "FreezeWindow",
    "RuleOutcome",
    "assess_eligibility",
    "match_for",
]
