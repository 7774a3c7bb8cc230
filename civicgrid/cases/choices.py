from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    RESIDENT = "resident", _("居民上报")  # a resident on the mobile page
    GRID = "grid", _("网格员上报")  # a grid or micro-grid worker in the field
    HOTLINE = "hotline", _("热线来电")  # a hotline operator entering a phone call
    POLICE = "police", _("警情移交")  # a referral from the police
    API = "api", _("接口")  # another system through the API
    PATROL = "patrol", _("巡查发现")  # found during a patrol
    VISIT = "visit", _("入户走访")  # collected during a household visit
    ENTERPRISE = "enterprise", _("企业自报")  # an enterprise's contact person, for their enterprise
    OFFICER = "officer", _("专员代报")  # an enterprise-service officer entering an enterprise's request
    OPEN311 = "open311", _("Open311 接口")  # a client application through /open311/v2/ (an API key)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")  # hard to remedy if not handled now
    CRITICAL = "critical", _("特急")  # would also cause serious consequences


class ContactPreference(models.TextChoices):
    PHONE = "phone", _("电话")
    SMS = "sms", _("短信")
    ONLINE = "online", _("站内消息")
    NONE = "none", _("无需联系")


class SlaStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    DUE_SOON = "due_soon", _("即将超期")
    OVERDUE = "overdue", _("超期")


class FollowUpMethod(models.TextChoices):
    PHONE = "phone", _("电话回访")
    VISIT = "visit", _("上门回访")
    ONLINE = "online", _("网上评价")


class AgreementForm(models.TextChoices):
    WRITTEN = "written", _("书面协议")
    ORAL = "oral", _("口头协议")


class DisputeTier(models.TextChoices):
    """Where a dispute is mediated (分级调处), lowest first: escalation moves one way only."""

    COMMUNITY = "community", _("村社")
    STREET = "street", _("街道")
    DISTRICT = "district", _("区")


class Satisfaction(models.IntegerChoices):
    VERY_SATISFIED = 5, _("非常满意")
    SATISFIED = 4, _("满意")
    NEUTRAL = 3, _("基本满意")
    DISSATISFIED = 2, _("不满意")
    VERY_DISSATISFIED = 1, _("非常不满意")


class DepartmentRole(models.TextChoices):
    MAIN = "main", _("主办")
    CO = "co", _("协办")


class QuestionType(models.TextChoices):
    TEXT = "text", _("文本")
    NUMBER = "number", _("数字")
    DATE = "date", _("日期")
    CHOICE = "choice", _("单选")
    MULTI = "multi", _("多选")
    BOOLEAN = "boolean", _("是/否")
