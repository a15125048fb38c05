"""Rule 3: no transfer takes effect inside one of the agency's election-freeze windows."""

from datetime import date

import pytest

from domain.eligibility import FreezeWindow
from domain.eligibility.timing import ElectionFreeze
from domain.errors import InvalidValue
from tests.unit.builders import case, employee, position

PILKADA = FreezeWindow(date(2026, 3, 1), date(2026, 9, 30), "Pilkada 2026: candidates confirmed")
INAUGURATION = FreezeWindow(date(2027, 1, 10), date(2027, 7, 10), "six months after inauguration")


def freeze_on(effective_on: date, windows=(PILKADA, INAUGURATION)):
    origin = position("Origin")
    return ElectionFreeze().check(
        case(employee(at=origin), origin, position("Target"), effective_on, freeze_windows=windows)
    )


@pytest.mark.parametrize("day", [date(2026, 3, 1), date(2026, 9, 30), date(2026, 6, 15)])
def test_fails_on_the_first_day_the_last_day_and_inside_a_window(day):
    outcome = freeze_on(day)

    assert not outcome.passed
    assert f"{day} lies in the freeze window 2026-03-01 to 2026-09-30" in outcome.explanation
    assert "Pilkada 2026" in outcome.explanation
    assert "Minister of Home Affairs" in outcome.explanation


@pytest.mark.parametrize("day", [date(2026, 2, 28), date(2026, 10, 1)])
def test_passes_on_the_day_before_and_the_day_after_a_window(day):
    outcome = freeze_on(day)

    assert outcome.passed
    assert f"{day} lies outside every freeze window" == outcome.explanation


def test_checks_every_window_of_the_agency():
    outcome = freeze_on(date(2027, 7, 10))

    assert not outcome.passed
    assert "six months after inauguration" in outcome.explanation


def test_passes_without_any_window():
    assert freeze_on(date(2026, 6, 15), windows=()).passed


def test_a_window_may_last_a_single_day():
    one_day = FreezeWindow(date(2026, 3, 1), date(2026, 3, 1), "one day")

    assert one_day.covers(date(2026, 3, 1))
    assert not one_day.covers(date(2026, 3, 2))


def test_errors_for_a_window_that_ends_before_it_starts():
    with pytest.raises(InvalidValue, match="'backwards' ends before it starts"):
        FreezeWindow(date(2026, 3, 2), date(2026, 3, 1), "backwards")
