"""The Employee aggregate: register, assess, rate, discipline, place, transfer, develop, retire."""

from datetime import date
from uuid import uuid4

import pytest

from domain.employee import Employee, EmployeeRetired, PlacementError
from domain.errors import IllegalTransition, InvalidValue
from domain.nip import InvalidNip
from domain.vocabulary import DevelopmentActivity, Expectation, Potential, Predikat, Rank, SanctionLevel
from tests.unit.builders import employee, nip, recorded, refused

A, E, B = Expectation.ABOVE, Expectation.AS_EXPECTED, Expectation.BELOW


def test_registers_with_an_id_derived_from_the_nip():
    first = Employee.register(nip(1), "  Siti   Rahma ", Rank.III_A)

    assert first.id == Employee.create_id(nip(1)) == Employee.register(nip(1), "Other", Rank.III_A).id
    assert first.id != Employee.create_id(nip(2))
    assert (first.name, first.rank, first.birth_date) == ("Siti Rahma", Rank.III_A, date(1985, 1, 15))
    assert recorded(first) == ["Registered"]


def test_errors_for_registering_an_invalid_nip():
    with pytest.raises(InvalidNip, match="is not a real birth date"):
        Employee.register("198502302010031001", "Siti", Rank.III_A)


def test_errors_for_registering_without_a_name():
    with pytest.raises(InvalidValue, match="name must not be empty"):
        Employee.register(nip(1), "   ", Rank.III_A)


def test_records_a_competency_assessment():
    who = employee()

    who.assess_competency({"integritas": 5}, Potential.MEDIUM, "UPT", "assessment centre", date(2026, 2, 1))

    assert recorded(who) == ["CompetencyAssessed"]
    assert who.latest_assessment.scores == {"integritas": 5}
    assert who.latest_assessment.potential is Potential.MEDIUM


@pytest.mark.parametrize(
    "scores, assessor, message",
    [
        ({"integritas": 6}, "UPT", "level of integritas must be an integer 1-5"),
        ({}, "UPT", "assessment names no competency"),
        ({"integritas": 3}, " ", "assessor must not be empty"),
    ],
)
def test_errors_for_an_invalid_assessment(scores, assessor, message):
    who = employee()
    with refused(InvalidValue, who, match=message):
        who.assess_competency(scores, Potential.HIGH, assessor, "interview", date(2026, 2, 1))


def test_rates_performance_by_the_matrix():
    who = employee(ratings={})

    assert who.rate_performance(2025, A, A) is Predikat.SANGAT_BAIK
    assert recorded(who) == ["PerformanceRated"]
    assert who.rating_for(2025).predikat is Predikat.SANGAT_BAIK
    assert who.rating_for(2024) is None


def test_a_new_rating_of_the_same_year_replaces_the_old():
    who = employee()
    who.rate_performance(2025, B, B)

    assert who.rating_for(2025).predikat is Predikat.SANGAT_KURANG


@pytest.mark.parametrize("year", [1969, 2201, "2025", True])
def test_errors_for_an_skp_year_out_of_range(year):
    who = employee()
    with refused(InvalidValue, who, match="SKP year"):
        who.rate_performance(year, E, E)


def test_latest_rating_before_a_date_skips_that_year_and_later():
    who = employee(ratings={2024: (E, E), 2025: (A, A), 2026: (B, B)})

    assert who.latest_rating().year == 2026
    assert who.latest_rating(before=date(2026, 3, 1)).year == 2025
    assert employee(2, ratings={}).latest_rating() is None


def test_records_a_sanction():
    who = employee()
    who.record_sanction(SanctionLevel.MODERATE, date(2025, 1, 1), date(2026, 1, 1), "HD-1")

    assert recorded(who) == ["SanctionRecorded"]
    assert who.sanctions[0].level is SanctionLevel.MODERATE


def test_errors_for_a_sanction_ending_before_it_is_imposed():
    who = employee()
    with refused(InvalidValue, who, match="cannot end before it is imposed"):
        who.record_sanction(SanctionLevel.LIGHT, date(2025, 1, 2), date(2025, 1, 1), "HD-1")


