from django.db import models
from django.utils.translation import gettext_lazy as _


class PatrolStatus(models.TextChoices):
    ACTIVE = "active", _("巡查中")  # started, not yet ended; points may still arrive
    ENDED = "ended", _("已结束")  # ended by the worker; late points up to the end time are still accepted


class CheckpointKind(models.TextChoices):
    SCHOOL = "school", _("学校")  # schools and kindergartens, their gates at school hours
    MARKET = "market", _("市场")  # markets, street stalls
    HAZARD = "hazard", _("隐患点")  # a known safety hazard: a slope, a gas station, a derelict building
    KEY_PLACE = "key_place", _("重点场所")  # rental housing, internet cafes, parcel points…
    OTHER = "other", _("其他")  # anything else the community wants seen daily


class VisitMethod(models.TextChoices):
    GPS = "gps", _("轨迹经过")  # an uploaded track point fell inside the checkpoint's radius
    MANUAL = "manual", _("现场打卡")  # the worker tapped "check in" there (position checked too)


# the case types a patrol finding may become
FINDING_CASE_TYPES = ("urban_event", "safety_hazard", "dispute")
