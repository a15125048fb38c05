"""Rules 4 and 5: performance (SKP) and discipline."""

from __future__ import annotations

from calendar import month_name
from datetime import date

from domain.calendar import add_years
from domain.eligibility.case import EligibilityCase, RuleOutcome
from domain.policy import RulePolicy


def final_rating_years(on: date, policy: RulePolicy) -> tuple[int, ...]:
    """The last N years (oldest first) whose SKP rating is final on `on`: year Y counts from the
    policy's month and day (1 February by default) of Y + 1."""
    latest = on.year - 1 if on >= _final_day(on.year, policy) else on.year - 2
    return tuple(range(latest - policy.rating_years + 1, latest + 1))


def _final_day(year: int, policy: RulePolicy) -> date:
    return date(year, policy.rating_final_month, policy.rating_final_day)


def _final_years_text(on: date, policy: RulePolicy) -> str:
    final_from = _final_day(on.year, policy)
    last = f"{on.year - 1}'s {'since' if on >= final_from else 'only from'} {final_from}"
    return (
        f"the last {policy.rating_years} years whose SKP rating is final on {on}, a year's rating being "
        f"final from {policy.rating_final_day} {month_name[policy.rating_final_month]} of the next "
        f"year: {last}"
    )


class PerformanceRecord:
    """Rule 4: SKP rating at least "Baik" (configurable) in each of the last N years (default 2) whose
    rating is final on the judged date."""

    code = "performance"
    title = "SKP performance rating"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        policy, employee = case.policy, case.employee
        years = final_rating_years(case.effective_on, policy)
        problems, seen = [], []
        for year in years:
            rating = employee.rating_for(year)
            if rating is None:
                problems.append(f"no SKP rating for {year}")
            elif not rating.predikat.at_least(policy.min_predikat):
                problems.append(f"{year} rated {rating.predikat.value}")
            else:
                seen.append(f"{year}: {rating.predikat.value}")
        used = _final_years_text(case.effective_on, policy)
        if problems:
            return RuleOutcome(
                self.code,
                False,
                f"needs at least {policy.min_predikat.value} in {', '.join(map(str, years))} ({used}); "
                + "; ".join(problems),
            )
        return RuleOutcome(self.code, True, f"SKP {', '.join(seen)} ({used})")


class DisciplineRecord:
    """Rule 5: no moderate or severe sanction in the last N years (default 2), no pending case."""

    code = "discipline"
    title = "Discipline record"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        policy, employee = case.policy, case.employee
        since = add_years(case.effective_on, -policy.sanction_lookback_years)
        # a sanction counts when any day of it (imposed_on to ends_on) lies in the lookback
        blocking = [
            s
            for s in employee.sanctions
            if s.level in policy.blocking_sanctions and s.ends_on >= since and s.imposed_on <= case.known_on
        ]
        reasons = [
            f"{s.level.value} sanction {s.reference} imposed on {s.imposed_on} until {s.ends_on}" for s in blocking
        ]
        reasons += [f"disciplinary case {ref} pending since {day}" for ref, day in employee.open_cases.items()]
        if reasons:
            return RuleOutcome(self.code, False, "; ".join(reasons))
        return RuleOutcome(
            self.code,
            True,
            f"no moderate or severe sanction since {since} and no pending disciplinary case",
        )