def test_errors_for_a_sanction_without_a_reference():
    who = employee()
    with refused(InvalidValue, who, match="reference must not be empty"):
        who.record_sanction(SanctionLevel.LIGHT, date(2025, 1, 1), date(2025, 2, 1), "")


def test_opens_and_closes_a_disciplinary_case():
    who = employee()
    who.open_disciplinary_case("PEMERIKSAAN-1", date(2026, 1, 5))
    who.close_disciplinary_case("PEMERIKSAAN-1", date(2026, 2, 5), "no sanction")

    assert recorded(who) == ["DisciplinaryCaseOpened", "DisciplinaryCaseClosed"]
    assert who.open_cases == {}


def test_errors_for_opening_a_case_twice():
    who = employee()
    who.open_disciplinary_case("PEMERIKSAAN-1", date(2026, 1, 5))
    with refused(IllegalTransition, who, match="already open"):
        who.open_disciplinary_case("PEMERIKSAAN-1", date(2026, 1, 6))


def test_errors_for_closing_a_case_that_is_not_open():
    who = employee()
    with refused(IllegalTransition, who, match="no open disciplinary case PEMERIKSAAN-9"):
        who.close_disciplinary_case("PEMERIKSAAN-9", date(2026, 1, 5), "closed")


def test_errors_for_closing_a_case_before_it_opened():
    who = employee()
    who.open_disciplinary_case("PEMERIKSAAN-1", date(2026, 1, 5))
    with refused(InvalidValue, who, match="cannot close before it opened"):
        who.close_disciplinary_case("PEMERIKSAAN-1", date(2026, 1, 4), "closed")


# -- placement and transfer ---------------------------------------------------------


def test_places_in_a_first_position():
    who, seat = employee(), uuid4()
    who.place(seat, date(2020, 1, 2), "SK-1")

    assert recorded(who) == ["Placed"]
    assert who.position_id == seat
    assert who.placement.since == date(2020, 1, 2)


def test_errors_for_placing_someone_who_holds_a_position():
    who = employee()
    who.place(uuid4(), date(2020, 1, 2), "SK-1")
    with refused(PlacementError, who, match="already holds a position; transfer instead"):
        who.place(uuid4(), date(2021, 1, 2), "SK-2")


def test_errors_for_placing_without_a_decree_number():
    who = employee()
    with refused(InvalidValue, who, match="decree number"):
        who.place(uuid4(), date(2020, 1, 2), " ")


def test_transfer_closes_the_old_placement_and_opens_the_new():
    who, old, new, round_id = employee(), uuid4(), uuid4(), uuid4()
    who.place(old, date(2020, 1, 2), "SK-1")

    who.transfer(old, new, "SK-2", date(2026, 3, 1), round_id)

    assert recorded(who) == ["Placed", "Transferred"]
    assert who.position_id == new
    assert [(p.position_id, p.since, p.until) for p in who.placements] == [
        (old, date(2020, 1, 2), date(2026, 3, 1)),
        (new, date(2026, 3, 1), None),
    ]
    assert who.placement.round_id == round_id


def test_errors_for_a_transfer_from_a_position_not_held():
    who = employee()
    who.place(uuid4(), date(2020, 1, 2), "SK-1")
    with refused(PlacementError, who, match="does not hold position"):
        who.transfer(uuid4(), uuid4(), "SK-2", date(2026, 3, 1), uuid4())


def test_errors_for_a_transfer_of_someone_without_a_position():
    who = employee()
    with refused(PlacementError, who):
        who.transfer(uuid4(), uuid4(), "SK-2", date(2026, 3, 1), uuid4())


def test_errors_for_a_transfer_into_the_same_position():
    who, seat = employee(), uuid4()
    who.place(seat, date(2020, 1, 2), "SK-1")
    with refused(PlacementError, who, match="must lead to another position"):
        who.transfer(seat, seat, "SK-2", date(2026, 3, 1), uuid4())


def test_errors_for_a_transfer_effective_before_the_current_placement():
    who, seat = employee(), uuid4()
    who.place(seat, date(2020, 1, 2), "SK-1")
    with refused(PlacementError, who, match="before the current placement"):
        who.transfer(seat, uuid4(), "SK-2", date(2020, 1, 1), uuid4())


# -- development --------------------------------------------------------------------


