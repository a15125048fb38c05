"""Date arithmetic shared by the rules: anniversaries and completed years."""

from datetime import date

import pytest

from domain.calendar import add_months, add_years, whole_years


def test_adds_years_to_the_same_calendar_day():
    assert add_years(date(2024, 3, 1), 2) == date(2026, 3, 1)
    assert add_years(date(2026, 3, 1), -2) == date(2024, 3, 1)


def test_29_february_falls_back_to_28_february():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 3, 15), 3, date(2026, 6, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 3, 31), 6, date(2026, 9, 30)),
    ],
)
def test_adds_months_clipping_to_the_last_day(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    "end, years",
    [
        (date(2026, 3, 1), 2),
        (date(2026, 2, 28), 1),
        (date(2024, 2, 1), 0),
        (date(2023, 1, 1), 0),
    ],
)
def test_counts_completed_years_only(end, years):
    assert whole_years(date(2024, 3, 1), end) == years
