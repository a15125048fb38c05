"""Rules 6, 7 and 8: competency fit (JPM), rank range and a free seat."""

from __future__ import annotations

from domain.competency import JobPersonMatch
from domain.eligibility.case import EligibilityCase, RuleOutcome


def match_for(case: EligibilityCase) -> JobPersonMatch:
    """The JPM of the employee's latest assessment against the target's standard."""
    assessment = case.employee.latest_assessment
    scores = assessment.scores if assessment else {}
    return JobPersonMatch.of(scores, case.target.standard, case.policy)


class CompetencyFit:
    """Rule 6: the Job-Person Match meets the target position's threshold."""

    code = "competency_fit"
    title = "Competency fit (Job-Person Match)"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        if case.employee.latest_assessment is None:
            return RuleOutcome(self.code, False, "no competency assessment recorded: JPM is 0")
        match = match_for(case)
        threshold = case.target.min_jpm if case.target.min_jpm is not None else case.policy.min_jpm_for_transfer
        gaps = ", ".join(f"{name} -{gap}" for name, gap in match.gaps.items()) or "none"
        text = f"JPM {match.jpm} ({match.category.value}) against a threshold of {threshold}; gaps: {gaps}"
        return RuleOutcome(self.code, match.jpm >= threshold, text)


class RankInRange:
    """Rule 7: the employee's rank lies in the target's required range, limits included."""

    code = "rank"
    title = "Rank in the required range"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        target, rank = case.target, case.employee.rank
        span = f"{target.rank_min.value} to {target.rank_max.value}"
        if target.admits_rank(rank):
            return RuleOutcome(self.code, True, f"rank {rank.value} lies in {span}")
        return RuleOutcome(self.code, False, f"rank {rank.value} lies outside {span}")


class FreeSeat:
    """Rule 8: formasi minus holders minus other approved arrivals of the round leaves a seat.

    Holders approved to leave the target in the same round count as leaving, so chains of moves
    (A takes B's seat while B moves on) are possible; execution still seats nobody beyond the formasi,
    so the departure has to be executed first.
    """

    code = "vacancy"
    title = "Free seat in the formasi"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        target = case.target
        if target.abolished_on is not None:
            return RuleOutcome(self.code, False, f"the position was abolished on {target.abolished_on}")
        staying = len(target.holders) - case.seats_freed
        free = target.formasi - staying - case.seats_promised
        holders = f"{len(target.holders)} holders"
        if case.seats_freed:
            holders = f"{staying} staying holders ({case.seats_freed} approved to leave in this round)"
        text = f"formasi {target.formasi} - {holders} - {case.seats_promised} approved in this round = {free} free"
        return RuleOutcome(self.code, free >= 1, text)
