"""Rule 3: the election freeze (UU 10/2016 art. 71(2) and 162(3))."""

from __future__ import annotations

from domain.eligibility.case import EligibilityCase, RuleOutcome


class ElectionFreeze:
    """Rule 3: no transfer takes effect inside one of the agency's freeze windows."""

    code = "election_freeze"
    title = "Election freeze"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        for window in case.freeze_windows:
            if window.covers(case.effective_on):
                return RuleOutcome(
                    self.code,
                    False,
                    f"{case.effective_on} lies in the freeze window {window.starts_on} to "
                    f"{window.ends_on} ({window.reason}): needs the Minister of Home Affairs' "
                    "written approval",
                )
        return RuleOutcome(self.code, True, f"{case.effective_on} lies outside every freeze window")
