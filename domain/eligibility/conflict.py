"""Rule 9: nobody proposes, reviews or approves their own transfer."""

from __future__ import annotations

from domain.eligibility.case import EligibilityCase, RuleOutcome


class NoConflictOfInterest:
    """Rule 9: the acting official is not the employee. It can never be overridden."""

    code = "conflict_of_interest"
    title = "No conflict of interest"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        if case.actor.is_employee(case.employee.nip):
            return RuleOutcome(
                self.code, False, f"{case.actor.user} is the employee concerned", overridable=False
            )
        return RuleOutcome(
            self.code, True, f"{case.actor.user} is not the employee concerned", overridable=False
        )
