"""The Position aggregate: establish, revise standard and formasi, seat and release holders, abolish."""

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from domain.errors import IllegalTransition, InvalidValue, RuleViolation
from domain.position import FormasiExceeded, Position, PositionAbolished
from domain.vocabulary import PositionType, Rank
from tests.unit.builders import AGENCY, STANDARD, position, recorded, refused


def establish(**changes):
    args = dict(
        agency=AGENCY,
        unit="BPKAD",
        title="Analis Keuangan",
        position_type=PositionType.FUNGSIONAL_AHLI_PERTAMA,
        rank_min=Rank.III_A,
        rank_max=Rank.III_D,
        formasi=2,
        standard=STANDARD,
    )
    return Position.establish(**{**args, **changes})


def test_establishes_with_an_id_from_agency_unit_and_title():
    made = establish(unit=" bpkad ", title="ANALIS   keuangan")

    assert made.id == Position.create_id(AGENCY, "BPKAD", "Analis Keuangan")
    assert made.id != Position.create_id(AGENCY, "Dinas Pendidikan", "Analis Keuangan")
    assert (made.formasi, made.free_seats, made.min_jpm) == (2, 2, None)
    assert recorded(made) == ["Established"]


@pytest.mark.parametrize("rank_min, rank_max", [(Rank.III_A, Rank.III_A), (Rank.I_A, Rank.IV_E)])
def test_establishes_with_a_range_of_one_rank_or_all_ranks(rank_min, rank_max):
    made = establish(rank_min=rank_min, rank_max=rank_max)

    assert made.admits_rank(rank_min) and made.admits_rank(rank_max)


def test_errors_for_a_reversed_rank_range():
    with pytest.raises(InvalidValue, match="rank range III/d-III/a is reversed"):
        establish(rank_min=Rank.III_D, rank_max=Rank.III_A)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"formasi": -1}, "formasi must be an integer"),
        ({"formasi": 1.5}, "formasi must be an integer"),
        ({"standard": {}}, "competency standard names no competency"),
        ({"standard": {"integritas": 0}}, "level of integritas"),
        ({"min_jpm": Decimal("100.01")}, "minimum JPM must lie in 0-100"),
        ({"min_jpm": Decimal(-1)}, "minimum JPM must lie in 0-100"),
        ({"title": ""}, "title must not be empty"),
    ],
)
def test_errors_for_invalid_establishment(changes, message):
    with pytest.raises(InvalidValue, match=message):
        establish(**changes)


def test_a_formasi_of_zero_is_allowed():
    assert establish(formasi=0).free_seats == 0


def test_revises_the_standard_and_its_threshold():
    made = position()
    made.revise_standard({"integritas": 4}, Decimal(75), "Anjab 2026")

    assert recorded(made) == ["StandardRevised"]
    assert (made.standard, made.min_jpm) == ({"integritas": 4}, Decimal(75))


def test_errors_for_an_invalid_revised_standard():
    made = position()
    with refused(InvalidValue, made, match="minimum JPM"):
        made.revise_standard({"integritas": 4}, Decimal(101), "Anjab 2026")
    with refused(InvalidValue, made, match="reason must not be empty"):
        made.revise_standard({"integritas": 4}, None, "")


def test_revised_formasi_below_the_holders_shows_a_surplus():
    made = position(formasi=2)
    made.add_holder(uuid4(), date(2020, 1, 2), "SK-1")
    made.add_holder(uuid4(), date(2020, 1, 2), "SK-2")
    made.revise_formasi(1, "ABK 2026")

    assert recorded(made)[-1] == "FormasiRevised"
    assert made.free_seats == -1


def test_errors_for_a_negative_revised_formasi():
    made = position()
    with refused(InvalidValue, made, match="formasi must be an integer from 0"):
        made.revise_formasi(-1, "ABK 2026")


def test_seats_and_releases_a_holder():
    made, who = position(), uuid4()
    made.add_holder(who, date(2020, 1, 2), "SK-1")
    assert made.free_seats == 1
    made.remove_holder(who, date(2026, 3, 1), "SK-2")

    assert recorded(made) == ["HolderAdded", "HolderRemoved"]
    assert made.holders == {}


def test_errors_for_seating_a_holder_twice():
    made, who = position(), uuid4()
    made.add_holder(who, date(2020, 1, 2), "SK-1")
    with refused(IllegalTransition, made, match="already holds"):
        made.add_holder(who, date(2020, 1, 2), "SK-1")


def test_errors_for_seating_beyond_the_formasi():
    made = position(formasi=1)
    made.add_holder(uuid4(), date(2020, 1, 2), "SK-1")
    with refused(FormasiExceeded, made, match="has formasi 1 and 1 holders: no free seat") as error:
        made.add_holder(uuid4(), date(2020, 1, 2), "SK-2")

    assert isinstance(error.value, RuleViolation)
    assert error.value.rules == ("vacancy",)


def test_errors_for_seating_in_a_formasi_of_zero():
    made = position(formasi=0)
    with refused(FormasiExceeded, made):
        made.add_holder(uuid4(), date(2020, 1, 2), "SK-1")


def test_errors_for_releasing_someone_who_is_no_holder():
    made = position()
    with refused(IllegalTransition, made, match="does not hold"):
        made.remove_holder(uuid4(), date(2026, 3, 1), "SK-2")


def test_abolishes_an_empty_position():
    made = position()
    made.abolish(date(2026, 1, 31), "merged")

    assert recorded(made) == ["Abolished"]
    assert made.abolished_on == date(2026, 1, 31)


def test_errors_for_abolishing_a_position_with_holders():
    made = position()
    made.add_holder(uuid4(), date(2020, 1, 2), "SK-1")
    with refused(IllegalTransition, made, match="still has 1 holders; move them first"):
        made.abolish(date(2026, 1, 31), "merged")


@pytest.mark.parametrize(
    "command",
    [
        lambda p: p.revise_standard({"integritas": 3}, None, "Anjab"),
        lambda p: p.revise_formasi(3, "ABK"),
        lambda p: p.add_holder(uuid4(), date(2026, 2, 1), "SK"),
        lambda p: p.abolish(date(2026, 2, 1), "again"),
    ],
    ids=["standard", "formasi", "holder", "abolish"],
)
def test_errors_for_changing_an_abolished_position(command):
    made = position()
    made.abolish(date(2026, 1, 31), "merged")
    with refused(PositionAbolished, made, match="was abolished on 2026-01-31"):
        command(made)
