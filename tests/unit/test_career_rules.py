"""Rules 1 and 2: minimum tenure (with rotation due) and the senior-executive (JPT) lock."""

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.eligibility.career import MinimumTenure, SeniorExecutiveLock
from domain.vocabulary import PositionType, Rank
from tests.unit.builders import EFFECTIVE, case, employee, position

TENURE, LOCK = MinimumTenure(), SeniorExecutiveLock()


def tenure_on(placed_on: date, effective_on: date = EFFECTIVE):
    origin, target = position("Origin"), position("Target")
    return TENURE.check(case(employee(at=origin, placed_on=placed_on), origin, target, effective_on))


def test_tenure_passes_on_the_second_anniversary():
    outcome = tenure_on(date(2024, 3, 1))

    assert outcome.passed
    assert "since 2024-03-01 (2 full years on 2026-03-01), at least 2" in outcome.explanation
    assert outcome.flags == ()


def test_tenure_fails_one_day_before_the_second_anniversary():
    outcome = tenure_on(date(2024, 3, 2))

    assert not outcome.passed
    assert "(1 full years on 2026-03-01), fewer than the required 2" in outcome.explanation


def test_tenure_fails_for_an_employee_without_a_position():
    outcome = TENURE.check(case(employee(), None, position()))

    assert not outcome.passed
    assert "holds no position" in outcome.explanation


def test_tenure_of_exactly_five_years_is_not_yet_due_for_rotation():
    assert tenure_on(date(2021, 3, 1)).flags == ()


def test_tenure_of_more_than_five_years_flags_due_for_rotation():
    outcome = tenure_on(date(2021, 2, 28))

    assert outcome.passed
    assert outcome.flags == ("due_for_rotation",)
    assert "more than 5 years: due for rotation" in outcome.explanation


def test_tenure_of_six_years_flags_due_for_rotation():
    assert tenure_on(date(2020, 3, 1)).flags == ("due_for_rotation",)


plain_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31))


@given(placed_on=plain_days, effective_on=plain_days)
def test_tenure_passes_exactly_from_the_second_anniversary(placed_on, effective_on):
    assume(placed_on <= effective_on and (placed_on.month, placed_on.day) != (2, 29))

    outcome = tenure_on(placed_on, effective_on)

    assert outcome.passed == (effective_on >= placed_on.replace(year=placed_on.year + 2))
    assert ("due_for_rotation" in outcome.flags) == (effective_on > placed_on.replace(year=placed_on.year + 5))


# -- JPT lock -----------------------------------------------------------------------


def lock_on(position_type: PositionType, placed_on: date):
    origin = position("Kepala Dinas", position_type=position_type, ranks=(Rank.IV_A, Rank.IV_E))
    who = employee(rank=Rank.IV_B, at=origin, placed_on=placed_on)
    return LOCK.check(case(who, origin, position("Staf Ahli", ranks=(Rank.IV_A, Rank.IV_E))))


def test_lock_does_not_apply_outside_jpt_positions():
    outcome = lock_on(PositionType.ADMINISTRATOR, date(2025, 12, 1))

    assert outcome.passed
    assert "does not hold a JPT position" in outcome.explanation


def test_lock_does_not_apply_to_an_employee_without_a_position():
    assert LOCK.check(case(employee(), None, position())).passed


@pytest.mark.parametrize("position_type", [PositionType.JPT_UTAMA, PositionType.JPT_MADYA])
def test_lock_on_jpt_utama_and_madya_needs_the_president(position_type):
    outcome = lock_on(position_type, date(2024, 3, 2))

    assert not outcome.passed
    assert "appointed to the JPT position on 2024-03-02, under 2 years before 2026-03-01" in outcome.explanation
    assert "the President" in outcome.explanation


def test_lock_on_jpt_pratama_needs_the_minister():
    outcome = lock_on(PositionType.JPT_PRATAMA, date(2025, 6, 1))

    assert not outcome.passed
    assert "the Minister of Home Affairs" in outcome.explanation
    assert "President" not in outcome.explanation


@pytest.mark.parametrize("position_type", [PositionType.JPT_UTAMA, PositionType.JPT_MADYA, PositionType.JPT_PRATAMA])
def test_lock_ends_on_the_second_anniversary_of_the_appointment(position_type):
    outcome = lock_on(position_type, date(2024, 3, 1))

    assert outcome.passed
    assert "2 years ago, at least 2" in outcome.explanation
