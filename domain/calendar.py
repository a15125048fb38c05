"""Date arithmetic the rules share: whole years between dates, anniversaries."""

from __future__ import annotations

from datetime import date


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later, clipped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def whole_years(start: date, end: date) -> int:
    """Completed years from `start` to `end` (0 when `end` is before the first anniversary)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)
