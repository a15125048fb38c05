"""NIP: 18 digits = birth date YYYYMMDD + start YYYYMM + sex digit + 3-digit sequence."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.nip import InvalidNip, Nip
from tests.unit.builders import nip


def test_parses_a_valid_nip_into_its_parts():
    parsed = Nip.parse("198501152010031007")

    assert parsed.birth_date == date(1985, 1, 15)
    assert (parsed.start_year, parsed.start_month) == (2010, 3)
    assert parsed.sex == 1
    assert parsed.sequence == 7
    assert str(parsed) == "198501152010031007"


def test_accepts_spaces_between_the_groups():
    assert str(Nip.parse("19850115 201003 2 007")) == "198501152010032007"


@pytest.mark.parametrize(
    "text",
    [
        "19850115201003100",  # 17 digits
        "1985011520100310071",  # 19 digits
        "",
        "19850115201003100a",
        "1985-01-15201003100",
        "１９８５０１１５２０１００３１００７",  # full-width digits are not ASCII
    ],
)
def test_errors_for_a_nip_that_is_not_18_ascii_digits(text):
    with pytest.raises(InvalidNip, match="18 digits"):
        Nip.parse(text)


def test_errors_for_a_nip_that_is_not_text():
    with pytest.raises(InvalidNip):
        Nip.parse(198501152010031007)  # type: ignore[arg-type]


@pytest.mark.parametrize("birth", ["19850230", "19901301", "19900001", "19850100", "19870229", "00000101"])
def test_errors_for_a_nip_with_an_impossible_birth_date(birth):
    with pytest.raises(InvalidNip, match=f"{birth} is not a real birth date"):
        Nip.parse(f"{birth}2010031001")


def test_accepts_29_february_of_a_leap_year():
    assert Nip.parse("198802292010031001").birth_date == date(1988, 2, 29)


@pytest.mark.parametrize("month", ["00", "13"])
def test_errors_for_a_start_month_outside_01_to_12(month):
    with pytest.raises(InvalidNip, match=f"start month {month} is not 01-12"):
        Nip.parse(f"198501152010{month}1001")


@pytest.mark.parametrize("month", ["01", "12"])
def test_accepts_start_months_01_and_12(month):
    assert Nip.parse(f"198501152010{month}1001").start_month == int(month)


def test_errors_for_a_start_before_the_18th_birthday():
    with pytest.raises(InvalidNip, match=r"start 2003-05 is before the holder's 18th birthday \(1985-06-15\)"):
        Nip.parse("198506152003051001")


def test_accepts_a_start_in_the_month_of_the_18th_birthday():
    assert Nip.parse("198506152003061001").start_year == 2003


@pytest.mark.parametrize("sex", [0, 3, 9])
def test_errors_for_a_sex_digit_other_than_1_or_2(sex):
    with pytest.raises(InvalidNip, match=f"sex digit must be 1 \\(male\\) or 2 \\(female\\), got {sex}"):
        Nip.parse(f"19850115201003{sex}001")


def test_invalid_nip_is_an_invalid_value_with_its_own_code():
    assert issubclass(InvalidNip, InvalidValue)
    assert InvalidNip.code == "invalid-nip"


def test_masking_hides_the_birth_date_and_start():
    masked = Nip.parse("198501152010032007").masked()

    assert len(masked) == 18
    assert "19850115" not in masked and "201003" not in masked
    assert masked == "*" * 14 + "2007"


@given(
    birth=st.dates(min_value=date(1940, 1, 1), max_value=date(2007, 12, 31)),
    years_after=st.integers(min_value=18, max_value=45),
    month=st.integers(min_value=1, max_value=12),
    sex=st.sampled_from([1, 2]),
    seq=st.integers(min_value=0, max_value=999),
)
def test_round_trips_every_valid_nip(birth, years_after, month, sex, seq):
    start_year = birth.year + years_after
    if years_after == 18 and month < birth.month:
        month = birth.month
    text = nip(seq, birth, (start_year, month), sex)

    parsed = Nip.parse(text)

    assert str(parsed) == text
    assert (parsed.birth_date, parsed.start_year, parsed.start_month) == (birth, start_year, month)
    assert (parsed.sex, parsed.sequence) == (sex, seq)
    assert parsed.masked().endswith(text[14:])
