"""Unified social credit code (统一社会信用代码, GB 32100-2015). Pure Python, no Django.

Layout of the 18 characters (docs/enterprises/registry-rules.md):

======  ==========================================================================
1       登记管理部门代码 (registration authority: 9 = 工商/市场监管, 5 = 民政, ...)
2       机构类别代码 (kind; its valid values depend on the authority: 91 = 企业)
3-8     登记管理机关行政区划码 (GB/T 2260 area code of the registering office; digits)
9-17    主体标识码 (the GB 11714 organisation code: 8 characters + its own check digit)
18      校验码 (check character over positions 1-17)
======  ==========================================================================

Characters come from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z); a
character's value is its index in that set. The check character is
``(31 - sum(value_i * weight_i) mod 31) mod 31`` with ``weight_i = 3**(i-1) mod 31``. Every weight is
a unit modulo the prime 31, so any single substitution within the set changes the sum and is caught.

`validate` checks, in this order, and raises `UsccError` with one code per failure:

* ``uscc_length`` — not 18 characters after stripping spaces;
* ``uscc_forbidden_character`` — a character outside the 31-character set (I, O, S, V, Z, punctuation);
* ``uscc_registration_authority`` — position 1 is not a 登记管理部门代码;
* ``uscc_kind`` — position 2 is not a 机构类别代码 of that authority;
* ``uscc_region`` — positions 3-8 are not six digits with a GB/T 2260 province prefix (or 10, national);
* ``uscc_org_code`` — the embedded organisation code fails its GB 11714-1997 check digit
  (implemented: weights 3 7 9 10 5 8 4 2, ``C9 = 11 - sum mod 11``, 10 -> X, 11 -> 0);
  pass ``check_org_code=False`` to skip this one;
* ``uscc_check_character`` — position 18 is not the computed check character.

Authority/kind pairs are the code table of GB 32100-2015 (1, 5, 9, Y) as extended by the national
code centre (2, 3, 4, 6, 7, 8, A, N).
"""

from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28

#: 登记管理部门代码 -> (label, {机构类别代码: label})
AUTHORITIES: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": ("司法行政", {"1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构",
                   "5": "仲裁委员会", "9": "其他"}),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": ("旅游", {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"}),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}

#: GB/T 2260 province-level prefixes, plus 10 for national-level registering authorities.
PROVINCE_PREFIXES = frozenset({
    "10", "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82",
})

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUES = {c: int(c, 36) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}

MESSAGES = {
    "uscc_length": "统一社会信用代码应为18位",
    "uscc_forbidden_character": "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z）",
    "uscc_registration_authority": "统一社会信用代码第1位（登记管理部门代码）无效",
    "uscc_kind": "统一社会信用代码第2位（机构类别代码）与登记管理部门不符",
    "uscc_region": "统一社会信用代码第3-8位（登记管理机关行政区划码）无效",
    "uscc_org_code": "统一社会信用代码第9-17位（组织机构代码）校验位错误",
    "uscc_check_character": "统一社会信用代码校验码错误",
}


class UsccError(ValueError):
    """An invalid code: ``code`` is a stable machine code (``MESSAGES`` keys), ``message`` Chinese."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(f"{code}: {self.message}")


def normalise(value: str) -> str:
    """NFKC (full-width ９１ -> 91), drop all whitespace (incl. the ideographic space), upper-case."""
    return "".join(unicodedata.normalize("NFKC", str(value)).split()).upper()


def check_character(prefix17: str) -> str:
    """The check character for 17 characters of the set (raises UsccError on a bad prefix)."""
    if len(prefix17) != 17:
        raise UsccError("uscc_length", "计算校验码需要前17位")
    try:
        total = sum(VALUES[c] * w for c, w in zip(prefix17, WEIGHTS, strict=True))
    except KeyError:
        raise UsccError("uscc_forbidden_character") from None
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check_digit(body8: str) -> str:
    """GB 11714-1997 check digit of an organisation code's first 8 characters."""
    total = sum(_ORG_VALUES[c] * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    digit = 11 - total % 11
    return "X" if digit == 10 else "0" if digit == 11 else str(digit)


def validate(value: str, *, check_org_code: bool = True) -> str:
    """Return the normalised code, or raise `UsccError` naming the first failure found."""
    code = normalise(value)
    if len(code) != 18:
        raise UsccError("uscc_length")
    if any(c not in VALUES for c in code):
        raise UsccError("uscc_forbidden_character")
    authority = AUTHORITIES.get(code[0])
    if authority is None:
        raise UsccError("uscc_registration_authority")
    if code[1] not in authority[1]:
        raise UsccError("uscc_kind")
    region = code[2:8]
    if not region.isdigit() or region[:2] not in PROVINCE_PREFIXES:
        raise UsccError("uscc_region")
    if check_org_code and org_code_check_digit(code[8:16]) != code[16]:
        raise UsccError("uscc_org_code")
    if check_character(code[:17]) != code[17]:
        raise UsccError("uscc_check_character")
    return code


def is_valid(value: str, *, check_org_code: bool = True) -> bool:
    try:
        validate(value, check_org_code=check_org_code)
    except UsccError:
        return False
    return True


def describe(code: str) -> dict[str, str]:
    """The parts of a valid code with their labels (for display)."""
    code = validate(code)
    authority, kinds = AUTHORITIES[code[0]]
    return {"authority": authority, "kind": kinds[code[1]], "region": code[2:8],
            "org_code": f"{code[8:16]}-{code[16]}", "check": code[17]}
