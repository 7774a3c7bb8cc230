"""GB 32100-2015 unified social credit code: each failure has its own code; the check character
catches every single substitution (property test). No database."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicgrid.enterprises import uscc

# Published codes of real organisations (the check character and the embedded organisation code verify).
REAL = ["91110108551385082Q", "91110000710926094P", "91440300708461136T"]


@pytest.mark.parametrize("code", REAL)
def test_real_codes_validate(code):
    assert uscc.validate(code) == code
    assert uscc.is_valid(code)


def test_weights_are_powers_of_three_mod_31():
    assert uscc.WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def test_check_character_of_a_known_prefix():
    assert uscc.check_character("91110108551385082") == "Q"


def test_lower_case_blanks_and_full_width_are_normalised():
    assert uscc.validate("  91110108551385082q ") == "91110108551385082Q"
    assert uscc.validate("9111 0108 5513 8508 2Q") == "91110108551385082Q"
    assert uscc.validate("９１１１０１０８５５１３８５０８２Ｑ") == "91110108551385082Q"
    assert uscc.normalise(" ab\u3000c ") == "ABC"


@pytest.mark.parametrize(("value", "code"), [
    ("", "uscc_length"),
    ("91110108551385082", "uscc_length"),
    ("91110108551385082QQ", "uscc_length"),
    ("91110108551385082I", "uscc_forbidden_character"),
    ("9111010855138508O2", "uscc_forbidden_character"),
    ("Z1110108551385082Q", "uscc_forbidden_character"),
    ("91110108551385082S", "uscc_forbidden_character"),
    ("91110108551385082V", "uscc_forbidden_character"),
    ("9111010855138508-Q", "uscc_forbidden_character"),
    ("B1110108551385082Q", "uscc_registration_authority"),
    ("01110108551385082Q", "uscc_registration_authority"),
    ("94110108551385082Q", "uscc_kind"),
    ("54110108551385082Q", "uscc_kind"),
    ("Y2110108551385082Q", "uscc_kind"),
    ("91A10108551385082Q", "uscc_region"),
    ("91990108551385082Q", "uscc_region"),
    ("91110108551385083Q", "uscc_org_code"),
    ("91110108551385082R", "uscc_check_character"),
    ("91110108551385082P", "uscc_check_character"),
])
def test_each_failure_has_its_own_code(value, code):
    with pytest.raises(uscc.UsccError) as raised:
        uscc.validate(value)
    assert raised.value.code == code
    assert raised.value.message == uscc.MESSAGES[code]
    assert isinstance(raised.value, ValueError)
    assert not uscc.is_valid(value)


def test_org_code_check_can_be_skipped():
    prefix = "91110108551385083"  # organisation code check digit wrong (should be 2)
    code = prefix + uscc.check_character(prefix)
    with pytest.raises(uscc.UsccError, match="uscc_org_code"):
        uscc.validate(code)
    assert uscc.validate(code, check_org_code=False) == code


def test_org_code_check_digit_maps_10_to_x_and_11_to_0():
    assert uscc.org_code_check_digit("00000000") == "0"  # sum 0: 11 - 0 = 11 -> 0
    assert uscc.org_code_check_digit("00000006") == "X"  # sum 6 * 2 = 12 = 1 mod 11: 11 - 1 = 10 -> X
    assert uscc.org_code_check_digit("55138508") == "2"


def test_describe_names_the_parts():
    assert uscc.describe("91110108551385082q") == {
        "authority": "工商（市场监管）", "kind": "企业", "region": "110108", "org_code": "55138508-2", "check": "Q"}


def _valid_prefix(authority, kind, province, rest_of_region, org_body):
    org = org_body + uscc.org_code_check_digit(org_body)
    return authority + kind + province + rest_of_region + org


valid_prefixes = st.sampled_from(sorted(uscc.AUTHORITIES)).flatmap(
    lambda a: st.builds(
        _valid_prefix,
        st.just(a),
        st.sampled_from(sorted(uscc.AUTHORITIES[a][1])),
        st.sampled_from(sorted(uscc.PROVINCE_PREFIXES)),
        st.text("0123456789", min_size=4, max_size=4),
        st.text(uscc.ALPHABET, min_size=8, max_size=8),
    )
).filter(lambda prefix: prefix[16] in uscc.VALUES)  # an org check digit is 0-9 or X: always in the set


@given(valid_prefixes)
def test_any_valid_prefix_with_its_check_character_validates(prefix):
    code = prefix + uscc.check_character(prefix)
    assert uscc.validate(code) == code
    assert uscc.validate(code.lower()) == code


@given(valid_prefixes, st.integers(0, 17), st.sampled_from(uscc.ALPHABET + "IOSVZ-*a "))
def test_any_single_character_change_is_rejected(prefix, position, replacement):
    code = prefix + uscc.check_character(prefix)
    changed = code[:position] + replacement + code[position + 1:]
    if uscc.normalise(changed) == code:  # same character, or a lower-case copy of it
        return
    with pytest.raises(uscc.UsccError):
        uscc.validate(changed)


@given(valid_prefixes, st.integers(0, 16), st.sampled_from(uscc.ALPHABET))
def test_the_check_character_alone_catches_every_substitution(prefix, position, replacement):
    """Even with every structural check off, the mod-31 check character catches the change."""
    code = prefix + uscc.check_character(prefix)
    changed = code[:position] + replacement + code[position + 1:]
    if changed == code:
        return
    assert uscc.check_character(changed[:17]) != changed[17]


def test_docs_list_every_error_code():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[3] / "docs" / "enterprises" / "registry-rules.md").read_text("utf-8")
    for code, message in uscc.MESSAGES.items():
        assert f"| `{code}` | {message} |" in page
    for code in REAL:
        assert code in page
