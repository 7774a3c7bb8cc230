"""GB/T 4754-2017 table: complete (NBS counts), consistent hierarchy, the zone's industries, lookups. No database."""

from __future__ import annotations

import collections

import pytest

from civicgrid.enterprises import industry

SECTIONS = {
    "A": ("农、林、牧、渔业", range(1, 6)),
    "B": ("采矿业", range(6, 13)),
    "C": ("制造业", range(13, 44)),
    "D": ("电力、热力、燃气及水生产和供应业", range(44, 47)),
    "E": ("建筑业", range(47, 51)),
    "F": ("批发和零售业", range(51, 53)),
    "G": ("交通运输、仓储和邮政业", range(53, 61)),
    "H": ("住宿和餐饮业", range(61, 63)),
    "I": ("信息传输、软件和信息技术服务业", range(63, 66)),
    "J": ("金融业", range(66, 70)),
    "K": ("房地产业", range(70, 71)),
    "L": ("租赁和商务服务业", range(71, 73)),
    "M": ("科学研究和技术服务业", range(73, 76)),
    "N": ("水利、环境和公共设施管理业", range(76, 80)),
    "O": ("居民服务、修理和其他服务业", range(80, 83)),
    "P": ("教育", range(83, 84)),
    "Q": ("卫生和社会工作", range(84, 86)),
    "R": ("文化、体育和娱乐业", range(86, 91)),
    "S": ("公共管理、社会保障和社会组织", range(91, 97)),
    "T": ("国际组织", range(97, 98)),
}


def test_counts_are_the_published_ones():
    counts = collections.Counter(i.level for i in industry.all_industries())
    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1381}


@pytest.mark.parametrize("letter", sorted(SECTIONS))
def test_sections_and_their_divisions(letter):
    name, divisions = SECTIONS[letter]
    assert industry.lookup(letter).name == name
    assert [c.code for c in industry.children(letter)] == [f"{d:02d}" for d in divisions]


def test_hierarchy_is_consistent():
    for item in industry.all_industries():
        if item.level == "section":
            assert item.parent == "" and item.code.isalpha() and len(item.code) == 1
            continue
        parent = industry.lookup(item.parent)
        assert parent is not None, item
        assert LEVEL_DEPTH[parent.level] == LEVEL_DEPTH[item.level] - 1
        if item.level != "division":
            assert item.code.startswith(item.parent)
        assert len(item.code) == {"division": 2, "group": 3, "class": 4}[item.level]
        assert item.name == item.name.strip() and "(" not in item.name and "?" not in item.name
    for group in industry.all_industries("group"):
        assert industry.children(group.code), f"group {group.code} has no class"


LEVEL_DEPTH = {level: depth for depth, level in enumerate(industry.LEVELS)}


@pytest.mark.parametrize(("code", "name", "level"), [
    ("2614", "有机化学原料制造", "class"),
    ("2661", "化学试剂和助剂制造", "class"),
    ("265", "合成材料制造", "group"),
    ("32", "有色金属冶炼和压延加工业", "division"),
    ("31", "黑色金属冶炼和压延加工业", "division"),
    ("3670", "汽车零部件及配件制造", "class"),
    ("384", "电池制造", "group"),
    ("3841", "锂离子电池制造", "class"),
    ("65", "软件和信息技术服务业", "division"),
    ("6513", "应用软件开发", "class"),
    ("13", "农副食品加工业", "division"),
    ("268", "日用化学产品制造", "group"),
    ("2682", "化妆品制造", "class"),
    ("019", "其他农业", "group"),
    ("0190", "其他农业", "class"),
    ("9700", "国际组织", "class"),
])
def test_the_zones_industries(code, name, level):
    found = industry.lookup(code)
    assert (found.name, found.level) == (name, level)
    assert industry.is_valid(code)
    assert industry.is_valid(code, level=level)


def test_section_letter_prefix_and_blanks_are_accepted():
    assert industry.lookup("C2614") == industry.lookup(" 2614 ")
    assert industry.lookup("c 26") == industry.lookup("26")
    assert industry.lookup("A2614") is None  # wrong section letter stays invalid
    assert industry.lookup("C2614").label == "C2614 有机化学原料制造"
    assert industry.lookup("C").label == "C 制造业"


@pytest.mark.parametrize("code", ["", "Z", "00", "2615", "26140", "abc", "3660x", "98"])
def test_unknown_codes(code):
    assert industry.lookup(code) is None
    assert not industry.is_valid(code)
    assert industry.section_of(code) is None


def test_section_division_and_ancestors():
    assert industry.section_of("2614") == "C"
    assert industry.section_of("6513") == "I"
    assert industry.section_of("K") == "K"
    assert industry.division_of("2614") == "26"
    assert industry.division_of("C") is None
    assert [i.code for i in industry.ancestors("2614")] == ["C", "26", "261", "2614"]
    assert industry.ancestors("9999") == []
    assert industry.lookup("2614").section == "C"


def test_is_valid_with_a_level():
    assert industry.is_valid("2614", level="class")
    assert not industry.is_valid("261", level="class")


def test_search_by_code_prefix_and_by_name():
    assert [i.code for i in industry.search("261")] == ["261", "2611", "2612", "2613", "2614", "2619"]
    assert [i.code for i in industry.search("C2614")] == ["2614"]
    names = [i.name for i in industry.search("电池")]
    assert names[:2] == ["电池制造", "锂离子电池制造"]
    assert all("电池" in n for n in names)
    assert len(industry.search("制造", limit=5)) == 5
    assert industry.search("") == [] and industry.search("电池", limit=0) == []
    assert industry.search("不存在的行业") == []
    assert [i.code for i in industry.search("K", limit=3)] == ["K", "70", "701"]
