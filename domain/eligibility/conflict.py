"""Rule 9: nobody proposes, reviews, decides, signs, executes, evaluates or answers an objection on
their own transfer, and nobody decides a transfer they proposed themselves.

`conflict_of_interest` is the one implementation: the eligibility report asks it through
`NoConflictOfInterest`, and every act of the round asks it before it records anything, so the report
and the acts always agree.
"""

from __future__ import annotations

from enum import Enum

from domain.eligibility.case import EligibilityCase, RuleOutcome
from domain.official import Official


class Act(str, Enum):
    """An act on a transfer that rule 9 governs."""

    PROPOSE = "propose"
    RECOMMEND = "recommend"
    CONSENT = "consent"
    TECHNICAL_REVIEW = "technical_review"
    DECIDE = "decide"
    AUTHORISE_OVERRIDE = "authorise_override"
    ANNOUNCE = "announce"
    SIGN_DECREE = "sign_decree"
    EXECUTE = "execute"
    EVALUATE = "evaluate"
    ANSWER_OBJECTION = "answer_objection"


_VERB = {
    Act.PROPOSE: "propose",
    Act.RECOMMEND: "recommend",
    Act.CONSENT: "consent to",
    Act.TECHNICAL_REVIEW: "review",
    Act.DECIDE: "decide",
    Act.AUTHORISE_OVERRIDE: "authorise an override of",
    Act.ANNOUNCE: "announce",
    Act.SIGN_DECREE: "sign the decree of",
    Act.EXECUTE: "execute",
    Act.EVALUATE: "evaluate",
    Act.ANSWER_OBJECTION: "answer an objection to",
}

SEPARATED_FROM_PROPOSING = frozenset({Act.DECIDE, Act.SIGN_DECREE})
"""Acts that whoever proposed the transfer may not do too (four eyes: the proposer does not decide)."""


def conflict_of_interest(
    actor: Official,
    employee_nip: str,
    act: Act | str,
    proposed_by: Official | None = None,
    contested: tuple[Official, ...] = (),
) -> RuleOutcome:
    """Rule 9's verdict on `actor` doing `act` on the transfer of the employee with `employee_nip`.
    `contested` are the officials whose acts an objection contests (who proposed, recommended and
    decided): none of them answers it."""
    act = Act(act)
    code, verb = NoConflictOfInterest.code, _VERB[act]
    if actor.is_employee(employee_nip):
        return RuleOutcome(
            code,
            False,
            f"{actor.user} is the employee concerned and may not {verb} their own transfer",
            overridable=False,
        )
    if act is Act.ANSWER_OBJECTION and any(o.user == actor.user for o in contested):
        return RuleOutcome(
            code,
            False,
            f"{actor.user} took part in the contested decision and may not answer an objection to their own act",
            overridable=False,
        )
    if act in SEPARATED_FROM_PROPOSING and proposed_by is not None and proposed_by.user == actor.user:
        return RuleOutcome(
            code, False, f"{actor.user} proposed this transfer and may not also {verb} it", overridable=False
        )
    return RuleOutcome(
        code,
        True,
        f"{actor.user} is not the employee concerned"
        + (" and did not propose the transfer" if act in SEPARATED_FROM_PROPOSING else ""),
        overridable=False,
    )


class NoConflictOfInterest:
    """Rule 9, for the act the case names. It can never be overridden."""

    code = "conflict_of_interest"
    title = "No conflict of interest"

    def check(self, case: EligibilityCase) -> RuleOutcome:
        return conflict_of_interest(case.actor, case.employee.nip, case.act, case.proposed_by, case.contested)
