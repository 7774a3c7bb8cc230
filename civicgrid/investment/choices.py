from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStage(models.TextChoices):
    """A project's stage; it moves only forward, one milestone at a time (actions.projects.advance_stage)."""

    SIGNED = "signed", _("签约")  # investment agreement signed
    APPROVED = "approved", _("立项")  # 审批/核准/备案 done
    STARTED = "started", _("开工")  # construction started (figure 10 counts the start date)
    UNDER_CONSTRUCTION = "under_construction", _("在建")
    COMPLETED = "completed", _("竣工")
    IN_PRODUCTION = "in_production", _("投产")


STAGE_ORDER = [stage.value for stage in ProjectStage]


class KeyLevel(models.TextChoices):
    NONE = "", _("—")
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    ZONE = "zone", _("区重点")


class ApprovalType(models.TextChoices):
    """How the project was authorised (政府投资审批 / 企业投资核准 / 备案)."""

    EXAMINATION = "examination", _("审批")
    VERIFICATION = "verification", _("核准")
    FILING = "filing", _("备案")


class ProjectApprovalStatus(models.TextChoices):
    NEEDED = "needed", _("待申报")
    APPLIED = "applied", _("办理中")
    GRANTED = "granted", _("已办结")


class ReportStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    ACCEPTED = "accepted", _("已审核")  # the only status counted in figure 11
    RETURNED = "returned", _("已退回")  # back to the reporter, who submits a corrected amount


class LeadStage(models.TextChoices):
    """招商线索 pipeline: moves forward only (actions.leads.advance_lead)."""

    LEAD = "lead", _("线索")
    NEGOTIATING = "negotiating", _("洽谈")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    FUNDED = "funded", _("资金到位")


LEAD_STAGE_ORDER = [stage.value for stage in LeadStage]


class LeadSource(models.TextChoices):
    BUSINESS_VISIT = "business_visit", _("以商招商")
    EXPO = "expo", _("展会推介")
    AGENCY = "agency", _("中介/商协会")
    CHAIN = "chain", _("产业链招商")
    ONLINE = "online", _("网络/来电")
    GOVERNMENT = "government", _("上级推荐")
    OTHER = "other", _("其他")


class FundsOrigin(models.TextChoices):
    DOMESTIC = "domestic", _("内资")  # figure 12: 国内到位资金
    FOREIGN = "foreign", _("外资")
