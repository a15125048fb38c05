"""Small value objects and vocabularies: text and integer validators, officials, ranks, kinds of transfer."""

import pytest

from domain.errors import InvalidValue
from domain.official import Official
from domain.values import require_int, require_text
from domain.vocabulary import PositionType, Rank, TransferKind


def test_require_text_collapses_whitespace():
    assert require_text("  Dinas \n Pendidikan ", "unit") == "Dinas Pendidikan"


@pytest.mark.parametrize("value", ["", "   ", None, 3])
def test_require_text_refuses_empty_or_non_text(value):
    with pytest.raises(InvalidValue, match="unit must not be empty"):
        require_text(value, "unit")


@pytest.mark.parametrize("value, ok", [(1, True), (10, True), (0, False), (11, False), (True, False), (2.0, False)])
def test_require_int_takes_integers_within_the_limits(value, ok):
    if ok:
        assert require_int(value, 1, 10, "count") == value
    else:
        with pytest.raises(InvalidValue, match="count must be an integer from 1 to 10"):
            require_int(value, 1, 10, "count")


def test_an_official_needs_a_user_id():
    with pytest.raises(InvalidValue, match="needs a user id"):
        Official(" ")


def test_an_official_is_the_employee_only_by_nip():
    assert Official("a", "198501152010031001").is_employee("198501152010031001")
    assert not Official("a").is_employee("198501152010031001")
    assert not Official("198501152010031001").is_employee("198501152010031001")


def test_ranks_are_ordered_from_i_a_to_iv_e():
    assert [r.value for r in Rank][:5] == ["I/a", "I/b", "I/c", "I/d", "II/a"]
    assert Rank.II_D.order + 1 == Rank.III_A.order


@pytest.mark.parametrize(
    "kind, cross, decider, reviewer",
    [
        (TransferKind.WITHIN_AGENCY, False, "PPK of the agency", None),
        (TransferKind.BETWEEN_AGENCIES_IN_PROVINCE, True, "Governor", "BKN regional office"),
        (TransferKind.BETWEEN_PROVINCES, True, "Minister of Home Affairs", "Head of BKN"),
        (TransferKind.CENTRAL_REGIONAL, True, "Head of BKN", "BKN"),
    ],
)
def test_each_kind_of_transfer_knows_who_decides_and_reviews(kind, cross, decider, reviewer):
    assert (kind.is_cross_agency, kind.decided_by, kind.reviewed_by) == (cross, decider, reviewer)


def test_only_jpt_positions_are_senior_executive():
    assert {t for t in PositionType if t.is_senior_executive} == {
        PositionType.JPT_UTAMA,
        PositionType.JPT_MADYA,
        PositionType.JPT_PRATAMA,
    }
