"""The one sheet format for households and residents, declared once as data: the import reads it, the
export writes it, the template and docs/people.md describe it. One row per resident; rows sharing a
户编号 form one household."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # internal name
    header: str  # the Chinese header in row 1
    required: bool
    help: str  # shown in the template's 说明 sheet and in docs/people.md
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("household_number", "户编号", True, "户的唯一编号;同一户的多名成员填写相同户编号,户信息以第一行为准且须一致",
           "211004001001001001-0001"),
    Column("region_code", "微网格编码", True, "18位微网格编码,须在本人管辖范围内", "211004001001001001"),
    Column("building_code", "楼栋编码", False, "已登记楼栋的编码,须属于该微网格", "211004001001001001001"),
    Column("room", "户室", False, "单元户室,如 2单元301", "2单元301"),
    Column("address", "地址", False, "现住址", "幸福里小区3号楼2单元301"),
    Column("name", "姓名", True, "居民姓名", "张三"),
    Column("id_number", "身份证号", True, "18位公民身份号码(GB 11643),校验位须正确;末位X大小写均可",
           "21100419850315002X"),
    Column("phone", "电话", False, "手机号(11位)或座机(区号-号码)", "13812341234"),
    Column("relation", "与户主关系", False, "户主、配偶、子女、父母、孙子女、兄弟姐妹、其他;空为其他", "户主"),
    Column("residence_type", "人口类型", False, "户籍人口、流动人口、境外人员、留守人员;空为户籍人口", "户籍人口"),
    Column("ethnicity", "民族", False, "空为汉族", "汉族"),
    Column("tags", "标签", False, "标签编码,多个用逗号或顿号分隔;敏感标签须有相应权限", ""),
)

HEADERS = tuple(c.header for c in COLUMNS)
BY_HEADER = {c.header: c for c in COLUMNS}
BY_KEY = {c.key: c for c in COLUMNS}
SHEET_TITLE = "户和居民"
MAX_ROWS = 10000  # data rows in one file
