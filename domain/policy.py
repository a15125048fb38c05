"""The configurable thresholds of the rules (DOMAIN.md marks them *configurable*).

The defaults are DOMAIN.md's; the application builds a `RulePolicy` from its settings and passes it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.vocabulary import Predikat, SanctionLevel


@dataclass(frozen=True)
class RulePolicy:
    """Thresholds used by the eligibility rules, the JPM categories and evaluations."""

    min_tenure_years: int = 2
    rotation_due_years: int = 5
    senior_executive_lock_years: int = 2
    rating_years: int = 2
    min_predikat: Predikat = Predikat.BAIK
    sanction_lookback_years: int = 2
    blocking_sanctions: tuple[SanctionLevel, ...] = (SanctionLevel.MODERATE, SanctionLevel.SEVERE)
    jpm_ms_threshold: Decimal = Decimal(80)
    jpm_mms_threshold: Decimal = Decimal(68)
    min_jpm_for_transfer: Decimal = Decimal(68)
    evaluation_months: tuple[int, ...] = (3, 6)
    development_jp_per_year: int = 20