def test_plans_and_completes_development_counting_jp_hours_by_year():
    who, plan = employee(), uuid4()
    who.plan_development(
        plan, DevelopmentActivity.TRAINING, "Diklat Keuangan Daerah", "keuangan_daerah", 24, date(2026, 6, 30)
    )
    who.complete_development(plan, date(2026, 5, 20), 20)

    assert recorded(who) == ["DevelopmentPlanned", "DevelopmentCompleted"]
    assert who.jp_hours_in(2026) == 20
    assert who.jp_hours_in(2025) == 0


def test_errors_for_planning_the_same_development_twice():
    who, plan = employee(), uuid4()
    who.plan_development(plan, DevelopmentActivity.MENTORING, "Mentoring", None, 10, date(2026, 6, 30))
    with refused(IllegalTransition, who, match="already exists"):
        who.plan_development(plan, DevelopmentActivity.MENTORING, "Mentoring", None, 10, date(2026, 6, 30))


@pytest.mark.parametrize("hours", [0, 1001, 2.5])
def test_errors_for_planned_jp_hours_outside_1_to_1000(hours):
    who = employee()
    with refused(InvalidValue, who, match="JP hours"):
        who.plan_development(uuid4(), DevelopmentActivity.TRAINING, "Diklat", None, hours, date(2026, 6, 30))


def test_errors_for_completing_an_unknown_or_completed_plan():
    who, plan = employee(), uuid4()
    with refused(IllegalTransition, who, match="no development plan"):
        who.complete_development(plan, date(2026, 5, 20), 10)
    who.plan_development(plan, DevelopmentActivity.E_LEARNING, "E-learning", None, 10, date(2026, 6, 30))
    who.complete_development(plan, date(2026, 5, 20), 10)
    with refused(IllegalTransition, who, match="already completed"):
        who.complete_development(plan, date(2026, 5, 21), 10)


# -- retirement ---------------------------------------------------------------------


def test_retirement_ends_the_current_placement():
    who = employee()
    who.place(uuid4(), date(2020, 1, 2), "SK-1")
    who.retire(date(2043, 2, 1), "batas usia pensiun")

    assert recorded(who) == ["Placed", "Retired"]
    assert who.placement is None and who.position_id is None
    assert who.placements[-1].until == date(2043, 2, 1)


@pytest.mark.parametrize(
    "command",
    [
        lambda e: e.change_rank(Rank.III_C, date(2044, 4, 1), "SK-KP"),
        lambda e: e.assess_competency({"integritas": 3}, Potential.LOW, "UPT", "interview", date(2044, 1, 1)),
        lambda e: e.rate_performance(2043, E, E),
        lambda e: e.record_sanction(SanctionLevel.LIGHT, date(2044, 1, 1), date(2044, 2, 1), "HD"),
        lambda e: e.open_disciplinary_case("C-1", date(2044, 1, 1)),
        lambda e: e.place(uuid4(), date(2044, 1, 1), "SK"),
        lambda e: e.transfer(uuid4(), uuid4(), "SK", date(2044, 1, 1), uuid4()),
        lambda e: e.plan_development(uuid4(), DevelopmentActivity.TRAINING, "Diklat", None, 10, date(2044, 1, 1)),
        lambda e: e.retire(date(2044, 1, 1), "again"),
    ],
    ids=["rank", "assess", "rate", "sanction", "case", "place", "transfer", "develop", "retire"],
)
def test_errors_for_changing_a_retired_employee(command):
    who = employee()
    who.retire(date(2043, 2, 1), "batas usia pensiun")
    with refused(EmployeeRetired, who, match="retired on 2043-02-01"):
        command(who)


def test_changes_rank():
    who = employee()
    who.change_rank(Rank.III_C, date(2026, 4, 1), "SK-KP/2026")

    assert recorded(who) == ["RankChanged"]
    assert who.rank is Rank.III_C


def test_errors_for_a_rank_change_without_a_decree_reference():
    who = employee()
    with refused(InvalidValue, who, match="decree reference must not be empty"):
        who.change_rank(Rank.III_C, date(2026, 4, 1), "")


def test_errors_for_retiring_without_a_reason():
    who = employee()
    with refused(InvalidValue, who, match="reason must not be empty"):
        who.retire(date(2043, 2, 1), " ")
