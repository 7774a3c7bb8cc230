"""Fixed demo catalogues: district departments, resident tags and the named demo logins (one per role)."""

from __future__ import annotations

from dataclasses import dataclass

from civicgrid.accounts.models import DepartmentKind
from civicgrid.accounts.roles import Role

# (code, full name, short name, kind, region: "district" | "zone" | street seq)
DEPARTMENTS = [
    ("CGJ", "城市管理综合行政执法局", "城管局", DepartmentKind.DISTRICT, "district"),
    ("GAFJ", "公安分局", "公安分局", DepartmentKind.POLICE, "district"),
    ("GAFJ-XH", "新华派出所", "新华所", DepartmentKind.POLICE, "001"),
    ("GAFJ-GH", "光华派出所", "光华所", DepartmentKind.POLICE, "002"),
    ("GAFJ-CZ", "长征派出所", "长征所", DepartmentKind.POLICE, "003"),
    ("GAFJ-GN", "工农派出所", "工农所", DepartmentKind.POLICE, "004"),
    ("GAFJ-SG", "曙光派出所", "曙光所", DepartmentKind.POLICE, "101"),
    ("SWJ", "商务局", "商务局", DepartmentKind.DISTRICT, "district"),
    ("MZJ", "民政局", "民政局", DepartmentKind.DISTRICT, "district"),
    ("ZJJ", "住房和城乡建设局", "住建局", DepartmentKind.DISTRICT, "district"),
    ("STHJ", "生态环境分局", "生态环境分局", DepartmentKind.DISTRICT, "district"),
    ("SCJG", "市场监督管理局", "市场监管局", DepartmentKind.DISTRICT, "district"),
    ("RSJ", "人力资源和社会保障局", "人社局", DepartmentKind.DISTRICT, "district"),
    ("WJJ", "卫生健康局", "卫健局", DepartmentKind.DISTRICT, "district"),
    ("JYJ", "教育局", "教育局", DepartmentKind.DISTRICT, "district"),
    ("YJJ", "应急管理局", "应急管理局", DepartmentKind.DISTRICT, "district"),
    ("SFJ", "司法局", "司法局", DepartmentKind.DISTRICT, "district"),
    ("XFJ", "信访局", "信访局", DepartmentKind.DISTRICT, "district"),
    ("WLJ", "文化旅游和广播电视局", "文旅局", DepartmentKind.DISTRICT, "district"),
    ("GXJFJ", "高新区经济发展局", "高新区经发局", DepartmentKind.ZONE, "zone"),
    # the zone's other departments (管委会 内设部门: with 经济发展局 the zone's 8 departments)
    ("GX-DZ", "高新区党政综合部", "党政综合部", DepartmentKind.ZONE, "zone"),
    ("GX-KC", "高新区科技创新部", "科技创新部", DepartmentKind.ZONE, "zone"),
    ("GX-TC", "高新区投资促进部", "投资促进部", DepartmentKind.ZONE, "zone"),
    ("GX-SP", "高新区审批服务部", "审批服务部", DepartmentKind.ZONE, "zone"),
    ("GX-GJ", "高新区规划建设部", "规划建设部", DepartmentKind.ZONE, "zone"),
    ("GX-CJ", "高新区财政金融部", "财政金融部", DepartmentKind.ZONE, "zone"),
    ("GX-AH", "高新区安全生产和生态环境部", "安全环保部", DepartmentKind.ZONE, "zone"),
    ("GS-WATER", "自来水公司宏伟营业所", "自来水公司", DepartmentKind.UTILITY, "district"),
    ("GS-POWER", "供电公司宏伟供电分公司", "供电公司", DepartmentKind.UTILITY, "district"),
    ("GS-GAS", "燃气公司宏伟分公司", "燃气公司", DepartmentKind.UTILITY, "district"),
    ("GS-HEAT", "供热公司宏伟分公司", "供热公司", DepartmentKind.UTILITY, "district"),
]
HANDLER_DEPARTMENT = "CGJ"
ZONE_DEPARTMENT = "GXJFJ"
ZONE_DEPARTMENTS = ("GXJFJ", "GX-DZ", "GX-KC", "GX-TC", "GX-SP", "GX-GJ", "GX-CJ", "GX-AH")


@dataclass(frozen=True)
class TagSpec:
    code: str
    name: str
    is_sensitive: bool
    contact_every_days: int | None
    share: float  # share of eligible residents who carry the tag
    levels: tuple[str, ...] = ()  # management tiers recorded on ResidentTag.level


# Care tags are open to grid workers; sensitive key-person tags (PIPL art. 28) need their own permission.
# contact_every_days is the contact frequency of the strictest tier.
TAGS = [
    TagSpec("elderly_alone", "独居老人", False, 7, 0.55),  # of people 65+ living alone
    TagSpec("empty_nest", "空巢老人", False, 14, 0.6),  # of couples 65+ living alone
    TagSpec("disabled", "残疾人", False, 30, 0.015),
    TagSpec("low_income", "低保户", False, 30, 0.02),  # household heads
    TagSpec("left_behind_child", "留守儿童", False, 14, 0.6),  # children in left-behind households
    TagSpec("preferential_care", "优抚对象", False, 90, 0.004),
    TagSpec("community_correction", "社区矫正对象", True, 7, 0.0003, ("严管", "普管", "宽管")),
    TagSpec("severe_mental_disorder", "严重精神障碍患者", True, 14, 0.004, ("红", "黄", "蓝")),
    TagSpec("drug_user", "吸毒人员", True, 30, 0.0006, ("红", "黄", "蓝")),
    TagSpec("released_prisoner", "刑满释放人员", True, 30, 0.001, ("红", "黄", "蓝")),
    TagSpec("petition_key", "信访重点人员", True, 15, 0.0003, ("红", "黄", "蓝")),
]


@dataclass(frozen=True)
class LoginSpec:
    username: str
    role: str
    # what the assignment names: a region level (first region of that level), a department code, or None
    region_level: str | None = None
    department: str | None = None


LOGINS = [
    LoginSpec("admin", Role.SYSTEM_ADMIN, "district"),
    LoginSpec("security", Role.SECURITY_ADMIN, "district"),
    LoginSpec("auditor", Role.AUDIT_ADMIN, "district"),
    LoginSpec("dispatcher", Role.DISPATCHER, "district"),
    LoginSpec("leader", Role.LEADER, "district"),
    LoginSpec("street", Role.STREET_ADMIN, "street"),
    LoginSpec("community", Role.COMMUNITY_ADMIN, "community"),
    LoginSpec("gridworker", Role.GRID_WORKER, "grid"),
    LoginSpec("microworker", Role.MICRO_GRID_WORKER, "micro_grid"),
    LoginSpec("handler", Role.DEPARTMENT_HANDLER, department=HANDLER_DEPARTMENT),
    LoginSpec("police", Role.POLICE_LIAISON, "community"),
    LoginSpec("volunteer", Role.VOLUNTEER),  # registered and put in a team by the volunteer demo (demo/volunteers/)
    LoginSpec("station", Role.STATION_ADMIN),  # its station is attached by the volunteer demo (demo/volunteers/)
    LoginSpec("centre", Role.CENTRE_ADMIN, "district"),
    LoginSpec("officer", Role.ENTERPRISE_OFFICER, department=ZONE_DEPARTMENT),
    LoginSpec("company", Role.ENTERPRISE_CONTACT),  # made a contact of one enterprise by the enterprise demo
    LoginSpec("resident", Role.RESIDENT),
]
