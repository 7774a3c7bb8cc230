"""The project-code structure check (pure)."""

import pytest

from civicgrid.investment import projectcode


@pytest.mark.parametrize("raw,expected", [
    ("2026-211004-26-03-123457", "2026-211004-26-03-123457"),
    ("2026211004260312345X", "2026-211004-26-03-12345X"),
    (" 2020-320506-89-01-56538x ", "2020-320506-89-01-56538X"),
])
def test_valid_codes_are_normalised(raw, expected):
    assert projectcode.normalise(raw, max_year=2026) == expected


@pytest.mark.parametrize("raw,reason", [
    ("", "shape"),
    ("2026-211004-26-03-12345", "layout"),  # a short last segment
    ("2026-2110-0426-03-123457", "layout"),  # separators in the wrong places
    ("2026211004260312345", "shape"),  # 19 characters
    ("2026-21100A-26-03-123457", "shape"),  # a letter in the region
    ("2014-211004-26-03-123457", "year"),  # before the platform
    ("2027-211004-26-03-123457", "year"),  # a year still to come
    ("2026-991004-26-03-123457", "region"),  # no province 99
    ("2026-211004-00-03-123457", "segment"),
    ("2026-211004-26-00-123457", "segment"),
])
def test_invalid_codes_name_their_reason(raw, reason):
    with pytest.raises(projectcode.InvalidProjectCode) as exc:
        projectcode.parse(raw, max_year=2026)
    assert exc.value.reason == reason and exc.value.message_zh
    assert projectcode.is_valid(raw, max_year=2026) is False


def test_segments():
    code = projectcode.parse("2026-211004-26-03-12345X", max_year=2026)
    assert (code.year, code.region, code.department, code.project_type, code.serial, code.check) == (
        2026, "211004", "26", "03", "12345", "X")
