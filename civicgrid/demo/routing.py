"""The demo's routing table (派遣规则), saved through the real action by the system administrator before any
case is generated, so that cases are routed by rules and their routing record names the rule:

* public order (社会治安) in each street or town goes to that street's 派出所, not the district 公安分局;
* in the high-tech zone, city appearance, construction and public facilities go to its 规划建设部 and safety
  hazards to its 安全生产和生态环境部 (with the district 应急管理局 helping), not to the district bureaus;
* district-wide, road collapses and gas leaks are handled with a co-department (城管局 guards the site,
  应急管理局 the leak), and 意见建议 (which has no default) goes to the 信访局.
"""

from __future__ import annotations

from civicgrid.accounts.models import User
from civicgrid.cases.admin import actions as admin_actions
from civicgrid.cases.models import RoutingRule
from civicgrid.demo import tree

POLICE = {"001": "GAFJ-XH", "002": "GAFJ-GH", "003": "GAFJ-CZ", "004": "GAFJ-GN", "101": "GAFJ-SG"}
# (region: street seq or "" for the district, category, department, co-departments, note)
RULES: list[tuple[str, str, str, tuple[str, ...], str]] = [
    *[(seq, "50", dept, (), "辖区派出所受理治安类诉求") for seq, dept in POLICE.items()],
    *[(seq, "0502", dept, ("CGJ",), "辖区派出所查处乱停车,城管协助") for seq, dept in POLICE.items()],
    ("401", "01", "GX-GJ", (), "高新区市容环境由规划建设部负责"),
    ("401", "03", "GX-GJ", (), "高新区施工管理由规划建设部负责"),
    ("401", "06", "GX-GJ", (), "高新区公共设施由规划建设部负责"),
    ("401", "40", "GX-AH", ("YJJ",), "高新区安全隐患由安全环保部负责,区应急局协办"),
    ("", "0401", "ZJJ", ("CGJ",), "路面塌陷:住建局主办,城管局现场围挡"),
    ("", "0403", "GS-GAS", ("YJJ",), "燃气泄漏:燃气公司抢修,应急局协办"),
    ("", "3012", "XFJ", (), "意见建议由信访局统一受理转办"),
]


def build(*, say=print) -> int:
    """Save the rules that are not there yet (one per region and category); returns how many were saved."""
    admin = User.objects.get(username="admin")
    have = set(RoutingRule.objects.values_list("region__code", "category__code"))
    saved = 0
    for seq, category, department, co, note in RULES:
        region = tree.DISTRICT_CODE + seq if seq else None
        if (region, category) in have:
            continue
        admin_actions.save_routing_rule(actor=admin, region_code=region, category_code=category,
                                        department_code=department, co_department_codes=co, note=note)
        saved += 1
    say(f"派遣规则 {saved} 条")
    return saved
