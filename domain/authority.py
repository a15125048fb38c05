"""Who may act for an agency (DOMAIN.md): the one place that decides an official's reach.

Every act is done for one agency by someone who serves it; cross-agency transfers are decided by the
office DOMAIN.md names (Governor, Minister of Home Affairs, Head of BKN). Who may not act on a transfer
because it is their own is rule 9 (`domain.eligibility.conflict`), not this module.
"""

from __future__ import annotations

from domain.errors import DomainError
from domain.official import Official
from domain.vocabulary import TransferKind


class OutsideAuthority(DomainError):
    """The official does not act for the agency concerned, or lacks the office the act needs."""

    code = "outside-authority"


def check_acts_for(official: Official, agency: str, what: str = "this") -> None:
    """Refuse unless `official` serves `agency`."""
    if not official.serves(agency):
        served = ", ".join(official.agencies) or "no agency"
        raise OutsideAuthority(f"{official.user} acts for {served}, not for {agency}, and may not act on {what}")


def check_may_decide(official: Official, kind: TransferKind, receiving: str, releasing: str) -> None:
    """Refuse unless `official` may decide a transfer of `kind` from `releasing` to `receiving`:
    the PPK of the agency within one agency; otherwise the office of DOMAIN.md's table, serving both."""
    office = kind.deciding_office
    if office is None:
        check_acts_for(official, receiving, "this agency's transfers")
        return
    if official.office is not office:
        holds = f"holds the office {official.office.value}" if official.office else "holds no deciding office"
        raise OutsideAuthority(f"a {kind.value} transfer is decided by the {kind.decided_by}; {official.user} {holds}")
    for agency in (receiving, releasing):
        check_acts_for(official, agency, "a transfer that concerns it")
