"""NIP: the 18-digit employee number, `YYYYMMDD` birth date + `YYYYMM` start + sex digit + sequence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import InvalidValue

MINIMUM_START_AGE = 18  # PP 11/2017 art. 23: a CPNS applicant is at least 18 years old


class InvalidNip(InvalidValue):
    """The NIP is not a possible employee number; the message says which part is wrong."""

    code = "invalid-nip"


@dataclass(frozen=True)
class Nip:
    """A validated NIP. Build it with `Nip.parse`; `str(nip)` gives the 18 digits back."""

    value: str
    birth_date: date
    start_year: int
    start_month: int
    sex: int
    sequence: int

    @classmethod
    def parse(cls, text: str) -> Nip:
        """Validate `text` and split it into its parts, or raise `InvalidNip` saying why."""
        digits = text.replace(" ", "") if isinstance(text, str) else ""
        if len(digits) != 18 or not digits.isascii() or not digits.isdigit():
            raise InvalidNip(f"NIP must be 18 digits, got {text!r}")
        try:
            birth = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
        except ValueError:
            raise InvalidNip(f"NIP {digits}: {digits[0:8]} is not a real birth date") from None
        start_year, start_month = int(digits[8:12]), int(digits[12:14])
        if not 1 <= start_month <= 12:
            raise InvalidNip(f"NIP {digits}: start month {digits[12:14]} is not 01-12")
        if (start_year, start_month) < (birth.year + MINIMUM_START_AGE, birth.month):
            raise InvalidNip(
                f"NIP {digits}: civil-service start {start_year}-{start_month:02d} is before "
                f"the holder's 18th birthday ({birth.isoformat()})"
            )
        sex = int(digits[14])
        if sex not in (1, 2):
            raise InvalidNip(f"NIP {digits}: sex digit must be 1 (male) or 2 (female), got {sex}")
        return cls(digits, birth, start_year, start_month, sex, int(digits[15:18]))

    def masked(self) -> str:
        """The NIP for public lists: birth date and start hidden, only the last 4 digits shown."""
        return "*" * 14 + self.value[14:]

    def __str__(self) -> str:
        return self.value
