"""Competencies (PermenPANRB 38/2017), the position standard and the Job-Person Match (JPM)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from domain.errors import InvalidValue
from domain.policy import RulePolicy

MANAGERIAL = (
    "integritas",
    "kerjasama",
    "komunikasi",
    "orientasi_pada_hasil",
    "pelayanan_publik",
    "pengembangan_diri_dan_orang_lain",
    "mengelola_perubahan",
    "pengambilan_keputusan",
)
SOCIO_CULTURAL = ("perekat_bangsa",)
LEVELS = range(1, 6)
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def validate_levels(levels: Mapping[str, int], what: str) -> dict[str, int]:
    """Check competency names (snake_case) and levels (1-5); return a plain sorted dict."""
    if not levels:
        raise InvalidValue(f"{what} names no competency")
    checked = {}
    for name, level in levels.items():
        if not isinstance(name, str) or not _NAME.match(name):
            raise InvalidValue(f"{what}: {name!r} is not a competency name (snake_case, 2-64 chars)")
        if isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS:
            raise InvalidValue(f"{what}: level of {name} must be an integer 1-5, got {level!r}")
        checked[name] = level
    return dict(sorted(checked.items()))


class JpmCategory(str, Enum):
    """JPM category: Memenuhi / Masih Memenuhi / Kurang Memenuhi Syarat."""

    MS = "MS"
    MMS = "MMS"
    KMS = "KMS"

    @classmethod
    def of(cls, jpm: Decimal, policy: RulePolicy) -> JpmCategory:
        """Category of a JPM under the policy's thresholds (default 80 and 68)."""
        if jpm >= policy.jpm_ms_threshold:
            return cls.MS
        if jpm >= policy.jpm_mms_threshold:
            return cls.MMS
        return cls.KMS


def job_person_match(scores: Mapping[str, int], standard: Mapping[str, int]) -> Decimal:
    """JPM = sum(min(actual, required)) / sum(required) x 100, rounded to 2 places; missing = 0."""
    required = sum(standard.values())
    if required == 0:
        return Decimal(0)
    met = sum(min(scores.get(name, 0), level) for name, level in standard.items())
    return (Decimal(met) * 100 / Decimal(required)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def competency_gaps(scores: Mapping[str, int], standard: Mapping[str, int]) -> dict[str, int]:
    """Required minus actual level, for each competency where it is positive (drives development)."""
    gaps = {name: level - scores.get(name, 0) for name, level in standard.items()}
    return {name: gap for name, gap in sorted(gaps.items()) if gap > 0}


@dataclass(frozen=True)
class JobPersonMatch:
    """A JPM figure with its category and gaps, for one employee against one standard."""

    jpm: Decimal
    category: JpmCategory
    gaps: dict[str, int]

    @classmethod
    def of(cls, scores: Mapping[str, int], standard: Mapping[str, int], policy: RulePolicy) -> JobPersonMatch:
        """Compute the match of `scores` against `standard`."""
        jpm = job_person_match(scores, standard)
        return cls(jpm, JpmCategory.of(jpm, policy), competency_gaps(scores, standard))
