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


def is_working_day(day: date, non_working_days: frozenset[date] | tuple[date, ...] = ()) -> bool:
    """Monday to Friday, and not one of the agency's non-working days (holidays, collective leave)."""
    return day.weekday() < 5 and day not in non_working_days


def add_working_days(day: date, count: int, non_working_days: frozenset[date] | tuple[date, ...] = ()) -> date:
    """The `count`-th working day after `day` (`day` itself when `count` is 0)."""
    found = day
    while count > 0:
        found = date.fromordinal(found.toordinal() + 1)
        if is_working_day(found, non_working_days):
            count -= 1
    return found
