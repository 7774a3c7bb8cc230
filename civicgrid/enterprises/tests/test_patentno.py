"""Patent and IP numbers: each kind valid and invalid, the mod-11 check digit, prefixes normalised. No database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.enterprises import patentno


def test_check_digit_on_published_numbers():
    assert patentno.check_digit("201710601862") == "3"
    assert patentno.check_digit("95115608") == "X"  # 186 mod 11 = 10
    assert patentno.check_digit("18555922") == "0"  # layout design BS.185559220


@pytest.mark.parametrize(("kind", "number", "expected"), [
    ("invention", "201710601862.3", "201710601862.3"),
    ("invention", "ZL2021 1 0123456.7", "202110123456.7"),  # the example
    ("invention", "ZL201710601862.3", "201710601862.3"),
    ("invention", "ZL 2017 1 0601862.3", "201710601862.3"),
    ("invention", "CN201710601862.3", "201710601862.3"),
    ("invention", "2017106018623", "201710601862.3"),
    ("invention", "zl２０１７１０６０１８６２．３", "201710601862.3"),
    ("utility_model", "ZL95215608.3", "95215608.3"),
    ("invention", "ZL95115608.x", "95115608.X"),
    ("software_copyright", "2019SR0854684", "2019SR0854684"),
    ("software_copyright", "2011sr027284", "2011SR027284"),
    ("software_copyright", " 2024 SR 1374380 ", "2024SR1374380"),
    ("ic_layout", "BS.185559220", "BS.185559220"),
    ("ic_layout", "bs 185559220", "BS.185559220"),
])
def test_valid_numbers_are_normalised(kind, number, expected):
    assert patentno.validate(kind, number) == expected
    assert patentno.is_valid(kind, number)


def _application(year: str, type_digit: str, serial: str) -> str:
    body = year + type_digit + serial
    return f"{body}.{patentno.check_digit(body)}"


@pytest.mark.parametrize(("kind", "type_digit"), [
    ("invention", "1"), ("invention", "8"), ("utility_model", "2"), ("utility_model", "9"), ("design", "3")])
def test_every_type_digit_of_each_patent_kind(kind, type_digit):
    number = _application("2021", type_digit, "0123456")
    assert patentno.validate(kind, number) == number
    assert patentno.kind_of(number) == kind
    assert patentno.display(kind, number) == "ZL" + number


@pytest.mark.parametrize(("kind", "number", "code"), [
    ("trademark", "201710601862.3", "patent_kind"),
    ("invention", "201710601862.4", "patent_check_digit"),
    ("invention", "201710601862.X", "patent_check_digit"),
    ("invention", "20171060186.3", "patent_format"),
    ("invention", "2017106018623.3", "patent_format"),
    ("invention", "201710601862", "patent_format"),
    ("invention", "2017A0601862.3", "patent_format"),
    ("utility_model", "201710601862.3", "patent_type_digit"),
    ("design", "201710601862.3", "patent_type_digit"),
    ("invention", _application("2021", "2", "0123456"), "patent_type_digit"),
    ("invention", _application("2021", "4", "0123456"), "patent_type_digit"),
    ("utility_model", _application("2021", "1", "0123456"), "patent_type_digit"),
    ("design", _application("2021", "8", "0123456"), "patent_type_digit"),
    ("invention", _application("2002", "1", "0123456"), "patent_year"),
    ("invention", _application("80", "1", "01234"), "patent_year"),
    ("invention", _application("05", "1", "01234"), "patent_year"),
    ("software_copyright", "2019SR0854", "patent_format"),
    ("software_copyright", "2019RS0854684", "patent_format"),
    ("software_copyright", "2019SR08546845", "patent_format"),
    ("software_copyright", "1985SR0854684", "patent_year"),
    ("software_copyright", "201710601862.3", "patent_format"),
    ("ic_layout", "BS.185559221", "patent_check_digit"),
    ("ic_layout", "BS.18555922", "patent_format"),
    ("ic_layout", "185559220", "patent_format"),
    ("ic_layout", "BS." + _application("18", "1", "55922").replace(".", ""), "patent_type_digit"),
    ("ic_layout", "BS." + _application("99", "5", "55922").replace(".", ""), "patent_year"),
    ("design", "BS.185559220", "patent_format"),
])
def test_invalid_numbers_have_specific_codes(kind, number, code):
    with pytest.raises(patentno.PatentNumberError) as raised:
        patentno.validate(kind, number)
    assert raised.value.code == code
    assert raised.value.message == patentno.MESSAGES[code]
    assert not patentno.is_valid(kind, number)


def test_kind_of_an_unknown_shape_is_none():
    assert patentno.kind_of("hello") is None
    assert patentno.kind_of("2019SR0854684") == "software_copyright"
    assert patentno.kind_of("BS.185559220") == "ic_layout"


@given(st.integers(2003, 2099), st.sampled_from(sorted(patentno.TYPE_DIGITS)), st.integers(0, 9_999_999),
       st.integers(0, 12), st.sampled_from("0123456789"))
def test_any_single_digit_change_is_rejected(year, type_digit, serial, position, replacement):
    body = f"{year}{type_digit}{serial:07d}"
    kind = patentno.TYPE_DIGITS[type_digit]
    number = f"{body}.{patentno.check_digit(body)}"
    assert patentno.validate(kind, number) == number
    digits = body + patentno.check_digit(body)
    changed = digits[:position] + replacement + digits[position + 1:]
    if changed == digits:
        return
    assert not patentno.is_valid(kind, f"{changed[:12]}.{changed[12]}")


def test_docs_list_every_error_code_and_valid_examples():
    import re
    from pathlib import Path

    page = (Path(__file__).resolve().parents[3] / "docs" / "enterprises" / "registry-rules.md").read_text("utf-8")
    for code, message in patentno.MESSAGES.items():
        assert f"| `{code}` | {message} |" in page
    section = page.split("## Patent and IP numbers")[1].split("## Industry table")[0]
    for row in re.findall(r"^\| `(\w+)` \| [^|]+ \| `([^`]+)` \|", section, flags=re.M):
        kind, example = row
        assert patentno.validate(kind, example) == example
