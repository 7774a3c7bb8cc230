"""GB 11643 ID numbers and phone formats: the pure validation rules (no database)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.core.errors import ValidationFailed
from civicgrid.people import idnumber, validation


def test_a_well_formed_number_parses_with_birth_date_and_gender():
    info = idnumber.parse("11010519491231002X")

    assert info.number == "11010519491231002X"
    assert info.birth_date == date(1949, 12, 31)
    assert info.gender == "F"
    assert info.area_code == "110105"


def test_a_lower_case_x_and_spaces_are_normalised():
    assert idnumber.parse(" 11010519491231002x ").number == "11010519491231002X"


def test_a_wrong_check_digit_is_rejected_with_its_own_code():
    with pytest.raises(ValidationFailed) as caught:
        idnumber.parse("110105194912310021")

    assert caught.value.code == "id_number_checksum"
    assert caught.value.message == "身份证号校验位错误,请核对后重新输入"


@pytest.mark.parametrize("first17", ["21100419900230123", "21100419901301123", "21100418700101123"])
def test_an_impossible_birth_date_is_rejected(first17):
    with pytest.raises(ValidationFailed) as caught:
        idnumber.parse(first17 + idnumber.check_char(first17))

    assert caught.value.code == "id_number_birth_date"


def test_a_birth_date_in_the_future_is_rejected():
    number = idnumber.build("211004", date(2030, 1, 1), 1)

    with pytest.raises(ValidationFailed) as caught:
        idnumber.parse(number, today=date(2025, 1, 1))

    assert caught.value.code == "id_number_birth_date"


@pytest.mark.parametrize("value", ["", "21100419900101123", "2110041990010112345", "21100419900101123A",
                                   "211004900101123", "X11004199001011234",
                                   "\u0662" + "1100419900101123X"])
def test_a_badly_shaped_number_is_rejected(value):
    with pytest.raises(ValidationFailed) as caught:
        idnumber.parse(value)

    assert caught.value.code == "id_number_format"


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))
areas = st.from_regex(r"[1-6][0-9]{5}", fullmatch=True)
sequences = st.integers(min_value=0, max_value=999)


@given(area=areas, birth=births, sequence=sequences)
def test_every_built_number_parses_back(area, birth, sequence):
    info = idnumber.parse(idnumber.build(area, birth, sequence))

    assert info.birth_date == birth
    assert info.gender == ("M" if sequence % 2 else "F")
    assert info.area_code == area


@given(area=areas, birth=births, sequence=sequences, position=st.integers(0, 17), delta=st.integers(1, 9))
def test_changing_any_one_character_breaks_the_number(area, birth, sequence, position, delta):
    number = idnumber.build(area, birth, sequence)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    changed = number[:position] + alphabet[(current + delta) % len(alphabet)] + number[position + 1:]

    with pytest.raises(ValidationFailed) as caught:
        idnumber.parse(changed, today=date(2100, 1, 1))

    # outside the birth date a changed digit can only be caught by the check character
    if position < 6 or position >= 14:
        assert caught.value.code == "id_number_checksum"
    else:
        assert caught.value.code in {"id_number_checksum", "id_number_birth_date"}


@pytest.mark.parametrize("value,expected", [
    ("13812341234", "13812341234"), ("+86 138 1234 1234", "13812341234"), ("024-12345678", "024-12345678"),
    ("02412345678", "02412345678"), ("0411-1234567-801", "0411-1234567-801"), ("", ""),
])
def test_mobile_and_landline_numbers_are_accepted(value, expected):
    assert validation.clean_phone(value) == expected


@pytest.mark.parametrize("value", ["\u0661" + "3812341234", "12812341234", "1381234123", "138123412345", "24-12345678", "abc"])
def test_other_phone_numbers_are_rejected(value):
    with pytest.raises(ValidationFailed) as caught:
        validation.clean_phone(value)

    assert caught.value.code == "phone_format"


def test_stated_gender_and_birth_date_must_agree_with_the_number():
    number = idnumber.build("211004", date(1980, 5, 17), 1)

    with pytest.raises(ValidationFailed) as gender:
        validation.check_identity(number, gender="F")
    with pytest.raises(ValidationFailed) as birth:
        validation.check_identity(number, birth_date=date(1980, 5, 18))

    assert gender.value.code == "gender_mismatch"
    assert birth.value.code == "birth_date_mismatch"
    assert validation.check_identity(number, gender="M", birth_date=date(1980, 5, 17)).number == number
