"""Patent and IP numbers (专利号 / 登记号) per IP kind. Pure Python, no Django.

`validate(kind, number)` returns the normalised number or raises `PatentNumberError(code, message)`.
Input may carry the ``ZL`` (专利号) or ``CN`` prefix, blanks, full-width characters and a lower-case x;
they are removed / normalised. The normalised forms:

==================== ===================== ==========================================================
kind                 normalised            rule
==================== ===================== ==========================================================
``invention``        ``202110123456.X``    CNIPA application number (since 2003-10-01): 4-digit year,
``utility_model``                          1 type digit, 7-digit serial, ``.``, check digit. Type digit:
``design``                                 1 发明, 8 PCT 发明 (invention); 2 实用新型, 9 PCT 实用新型
                                           (utility_model); 3 外观设计 (design).
                     ``95115608.X``        Before 2003-10-01: 2-digit year (85-03), type digit, 5-digit
                                           serial, ``.``, check digit.
``software_copyright`` ``2023SR0123456``   软件著作权登记号: 4-digit year, ``SR``, 5-7 digit serial
                                           (no check digit).
``ic_layout``        ``BS.185559220``      集成电路布图设计登记号: ``BS.`` + 2-digit year + type digit 5
                                           + 5-digit serial + check digit (no dot before it).
==================== ===================== ==========================================================

Check digit (patent application numbers and layout-design numbers): multiply the digits before it by
``2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5`` (cycling from the left), sum, take the remainder mod 11; 10 is
written ``X``. Verified on 201710601862.3, 95115608.X and the layout-design number BS.185559220.

Error codes: ``patent_kind`` (unknown kind), ``patent_format`` (shape), ``patent_year`` (year out of
range), ``patent_type_digit`` (type digit does not belong to the kind), ``patent_check_digit``.
"""

from __future__ import annotations

import re
import unicodedata

KINDS: dict[str, str] = {
    "invention": "发明专利",
    "utility_model": "实用新型专利",
    "design": "外观设计专利",
    "software_copyright": "软件著作权",
    "ic_layout": "集成电路布图设计",
}

#: Application-number type digit -> kind.
TYPE_DIGITS: dict[str, str] = {"1": "invention", "8": "invention", "2": "utility_model", "9": "utility_model",
                               "3": "design"}
IC_LAYOUT_TYPE_DIGIT = "5"

MESSAGES = {
    "patent_kind": "未知的知识产权类型",
    "patent_format": "编号格式不符合该知识产权类型",
    "patent_year": "编号中的年份无效",
    "patent_type_digit": "申请号的种类位与知识产权类型不符",
    "patent_check_digit": "申请号校验位错误",
}

FIRST_YEAR = 1985  # the Patent Law took effect on 1985-04-01
LAST_YEAR = 2099

_APPLICATION_NEW = re.compile(r"(\d{4})(\d)(\d{7})\.?([\dX])")
_APPLICATION_OLD = re.compile(r"(\d{2})(\d)(\d{5})\.?([\dX])")
_SOFTWARE = re.compile(r"(\d{4})SR(\d{5,7})")
_LAYOUT = re.compile(r"BS\.?(\d{2})(\d)(\d{5})([\dX])")


class PatentNumberError(ValueError):
    """An invalid number: ``code`` is one of ``MESSAGES``, ``message`` is Chinese."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(f"{code}: {self.message}")


def check_digit(digits: str) -> str:
    """Mod-11 check digit of an application number's digits (8 before 2003, 12 since)."""
    weights = (2, 3, 4, 5, 6, 7, 8, 9)
    total = sum(int(d) * weights[i % 8] for i, d in enumerate(digits))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def normalise(number: str) -> str:
    """NFKC, upper case, no blanks, no ``ZL``/``CN`` prefix, ``·``/``。`` read as ``.``."""
    text = unicodedata.normalize("NFKC", str(number)).upper()
    text = "".join(text.split()).replace("·", ".").replace("。", ".")
    for prefix in ("ZL", "CN"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return text


def _two_digit_year(yy: str) -> int:
    year = int(yy)
    return 1900 + year if year >= 85 else 2000 + year


def _application(kind: str, text: str) -> str:
    match = _APPLICATION_NEW.fullmatch(text)
    if match:
        year, type_digit, serial, check = match.groups()
        if not 2003 <= int(year) <= LAST_YEAR:
            raise PatentNumberError("patent_year")
        body = year + type_digit + serial
    else:
        match = _APPLICATION_OLD.fullmatch(text)
        if not match:
            raise PatentNumberError("patent_format")
        year, type_digit, serial, check = match.groups()
        if not FIRST_YEAR <= _two_digit_year(year) <= 2003:
            raise PatentNumberError("patent_year")
        body = year + type_digit + serial
    if TYPE_DIGITS.get(type_digit) != kind:
        raise PatentNumberError("patent_type_digit")
    if check_digit(body) != check:
        raise PatentNumberError("patent_check_digit")
    return f"{body}.{check}"


def _software(text: str) -> str:
    match = _SOFTWARE.fullmatch(text)
    if not match:
        raise PatentNumberError("patent_format")
    if not 1992 <= int(match.group(1)) <= LAST_YEAR:  # the 计算机软件保护条例 registration began in 1992
        raise PatentNumberError("patent_year")
    return text


def _layout(text: str) -> str:
    match = _LAYOUT.fullmatch(text)
    if not match:
        raise PatentNumberError("patent_format")
    year, type_digit, serial, check = match.groups()
    if _two_digit_year(year) < 2001:  # 集成电路布图设计保护条例 took effect on 2001-10-01
        raise PatentNumberError("patent_year")
    if type_digit != IC_LAYOUT_TYPE_DIGIT:
        raise PatentNumberError("patent_type_digit")
    if check_digit(year + type_digit + serial) != check:
        raise PatentNumberError("patent_check_digit")
    return f"BS.{year}{type_digit}{serial}{check}"


def validate(kind: str, number: str) -> str:
    """The normalised number for this kind, or raise `PatentNumberError`."""
    if kind not in KINDS:
        raise PatentNumberError("patent_kind")
    text = normalise(number)
    if kind == "software_copyright":
        return _software(text)
    if kind == "ic_layout":
        return _layout(text)
    return _application(kind, text)


def is_valid(kind: str, number: str) -> bool:
    try:
        validate(kind, number)
    except PatentNumberError:
        return False
    return True


def kind_of(number: str) -> str | None:
    """The kind a number's shape and type digit imply, or None (for a form's kind default)."""
    for kind in KINDS:
        if is_valid(kind, number):
            return kind
    return None


def display(kind: str, number: str) -> str:
    """How a granted right is written on its certificate: ``ZL`` + number for patents."""
    normalised = validate(kind, number)
    return f"ZL{normalised}" if kind in ("invention", "utility_model", "design") else normalised
