"""What an eligibility rule looks at, and what it answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Protocol

from domain.errors import InvalidValue
from domain.official import Official
from domain.policy import RulePolicy
from domain.vocabulary import TransferKind

if TYPE_CHECKING:
    from domain.employee import Employee
    from domain.position import Position


@dataclass(frozen=True)
class FreezeWindow:
    """An election freeze period of an agency (UU 10/2016 art. 71(2), 162(3)), both days included."""

    starts_on: date
    ends_on: date
    reason: str

    def __post_init__(self) -> None:
        if self.ends_on < self.starts_on:
            raise InvalidValue(f"freeze window {self.reason!r} ends before it starts")

    def covers(self, day: date) -> bool:
        """True when `day` lies in the window, first and last day included."""
        return self.starts_on <= day <= self.ends_on


@dataclass(frozen=True)
class RuleOutcome:
    """One rule's answer: passed or not, why, whether an override may lift it, and any flags."""

    rule: str
    passed: bool
    explanation: str
    overridable: bool = True
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class EligibilityCase:
    """A candidate transfer as the rules see it: who, from where, to where, when, asked by whom."""

    employee: Employee
    current_position: Position | None
    target: Position
    kind: TransferKind
    effective_on: date
    actor: Official
    policy: RulePolicy = field(default_factory=RulePolicy)
    freeze_windows: tuple[FreezeWindow, ...] = ()
    seats_promised: int = 0
    """Seats of the target already promised to other approved proposals of the same round."""
    seats_freed: int = 0
    """Holders of the target whose approved moves of the same round will take them elsewhere."""
    act: str = "decide"
    """The act the actor is about to do (`domain.eligibility.conflict.Act`), for rule 9."""
    proposed_by: Official | None = None
    """Who proposed the transfer, once it is proposed (rule 9: the proposer does not decide it)."""
    contested: tuple[Official, ...] = ()
    """Whoever proposed, recommended and decided the transfer: none of them answers an objection to it."""
    judged_on: date | None = None
    """The day the judgement is made, when known: what the register holds by then counts (a sanction
    imposed after the effective date but before this day still blocks)."""

    @property
    def known_on(self) -> date:
        """The later of the effective date and the day of judgement."""
        return max(self.effective_on, self.judged_on or self.effective_on)


class EligibilityRule(Protocol):
    """A named rule that answers "may this transfer happen?" and "why not?" in one outcome."""

    code: str
    title: str

    def check(self, case: EligibilityCase) -> RuleOutcome:
        """Evaluate the rule on a case."""
        ...  # pragma: no cover
