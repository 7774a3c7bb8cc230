"""GET /api/v1/figures: the article's figures computed live from records (civicgrid/figures/registry.py)."""

from datetime import date
from typing import Any

from ninja import Router, Schema

from civicgrid.api.errors import ErrorOut
from civicgrid.core import errors
from civicgrid.core.scoping import has_perm_anywhere, table_reach
from civicgrid.figures import queries
from civicgrid.figures.registry import VIEW

router = Router(tags=["统计数据 figures"])


class PeriodOut(Schema):
    since: date | None
    until: date | None


class FigureOut(Schema):
    number: int
    key: str
    values: dict[str, Any]
    period: PeriodOut
    records_url: str


class FiguresOut(Schema):
    as_of: date
    region_code: str
    items: list[FigureOut]


@router.get("", response={200: FiguresOut, 401: ErrorOut, 403: ErrorOut})
def figures(request, district: str = ""):
    """文章各项数据由记录实时计算(不存储、不手填):基础网格、微网格员、志愿服务、高新区企业与专利、审批事项、
    规划面积……需要领导或企业服务专员的权限。市级部署可用 district=区县代码 只计该区县(须在权限范围内)。"""
    if not has_perm_anywhere(request.auth, VIEW):
        raise errors.Forbidden()
    district = district.strip()
    if district and not table_reach(request.auth, VIEW).allows(district):
        raise errors.Forbidden("无权查看该区县的数据", code="district_out_of_reach")
    return queries.figures(region_code=district)
