"""The configurable thresholds of the rules (DOMAIN.md marks them *configurable*).

The defaults are DOMAIN.md's; the application builds a `RulePolicy` from its settings and passes it down.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.vocabulary import PositionType, Predikat, SanctionLevel


@dataclass(frozen=True)
class RulePolicy:
    """Thresholds used by the eligibility rules, the JPM categories and evaluations."""

    min_tenure_years: int = 2
    rotation_due_years: int = 5
    senior_executive_lock_years: int = 2
    rating_years: int = 2
    rating_final_month: int = 2
    rating_final_day: int = 1
    """Year Y's SKP rating is final, and counts for rule 4, from this month and day of Y + 1."""
    min_predikat: Predikat = Predikat.BAIK
    sanction_lookback_years: int = 2
    blocking_sanctions: tuple[SanctionLevel, ...] = (SanctionLevel.MODERATE, SanctionLevel.SEVERE)
    jpm_ms_threshold: Decimal = Decimal(80)
    jpm_mms_threshold: Decimal = Decimal(68)
    min_jpm_for_transfer: Decimal = Decimal(68)
    evaluation_months: tuple[int, ...] = (3, 6)
    evaluation_early_days: int = 14
    objection_window_working_days: int = 3
    """How many working days after the announcement a decided proposal is open to objection."""
    """How many days before "TMT + the months it claims" an evaluation may be dated."""
    development_jp_per_year: int = 20
    level_equivalences: tuple[tuple[PositionType, PositionType], ...] = (
        (PositionType.ADMINISTRATOR, PositionType.FUNGSIONAL_AHLI_MADYA),
        (PositionType.PENGAWAS, PositionType.FUNGSIONAL_AHLI_MUDA),
        (PositionType.PELAKSANA, PositionType.FUNGSIONAL_AHLI_PERTAMA),
    )
    """Rule 10's penyetaraan jabatan: each pair is one level, both ways (and transitively)."""
