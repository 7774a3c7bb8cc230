"""The matching core's codes in Chinese for the boards: why a volunteer is left out, why a station is
suggested, what a score is made of."""

from __future__ import annotations

from civicgrid.volunteers.models import Order, Team
from civicgrid.volunteers.queries.services import service_names
from civicgrid.volunteers.queries.suggestions import volunteer_shortlist

# reasons in Chinese for the boards (codes from matching.eligible and matching.suggest_stations)
_EXCLUSIONS = {
    "inactive": "已暂停服务",
    "unavailable": "该时段不在其可服务时间内",
    "conflict": "该时段已有其他服务任务",
    "out_of_area": "服务地点超出其服务半径",
    "out_of_region": "服务地点不在其服务区域内",
}


_LOCALITY = {"micro_grid": "同一微网格", "grid": "同一网格", "community": "同一社区", "street": "同一街道",
             "district": "同一区", "none": "非属地"}


SCORE_PARTS = {"skill": "技能匹配", "distance": "距离", "reliability": "可靠度", "continuity": "曾服务该群众",
               "load": "近期负荷"}


def _cap_label(tag: str, names: dict[str, str]) -> str:
    return names.get(tag, tag)


def exclusion_label(code: str, names: dict[str, str] | None = None) -> str:
    """One hard-filter code (matching.eligible) as a sentence for the station."""
    names = names if names is not None else service_names()
    kind, _, tag = code.partition(":")
    if kind == "missing_capability":
        if tag in names:
            return f"未登记提供“{names[tag]}”服务"
        return f"缺少{tag}资质证书"
    if kind == "certificate_expired":
        return f"{_cap_label(tag, names)}证书在服务日已过期"
    return _EXCLUSIONS.get(kind, code)


def suggestion_reason_label(reason: str) -> str:
    """One station-suggestion reason (matching.suggest_stations) in Chinese."""
    kind, _, value = reason.partition(":")
    if kind == "locality":
        return _LOCALITY.get(value, value)
    if kind == "contains_order":
        return "辖区包含服务地点"
    if kind == "capabilities":
        return f"能力覆盖 {value}"
    if kind == "full":
        return "已满负荷"
    if kind == "load":
        return f"在办负荷 {round(float(value) * 100)}%"
    return reason


def present_shortlist(order: Order, team: Team) -> dict:
    """The team's ranked eligible members (score and its parts) and the excluded ones with why."""
    ranked, excluded = volunteer_shortlist(order, team)
    names = service_names()
    return {
        "team": team,
        "ranked": [{"volunteer": v, "score": c.score,
                    "parts": [(SCORE_PARTS.get(k, k), value) for k, value in c.parts.items()]} for v, c in ranked],
        "excluded": [{"volunteer": v, "reasons": [exclusion_label(r, names) for r in reasons]}
                     for v, reasons in sorted(excluded.items(), key=lambda pair: pair[0].pk)],
    }
