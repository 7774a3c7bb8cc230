from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkKind(models.TextChoices):
    ROAD_REPAIR = "road_repair", _("修补破损道路")
    GREENING = "greening", _("绿化栽植")
    PARKING = "parking", _("新增停车位")
    STREET_LIGHTS = "street_lights", _("安装维修路灯")
    WATER = "water", _("老旧小区供水改造")
    CULTURE_WALL = "culture_wall", _("文化墙")
    STREET_UPGRADE = "street_upgrade", _("路段“四化”提升")  # 绿化、亮化、美化、净化 of a main road or node
    FRINGE_SANITATION = "fringe_sanitation", _("城乡接合部环境卫生治理")


class WorkStatus(models.TextChoices):
    PLANNED = "planned", _("计划")  # registered, not started
    IN_PROGRESS = "in_progress", _("施工中")
    FINISHED = "finished", _("已完工")  # quantities final; counted in totals and shown on the public map
    CANCELLED = "cancelled", _("已取消")


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("改造前")
    AFTER = "after", _("改造后")


# measure code: (label, unit). Totals sum one measure over finished works.
MEASURES: dict[str, tuple[str, str]] = {
    "road_repair_m2": ("修补道路面积", "平方米"),
    "plants": ("栽植花草树木", "株"),
    "parking_spaces": ("新增停车位", "个"),
    "street_lights": ("安装维修路灯", "盏"),
    "water_buildings": ("改造供水楼栋", "栋"),
    "water_people": ("受益群众", "人"),
    "culture_wall_m2": ("文化墙面积", "平方米"),
    "upgraded_length_m": ("提升路段长度", "米"),
    "sanitation_area_m2": ("整治面积", "平方米"),
}
# the measures a work of each kind records, all of them required
KIND_MEASURES: dict[str, tuple[str, ...]] = {
    WorkKind.ROAD_REPAIR: ("road_repair_m2",),
    WorkKind.GREENING: ("plants",),
    WorkKind.PARKING: ("parking_spaces",),
    WorkKind.STREET_LIGHTS: ("street_lights",),
    WorkKind.WATER: ("water_buildings", "water_people"),
    WorkKind.CULTURE_WALL: ("culture_wall_m2",),
    WorkKind.STREET_UPGRADE: ("upgraded_length_m",),
    WorkKind.FRINGE_SANITATION: ("sanitation_area_m2",),
}
# measures counted in whole units (a plant, a lamp, a person); the others take two decimals
WHOLE_MEASURES = frozenset({"plants", "parking_spaces", "street_lights", "water_buildings", "water_people"})
