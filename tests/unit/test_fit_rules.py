"""Rules 6, 7 and 8: competency fit (JPM), rank in the range, a free seat; and rule 9, no conflict."""

from datetime import date
from decimal import Decimal

import pytest

from domain.eligibility.conflict import NoConflictOfInterest
from domain.eligibility.fit import CompetencyFit, FreeSeat, RankInRange
from domain.employee import Employee
from domain.official import Official
from domain.vocabulary import Rank
from tests.unit.builders import case, employee, nip, position

FIVE_AT_5 = {"integritas": 5, "kerjasama": 5, "komunikasi": 5, "pelayanan_publik": 5, "perekat_bangsa": 5}


def fit_of(scores, standard=None, min_jpm=None):
    origin, target = position("Origin"), position("Target", standard=standard, min_jpm=min_jpm)
    return CompetencyFit().check(case(employee(at=origin, scores=scores), origin, target))


def test_fit_passes_when_the_standard_is_met():
    outcome = fit_of({"integritas": 4, "kerjasama": 3, "keuangan_daerah": 4})

    assert outcome.passed
    assert outcome.explanation == "JPM 100.00 (MS) against a threshold of 68; gaps: none"


def test_fit_counts_missing_scores_as_zero_and_names_the_gaps():
    outcome = fit_of({"integritas": 3})

    assert not outcome.passed
    assert "JPM 30.00 (KMS) against a threshold of 68" in outcome.explanation
    assert "gaps: kerjasama -3, keuangan_daerah -4" in outcome.explanation


@pytest.mark.parametrize("komunikasi, passed", [(5, True), (4, False)])
def test_fit_threshold_of_68_is_inclusive(komunikasi, passed):
    scores = {**FIVE_AT_5, "komunikasi": komunikasi, "pelayanan_publik": 1, "perekat_bangsa": 1}  # 17 or 16 of 25

    outcome = fit_of(scores, standard=FIVE_AT_5)

    assert outcome.passed is passed
    assert ("JPM 68.00 (MMS)" if passed else "JPM 64.00 (KMS)") in outcome.explanation


def test_fit_uses_the_target_positions_own_threshold():
    outcome = fit_of({"integritas": 3, "kerjasama": 3, "keuangan_daerah": 2}, min_jpm=Decimal(90))

    assert not outcome.passed
    assert "JPM 80.00 (MS) against a threshold of 90" in outcome.explanation


def test_fit_fails_without_any_assessment():
    origin = position("Origin")
    unassessed = Employee.register(nip(5), "Belum Dinilai", Rank.III_B)

    outcome = CompetencyFit().check(case(unassessed, origin, position("Target")))

    assert not outcome.passed
    assert "no competency assessment recorded" in outcome.explanation


def test_fit_uses_the_latest_assessment_by_date():
    origin = position("Origin")
    who = employee(at=origin)  # assessed 2025-06-01 with good scores
    who.assess_competency({"integritas": 1}, "low", "UPT", "interview", date(2024, 1, 1))

    assert CompetencyFit().check(case(who, origin, position("Target"))).passed


# -- rank ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rank, passed",
    [
        (Rank.II_D, False),
        (Rank.III_A, True),
        (Rank.III_B, True),
        (Rank.III_D, True),
        (Rank.IV_A, False),
    ],
)
def test_rank_passes_inside_the_range_limits_included(rank, passed):
    origin = position("Origin", ranks=(Rank.II_A, Rank.IV_E))
    outcome = RankInRange().check(case(employee(rank=rank, at=origin), origin, position("Target")))

    assert outcome.passed is passed
    where = "lies in" if passed else "lies outside"
    assert outcome.explanation == f"rank {rank.value} {where} III/a to III/d"


@pytest.mark.parametrize("rank", [Rank.I_A, Rank.IV_E])
def test_rank_range_may_span_all_seventeen_ranks(rank):
    wide = position("Target", ranks=(Rank.I_A, Rank.IV_E))

    assert wide.admits_rank(rank)
    assert len(Rank) == 17 and Rank.I_A.order == 0 and Rank.IV_E.order == 16


# -- vacancy ------------------------------------------------------------------------


def seat_in(target, promised=0):
    origin = position("Origin")
    return FreeSeat().check(case(employee(at=origin), origin, target, seats_promised=promised))


def test_vacancy_passes_with_a_free_seat():
    outcome = seat_in(position("Target", formasi=2))

    assert outcome.passed
    assert outcome.explanation == "formasi 2 - 0 holders - 0 approved in this round = 2 free"


def test_vacancy_fails_when_the_holders_fill_the_formasi():
    target = position("Target", formasi=1)
    employee(9, at=target)

    outcome = seat_in(target)

    assert not outcome.passed
    assert outcome.explanation == "formasi 1 - 1 holders - 0 approved in this round = 0 free"


def test_vacancy_fails_when_the_last_seat_is_promised_in_the_round():
    target = position("Target", formasi=2)
    employee(9, at=target)

    outcome = seat_in(target, promised=1)

    assert not outcome.passed
    assert outcome.explanation == "formasi 2 - 1 holders - 1 approved in this round = 0 free"


def test_vacancy_fails_for_a_formasi_of_zero():
    assert not seat_in(position("Target", formasi=0)).passed


def test_vacancy_fails_for_an_abolished_position():
    target = position("Target")
    target.abolish(date(2026, 1, 31), "merged into BPKAD")

    outcome = seat_in(target)

    assert not outcome.passed
    assert outcome.explanation == "the position was abolished on 2026-01-31"


# -- conflict of interest -----------------------------------------------------------


def test_conflict_fails_when_the_actor_is_the_employee_and_cannot_be_overridden():
    origin = position("Origin")
    who = employee(at=origin)

    outcome = NoConflictOfInterest().check(case(who, origin, position("Target"), actor=Official("self", who.nip)))

    assert not outcome.passed
    assert outcome.overridable is False
    assert outcome.explanation == "self is the employee concerned and may not decide their own transfer"


def test_conflict_passes_for_another_official():
    origin = position("Origin")
    who = employee(at=origin)

    outcome = NoConflictOfInterest().check(case(who, origin, position("Target"), actor=Official("tpk", nip(77))))

    assert outcome.passed
    assert outcome.overridable is False
