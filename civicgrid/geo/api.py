"""/api/v1/geo/: the region tree, point location and boundaries as GeoJSON (all scoped), and the report
map's base map: public layers and place names for a point (unscoped public geography, signed-in callers)."""

from django.http import HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from civicgrid.api.errors import ErrorOut
from civicgrid.api.pagination import CountItemsNext
from civicgrid.api.params import Finite
from civicgrid.geo import geojson, queries
from civicgrid.geo.choices import RegionLevel

router = Router(tags=["区域网格 geo"])


class PointOut(Schema):
    lng: float
    lat: float


class RegionBrief(Schema):
    code: str
    name: str
    level: str
    level_label: str

    @staticmethod
    def resolve_level_label(obj) -> str:
        return str(RegionLevel(obj.level).label)


class RegionOut(RegionBrief):
    kind: str
    parent_code: str | None
    has_boundary: bool
    area_m2: float | None
    center: PointOut | None

    @staticmethod
    def resolve_parent_code(obj) -> str | None:
        return geojson.parent_code_of(obj.code) if obj.parent_id else None

    @staticmethod
    def resolve_has_boundary(obj) -> bool:
        flag = getattr(obj, "has_boundary", None)
        return bool(flag) if flag is not None else obj.boundary is not None

    @staticmethod
    def resolve_center(obj) -> dict | None:
        if obj.center_lng is None or obj.center_lat is None:
            return None
        return {"lng": obj.center_lng, "lat": obj.center_lat}


class RegionDetailOut(RegionOut):
    chain: list[RegionBrief] = Field(..., description="可见的上级链(区在前),含本区域")
    children_count: int
    boundary: dict | None = Field(None, description="GeoJSON 几何(Polygon/MultiPolygon)")


class LocateOut(Schema):
    found: bool
    chain: list[RegionOut]
    deepest: RegionOut | None


@router.get("/regions", response={200: list[RegionOut], 422: ErrorOut})
@paginate(CountItemsNext)
def list_regions(request, level: str | None = None, parent: str | None = None, q: str = ""):
    """可见的区域列表。`level`:district/street/community/grid/micro_grid;`parent`:上级代码(配合 level
    为其下任意层级,不带 level 为直接下级);`q`:名称包含或代码前缀。"""
    return queries.regions_visible(request.auth, level=level, parent=parent, q=q)


@router.get("/regions/{code}", response={200: RegionDetailOut, 404: ErrorOut})
def get_region(request, code: str):
    """单个区域(含可见上级链与边界);无权查看时 404。"""
    region = queries.get_region(request.auth, code)
    region.chain = queries.region_chain(region, request.auth)
    region.children_count = queries.children(region).count()
    return region


@router.get("/locate", response={200: LocateOut, 422: ErrorOut})
def locate(request, lat: Finite, lng: Finite):
    """坐标(WGS84)落在哪个网格:从区到最深一级的可见区域链。"""
    chain = queries.locate(request.auth, lng, lat)
    return {"found": bool(chain), "chain": chain, "deepest": chain[-1] if chain else None}


@router.get("/boundaries", response={200: dict, 422: ErrorOut}, url_name="geo_boundaries")
def boundaries(request, level: str | None = None, parent: str | None = None):
    """可见区域边界的 GeoJSON FeatureCollection;不带参数时为网格层。"""
    return queries.boundaries_feature_collection(request.auth, level=level, parent=parent)


class PlaceRef(Schema):
    code: str
    name: str


class PlaceOut(Schema):
    found: bool = Field(..., description="点位是否落在某个社区/网格内")
    street: PlaceRef | None
    community: PlaceRef | None
    grid: PlaceRef | None
    micro_grid: PlaceRef | None
    label: str = Field(..., description="供显示的名称,如“曙光街道 幸福社区 第三网格”;区外为空")


MAP_CACHE = "private, max-age=600"


@router.get("/map/layers/{level}", response={200: dict, 304: None, 422: ErrorOut}, url_name="geo_map_layer")
def map_layer(request, level: str):
    """底图图层(公开的行政区划地理,不含人员数据):`level` 为 street、community 或 grid;每个区域带名称、
    简称 `label` 与标注点 `label_at`。带 ETag,配置版本不变时 `If-None-Match` 得 304。"""
    body = queries.map_layer_json(level)
    etag = f'"{queries.map_version()}-{level}"'
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/geo+json")
    response["ETag"] = etag
    response["Cache-Control"] = MAP_CACHE
    return response


@router.get("/place", response={200: PlaceOut, 422: ErrorOut}, url_name="geo_place")
def place(request, lat: Finite, lng: Finite):
    """WGS84 坐标所在的街道、社区、网格、微网格名称(公开地名,不受查看范围限制);区外 `found` 为 false。"""
    return queries.place_names(lng, lat)
