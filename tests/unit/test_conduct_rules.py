"""Rules 4 and 5: SKP rating of the last two final years, and the discipline record."""

from datetime import date

import pytest

from domain.eligibility.conduct import DisciplineRecord, PerformanceRecord
from domain.vocabulary import Expectation, SanctionLevel
from tests.unit.builders import case, employee, position

B, E, A = Expectation.BELOW, Expectation.AS_EXPECTED, Expectation.ABOVE


def performance_of(ratings):
    origin = position("Origin")
    return PerformanceRecord().check(case(employee(at=origin, ratings=ratings), origin, position("Target")))


def test_performance_passes_with_baik_or_better_in_both_previous_years():
    outcome = performance_of({2024: (A, A), 2025: (E, E)})

    assert outcome.passed
    assert outcome.explanation.startswith(
        "SKP 2024: Sangat Baik, 2025: Baik (the last 2 years whose SKP rating is final on 2026-03-01"
    )


def test_performance_fails_for_a_missing_year():
    outcome = performance_of({2024: (E, E)})

    assert not outcome.passed
    assert "needs at least Baik in 2024, 2025" in outcome.explanation
    assert "no SKP rating for 2025" in outcome.explanation


@pytest.mark.parametrize(
    "results, behaviour, predikat",
    [
        (B, E, "Butuh Perbaikan"),
        (E, B, "Kurang"),
        (B, B, "Sangat Kurang"),
    ],
)
def test_performance_fails_for_a_year_below_baik(results, behaviour, predikat):
    outcome = performance_of({2024: (results, behaviour), 2025: (E, E)})

    assert not outcome.passed
    assert f"2024 rated {predikat}" in outcome.explanation
    assert "2025" not in outcome.explanation.split(";", 1)[1]


def test_performance_looks_only_at_the_two_final_years_before_the_effective_date():
    assert performance_of({2023: (B, B), 2024: (E, E), 2025: (E, E), 2026: (B, B)}).passed


# -- discipline ---------------------------------------------------------------------


def discipline_of(*sanctions, cases=()):
    origin = position("Origin")
    who = employee(at=origin)
    for level, imposed_on in sanctions:
        who.record_sanction(level, imposed_on, date(imposed_on.year + 1, 1, 1), f"HD-{imposed_on}")
    for reference in cases:
        who.open_disciplinary_case(reference, date(2026, 1, 5))
    return DisciplineRecord().check(case(who, origin, position("Target")))


def test_discipline_passes_with_a_clean_record():
    outcome = discipline_of()

    assert outcome.passed
    assert "since 2024-03-01" in outcome.explanation


@pytest.mark.parametrize("level", [SanctionLevel.MODERATE, SanctionLevel.SEVERE])
def test_discipline_fails_for_a_moderate_or_severe_sanction_inside_the_lookback(level):
    outcome = discipline_of((level, date(2025, 1, 10)))

    assert not outcome.passed
    assert f"{level.value} sanction HD-2025-01-10 imposed on 2025-01-10" in outcome.explanation


def test_discipline_lookback_includes_its_first_day():
    assert not discipline_of((SanctionLevel.SEVERE, date(2024, 3, 1))).passed


def test_discipline_ignores_a_sanction_over_before_the_lookback():
    origin = position("Origin")
    who = employee(at=origin)
    who.record_sanction(SanctionLevel.SEVERE, date(2023, 2, 1), date(2024, 2, 29), "HD-OLD")

    assert DisciplineRecord().check(case(who, origin, position("Target"))).passed


def test_discipline_ignores_light_sanctions():
    assert discipline_of((SanctionLevel.LIGHT, date(2025, 11, 1))).passed


def test_discipline_fails_for_a_pending_case():
    outcome = discipline_of(cases=("PEMERIKSAAN-7",))

    assert not outcome.passed
    assert "disciplinary case PEMERIKSAAN-7 pending since 2026-01-05" in outcome.explanation


def test_discipline_passes_once_the_case_is_closed():
    origin = position("Origin")
    who = employee(at=origin)
    who.open_disciplinary_case("PEMERIKSAAN-7", date(2026, 1, 5))
    who.close_disciplinary_case("PEMERIKSAAN-7", date(2026, 2, 1), "no sanction")

    assert DisciplineRecord().check(case(who, origin, position("Target"))).passed


def test_discipline_lists_every_reason():
    outcome = discipline_of((SanctionLevel.MODERATE, date(2025, 1, 10)), cases=("PEMERIKSAAN-7",))

    assert "HD-2025-01-10" in outcome.explanation and "PEMERIKSAAN-7" in outcome.explanation


def test_discipline_fails_for_an_older_sanction_still_in_force_inside_the_lookback():
    origin = position("Origin")
    who = employee(at=origin)
    who.record_sanction(SanctionLevel.SEVERE, date(2023, 6, 1), date(2027, 6, 1), "HD-LONG")

    outcome = DisciplineRecord().check(case(who, origin, position("Target")))

    assert not outcome.passed
    assert "severe sanction HD-LONG imposed on 2023-06-01 until 2027-06-01" in outcome.explanation


@pytest.mark.parametrize("ends_on, passed", [(date(2024, 2, 29), True), (date(2024, 3, 1), False)])
def test_discipline_counts_a_sanction_that_ran_into_the_first_day_of_the_lookback(ends_on, passed):
    origin = position("Origin")
    who = employee(at=origin)
    who.record_sanction(SanctionLevel.MODERATE, date(2023, 3, 1), ends_on, "HD-1")

    assert DisciplineRecord().check(case(who, origin, position("Target"))).passed is passed
