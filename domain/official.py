"""Who acts in the process: an official identified by user id and, when a civil servant, by NIP,
with the agencies they serve and, for the deciders of cross-agency transfers, their office."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidValue
from domain.vocabulary import Office

NATIONAL = "*"
"""In `Official.agencies`: serves every agency (a national auditor, the Minister, the Head of BKN)."""


@dataclass(frozen=True)
class Official:
    """A person who proposes, reviews, decides or authorises. `nip` lets conflicts of interest show;
    `agencies` are the agencies the person acts for (DOMAIN.md "Who may act for an agency"), and
    `office` the office they hold when they decide cross-agency transfers (Governor, Minister, BKN)."""

    user: str
    nip: str | None = None
    agencies: tuple[str, ...] = ()
    office: Office | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.user, str) or not self.user.strip():
            raise InvalidValue("an official needs a user id")
        if isinstance(self.agencies, (str, bytes)) or any(
            not isinstance(a, str) or not a.strip() for a in self.agencies
        ):
            raise InvalidValue("an official's agencies must be a list of non-empty names")
        object.__setattr__(self, "agencies", tuple(self.agencies))
        if self.office is not None:
            object.__setattr__(self, "office", Office(self.office))

    def is_employee(self, nip: str) -> bool:
        """True when this official is the civil servant with `nip`."""
        return self.nip is not None and self.nip == nip

    @property
    def is_national(self) -> bool:
        """True when the official serves every agency."""
        return NATIONAL in self.agencies

    def serves(self, agency: str) -> bool:
        """True when the official acts for `agency` (or for every agency)."""
        return self.is_national or agency in self.agencies
