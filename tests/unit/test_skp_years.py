"""Rule 4 judges the last N years whose SKP rating is final on the judged date (DOMAIN.md "When an SKP
year counts"): year Y counts from 1 February of Y + 1 (configurable)."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from application.settings import RuleSettings
from domain.eligibility import assess_eligibility
from domain.eligibility.conduct import PerformanceRecord, final_rating_years
from domain.policy import RulePolicy
from domain.vocabulary import Expectation
from tests.unit.builders import EFFECTIVE, case, employee, position

E = Expectation.AS_EXPECTED
RATED_2024_2025 = {2024: (E, E), 2025: (E, E)}


def performance_on(day: date, ratings=RATED_2024_2025, policy: RulePolicy | None = None):
    origin = position("Origin")
    who = employee(at=origin, ratings=ratings)
    return PerformanceRecord().check(case(who, origin, position("Target"), effective_on=day, policy=policy))


@pytest.mark.parametrize(
    "day, years",
    [
        (date(2027, 1, 15), (2024, 2025)),
        (date(2027, 1, 31), (2024, 2025)),
        (date(2027, 2, 1), (2025, 2026)),
        (date(2027, 12, 31), (2025, 2026)),
        (EFFECTIVE, (2024, 2025)),
    ],
)
def test_a_year_counts_from_1_february_of_the_next_year(day, years):
    assert final_rating_years(day, RulePolicy()) == years


def test_a_january_round_uses_the_two_years_before_the_last():
    outcome = performance_on(date(2027, 1, 10))

    assert outcome.passed
    assert outcome.explanation == (
        "SKP 2024: Baik, 2025: Baik (the last 2 years whose SKP rating is final on 2027-01-10, a year's "
        "rating being final from 1 February of the next year: 2026's only from 2027-02-01)"
    )


def test_from_february_the_past_year_is_needed_and_named():
    outcome = performance_on(date(2027, 2, 10))

    assert not outcome.passed
    assert outcome.explanation == (
        "needs at least Baik in 2025, 2026 (the last 2 years whose SKP rating is final on 2027-02-10, a "
        "year's rating being final from 1 February of the next year: 2026's since 2027-02-01); "
        "no SKP rating for 2026"
    )


def test_the_whole_report_agrees_for_a_january_round():
    origin = position("Origin")
    who = employee(at=origin, placed_on=date(2023, 1, 2), ratings=RATED_2024_2025)

    report = assess_eligibility(case(who, origin, position("Target"), effective_on=date(2027, 1, 10)))

    assert report.outcome("performance").passed


def test_a_rating_of_a_year_not_yet_final_does_not_count():
    bad_2026 = {**RATED_2024_2025, 2026: (Expectation.BELOW, Expectation.BELOW)}

    assert performance_on(date(2027, 1, 10), bad_2026).passed
    assert "2026 rated Sangat Kurang" in performance_on(date(2027, 2, 10), bad_2026).explanation


def test_the_final_day_is_configurable():
    march = RuleSettings(rating_final_month=3, rating_final_day=15).policy()

    assert final_rating_years(date(2027, 3, 14), march) == (2024, 2025)
    assert final_rating_years(date(2027, 3, 15), march) == (2025, 2026)
    outcome = performance_on(date(2027, 2, 10), policy=march)
    assert outcome.passed
    assert "final from 15 March of the next year: 2026's only from 2027-03-15" in outcome.explanation


@pytest.mark.parametrize("month, day", [(2, 29), (2, 30), (4, 31), (13, 1), (0, 1), (1, 0)])
def test_settings_refuse_a_final_day_that_not_every_year_has(month, day):
    with pytest.raises(ValidationError):
        RuleSettings(rating_final_month=month, rating_final_day=day)
