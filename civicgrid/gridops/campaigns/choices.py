from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignKind(models.TextChoices):
    SCREENING = "screening", _("专项排查")  # a check for hazards or problems, house by house
    CENSUS = "census", _("入户统计")  # a count of facts per household (e.g. the epidemic count)


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")  # the form is being designed; workers do not see it
    ACTIVE = "active", _("进行中")  # published: the form is frozen, workers fill it in during the period
    CLOSED = "closed", _("已结束")  # closed by an admin: no more answers, results final


class FormSource(models.TextChoices):
    UI = "ui", _("页面设计")  # authored in the form designer (or from a template)
    XLSFORM = "xlsform", _("XLSForm 导入")  # imported from an XLSForm spreadsheet


class RevisionOutcome(models.TextChoices):
    APPLIED = "applied", _("已保存")  # based on the current version: became the new version
    CONFLICT_APPLIED = "conflict_applied", _("冲突·覆盖")  # based on an older version, later device time: won
    CONFLICT_KEPT = "conflict_kept", _("冲突·未采用")  # based on an older version, not later: stored value kept
    RESOLVED = "resolved", _("冲突已处理")  # a person settled a conflict (kept or restored a value)
