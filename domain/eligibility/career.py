"""Rules 1 and 2: tenure in the current position, and the senior-executive (JPT) lock."""

from __future__ import annotations

from domain.calendar import add_years, whole_years
from domain.eligibility.case import EligibilityCase, RuleOutcome
from domain.vocabulary import PositionType


class MinimumTenure:
    """Rule 1: at least N years (default 2) in the current position; over M (default 5) is due."""

    code = "tenure"
    title = "Minimum tenure in the current position"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        placement = case.employee.placement
        if placement is None:
            return RuleOutcome(self.code, False, "the employee holds no position to move from")
        years = whole_years(placement.since, case.effective_on)
        policy = case.policy
        # "more than M years": any day after the M-th anniversary, not only from M + 1 whole years
        past_due = case.effective_on > add_years(placement.since, policy.rotation_due_years)
        flags = ("due_for_rotation",) if past_due else ()
        held = f"in the current position since {placement.since} ({years} full years on {case.effective_on})"
        if years >= policy.min_tenure_years:
            due = f"; more than {policy.rotation_due_years} years: due for rotation" if flags else ""
            return RuleOutcome(self.code, True, f"{held}, at least {policy.min_tenure_years}{due}", flags=flags)
        return RuleOutcome(self.code, False, f"{held}, fewer than the required {policy.min_tenure_years}")


class SeniorExecutiveLock:
    """Rule 2 (UU 5/2014 art. 116): a JPT official appointed under N years ago stays, unless approved."""

    code = "senior_executive_lock"
    title = "Senior-executive (JPT) two-year lock"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        current, placement = case.current_position, case.employee.placement
        if current is None or placement is None or not current.position_type.is_senior_executive:
            return RuleOutcome(self.code, True, "the employee does not hold a JPT position")
        years = whole_years(placement.since, case.effective_on)
        lock = case.policy.senior_executive_lock_years
        if years >= lock:
            return RuleOutcome(self.code, True, f"appointed to the JPT position {years} years ago, at least {lock}")
        approver = (
            "the President"
            if current.position_type in (PositionType.JPT_UTAMA, PositionType.JPT_MADYA)
            else "the Minister of Home Affairs"
        )
        return RuleOutcome(
            self.code,
            False,
            f"appointed to the JPT position on {placement.since}, under {lock} years before "
            f"{case.effective_on}: needs written approval from {approver}",
        )
