"""Job-Person Match (JPM) = sum(min(actual, required)) / sum(required) x 100, its categories and gaps."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.competency import (
    MANAGERIAL,
    JobPersonMatch,
    JpmCategory,
    competency_gaps,
    job_person_match,
    validate_levels,
)
from domain.errors import InvalidValue
from domain.policy import RulePolicy

STANDARD = {"integritas": 3, "kerjasama": 3, "keuangan_daerah": 4}
FIVE_AT_5 = {name: 5 for name in MANAGERIAL[:5]}  # sum 25: each level point is 4 JPM points


def test_is_100_when_every_level_is_met():
    assert job_person_match({"integritas": 3, "kerjasama": 3, "keuangan_daerah": 4}, STANDARD) == Decimal("100.00")


def test_excess_in_one_competency_does_not_make_up_for_a_gap_in_another():
    assert job_person_match({"integritas": 5, "kerjasama": 1, "keuangan_daerah": 4}, STANDARD) == Decimal("80.00")


def test_missing_scores_count_zero():
    assert job_person_match({"integritas": 3}, STANDARD) == Decimal("30.00")


def test_is_0_without_any_score_of_the_standard():
    assert job_person_match({"perekat_bangsa": 5}, STANDARD) == Decimal("0.00")


def test_ignores_scores_outside_the_standard():
    assert job_person_match({**STANDARD, "perekat_bangsa": 1}, STANDARD) == Decimal("100.00")


def test_rounds_to_two_places():
    standard = {"integritas": 3, "kerjasama": 3, "komunikasi": 3}
    assert job_person_match({"integritas": 3, "kerjasama": 3, "komunikasi": 1}, standard) == Decimal("77.78")


def test_rounds_half_up():
    standard = {name: 4 for name in MANAGERIAL}  # sum 32; 1/32 = 3.125 %
    assert job_person_match({"integritas": 1}, standard) == Decimal("3.13")


def test_is_0_for_an_empty_standard():
    assert job_person_match({"integritas": 3}, {}) == Decimal(0)


@pytest.mark.parametrize(
    "met, jpm, category",
    [
        (25, "100.00", JpmCategory.MS),
        (20, "80.00", JpmCategory.MS),
        (19, "76.00", JpmCategory.MMS),
        (17, "68.00", JpmCategory.MMS),
        (16, "64.00", JpmCategory.KMS),
        (0, "0.00", JpmCategory.KMS),
    ],
)
def test_categorises_at_the_80_and_68_boundaries(met, jpm, category):
    scores, left = {}, met
    for name in FIVE_AT_5:
        scores[name], left = min(5, left), left - min(5, left)
    scores = {n: s for n, s in scores.items() if s}

    match = JobPersonMatch.of(scores, FIVE_AT_5, RulePolicy())

    assert match.jpm == Decimal(jpm)
    assert match.category is category


@pytest.mark.parametrize(
    "jpm, category",
    [
        ("80", JpmCategory.MS),
        ("79.99", JpmCategory.MMS),
        ("68", JpmCategory.MMS),
        ("67.99", JpmCategory.KMS),
    ],
)
def test_category_thresholds_are_inclusive(jpm, category):
    assert JpmCategory.of(Decimal(jpm), RulePolicy()) is category


def test_category_thresholds_come_from_the_policy():
    strict = RulePolicy(jpm_ms_threshold=Decimal(90), jpm_mms_threshold=Decimal(75))

    assert JpmCategory.of(Decimal(85), strict) is JpmCategory.MMS
    assert JpmCategory.of(Decimal(70), strict) is JpmCategory.KMS


def test_gaps_list_only_the_competencies_below_the_standard():
    gaps = competency_gaps({"integritas": 5, "kerjasama": 1}, STANDARD)

    assert gaps == {"kerjasama": 2, "keuangan_daerah": 4}


def test_match_carries_its_gaps():
    match = JobPersonMatch.of({"integritas": 2, "kerjasama": 3, "keuangan_daerah": 4}, STANDARD, RulePolicy())

    assert (match.jpm, match.category, match.gaps) == (Decimal("90.00"), JpmCategory.MS, {"integritas": 1})


# -- levels ------------------------------------------------------------------------


def test_validated_levels_come_back_sorted():
    assert list(validate_levels({"kerjasama": 2, "integritas": 5}, "standard")) == ["integritas", "kerjasama"]


def test_errors_for_an_empty_set_of_levels():
    with pytest.raises(InvalidValue, match="standard names no competency"):
        validate_levels({}, "standard")


@pytest.mark.parametrize("name", ["Integritas", "x", "kerja sama", "1st", "a" * 65, 3])
def test_errors_for_a_competency_name_that_is_not_snake_case(name):
    with pytest.raises(InvalidValue, match="is not a competency name"):
        validate_levels({name: 3}, "assessment")


@pytest.mark.parametrize("level", [0, 6, -1, 3.0, True, "3", None])
def test_errors_for_a_level_outside_1_to_5(level):
    with pytest.raises(InvalidValue, match="level of integritas must be an integer 1-5"):
        validate_levels({"integritas": level}, "assessment")


@pytest.mark.parametrize("level", [1, 5])
def test_accepts_levels_1_and_5(level):
    assert validate_levels({"integritas": level}, "assessment") == {"integritas": level}


# -- properties --------------------------------------------------------------------

names = st.sampled_from(MANAGERIAL + ("perekat_bangsa", "keuangan_daerah"))
standards = st.dictionaries(names, st.integers(1, 5), min_size=1)
scores = st.dictionaries(names, st.integers(1, 5))


@given(standards, scores)
def test_jpm_lies_between_0_and_100(standard, actual):
    assert Decimal(0) <= job_person_match(actual, standard) <= Decimal(100)


@given(standards, scores, names)
def test_jpm_never_falls_when_a_score_rises(standard, actual, name):
    better = {**actual, name: min(5, actual.get(name, 0) + 1)}

    assert job_person_match(better, standard) >= job_person_match(actual, standard)


@given(standards)
def test_jpm_is_100_for_scores_equal_to_the_standard(standard):
    assert job_person_match(standard, standard) == Decimal(100)


@given(standards, scores)
def test_jpm_is_100_exactly_when_there_is_no_gap(standard, actual):
    match = JobPersonMatch.of(actual, standard, RulePolicy())

    assert (match.jpm == 100) == (match.gaps == {})
