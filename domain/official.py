"""Who acts in the process: an official identified by user id and, when a civil servant, by NIP."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import InvalidValue


@dataclass(frozen=True)
class Official:
    """A person who proposes, reviews, decides or authorises. `nip` lets conflicts of interest show."""

    user: str
    nip: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.user, str) or not self.user.strip():
            raise InvalidValue("an official needs a user id")

    def is_employee(self, nip: str) -> bool:
        """True when this official is the civil servant with `nip`."""
        return self.nip is not None and self.nip == nip
