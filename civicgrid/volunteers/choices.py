from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteLevel(models.TextChoices):
    CENTRE = "centre", _("文明实践中心")  # the district centre (one)
    INSTITUTE = "institute", _("文明实践所")  # one per street/town
    STATION = "station", _("文明实践站")  # one per community/village


class VolunteerStatus(models.TextChoices):
    ACTIVE = "active", _("在册")  # may be matched and record hours
    SUSPENDED = "suspended", _("暂停")  # kept on record, never matched


class RecordStatus(models.TextChoices):
    RECORDED = "recorded", _("已记录")  # entered by the organising team (谁组织谁记录)
    CONFIRMED = "confirmed", _("已确认")  # confirmed by the station (谁记录谁证明); counts towards stars
    DISPUTED = "disputed", _("有异议")  # frozen until corrected


class DonationKind(models.TextChoices):
    MONEY = "money", _("捐款")
    GOODS = "goods", _("捐物")
