"""Rules 4 and 5: performance (SKP) and discipline."""

from __future__ import annotations

from domain.calendar import add_years
from domain.eligibility.case import EligibilityCase, RuleOutcome


class PerformanceRecord:
    """Rule 4: SKP rating at least "Baik" (configurable) in each of the last N years (default 2)."""

    code = "performance"
    title = "SKP performance rating"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        policy, employee = case.policy, case.employee
        years = [case.effective_on.year - n for n in range(policy.rating_years, 0, -1)]
        problems, seen = [], []
        for year in years:
            rating = employee.rating_for(year)
            if rating is None:
                problems.append(f"no SKP rating for {year}")
            elif not rating.predikat.at_least(policy.min_predikat):
                problems.append(f"{year} rated {rating.predikat.value}")
            else:
                seen.append(f"{year}: {rating.predikat.value}")
        if problems:
            return RuleOutcome(
                self.code, False,
                f"needs at least {policy.min_predikat.value} in {', '.join(map(str, years))}; "
                + "; ".join(problems),
            )
        return RuleOutcome(self.code, True, "SKP " + ", ".join(seen))


class DisciplineRecord:
    """Rule 5: no moderate or severe sanction in the last N years (default 2), no pending case."""

    code = "discipline"
    title = "Discipline record"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        policy, employee = case.policy, case.employee
        since = add_years(case.effective_on, -policy.sanction_lookback_years)
        # a sanction counts when any day of it (imposed_on to ends_on) lies in the lookback
        blocking = [
            s for s in employee.sanctions
            if s.level in policy.blocking_sanctions and s.ends_on >= since
            and s.imposed_on <= case.effective_on
        ]
        reasons = [
            f"{s.level.value} sanction {s.reference} imposed on {s.imposed_on} until {s.ends_on}"
            for s in blocking
        ]
        reasons += [f"disciplinary case {ref} pending since {day}" for ref, day in employee.open_cases.items()]
        if reasons:
            return RuleOutcome(self.code, False, "; ".join(reasons))
        return RuleOutcome(
            self.code, True,
            f"no moderate or severe sanction since {since} and no pending disciplinary case",
        )
