"""Vocabularies of the innovation app: platform kinds and levels, the zone's technology fields, partner
kinds, agreement and challenge states, output kinds."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlatformKind(models.TextChoices):
    TECH_TRANSFER = "tech_transfer", _("技术转移中心(分中心)")  # e.g. a national tech-transfer centre's branch
    KEY_LAB = "key_lab", _("重点实验室(分实验室)")  # a state key laboratory's branch
    UNIVERSITY_INSTITUTE = "university_institute", _("高校应用技术研究院")
    INDUSTRY_INSTITUTE = "industry_institute", _("产业技术研究院")  # e.g. an aromatics technology institute
    SERVICE_PLATFORM = "service_platform", _("科技创新服务平台")  # the city's S&T service platform
    ENTERPRISE_TECH_CENTRE = "enterprise_tech_centre", _("企业技术中心")
    POSTDOC_STATION = "postdoc_station", _("博士后科研工作站")


# the platform kinds an enterprise hosts: they link to the enterprise's qualification of this kind
ENTERPRISE_KINDS = {
    PlatformKind.ENTERPRISE_TECH_CENTRE: ("provincial_tech_centre",),
    PlatformKind.POSTDOC_STATION: ("postdoctoral_station",),
}


class PlatformLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    ZONE = "zone", _("区级")


class Field(models.TextChoices):
    """The zone's technology fields (its parks' industries and the lines the article names)."""

    FINE_CHEMICALS = "fine_chemicals", _("芳烃及精细化工")
    BATTERY_MATERIALS = "battery_materials", _("新能源电池材料")
    CARBON_MATERIALS = "carbon_materials", _("碳基新材料")
    POLYMERS = "polymers", _("高分子及复合材料")
    METAL_MATERIALS = "metal_materials", _("金属材料")
    EQUIPMENT_AUTO = "equipment_auto", _("装备制造及汽车零部件")
    DIGITAL = "digital", _("数字经济")
    AGRI_BIO = "agri_bio", _("农产品加工与生物育种")
    DAILY_CHEMICALS = "daily_chemicals", _("日用化工")
    GREEN_PROCESS = "green_process", _("绿色工艺与节能环保")


class PartnerKind(models.TextChoices):
    UNIVERSITY = "university", _("高校")
    INSTITUTE = "institute", _("科研院所")
    PLATFORM = "platform", _("创新平台")


class AgreementStatus(models.TextChoices):
    SIGNED = "signed", _("已签约")  # signed, work not yet started
    ACTIVE = "active", _("执行中")
    COMPLETED = "completed", _("已完成")
    TERMINATED = "terminated", _("已终止")


AGREEMENT_MOVES = {  # status -> the statuses it may move to
    AgreementStatus.SIGNED: {AgreementStatus.ACTIVE, AgreementStatus.TERMINATED},
    AgreementStatus.ACTIVE: {AgreementStatus.COMPLETED, AgreementStatus.TERMINATED},
    AgreementStatus.COMPLETED: set(),
    AgreementStatus.TERMINATED: set(),
}


class OutputKind(models.TextChoices):
    PATENT = "patent", _("专利")
    PRODUCT = "product", _("新产品")
    PROCESS = "process", _("新工艺")
    STANDARD = "standard", _("标准")
    PAPER = "paper", _("论文")
    TALENT = "talent", _("人才培养")


class ChallengeStatus(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")  # posted by the enterprise, the 科技创新部 has not published it
    PUBLISHED = "published", _("揭榜中")  # on the board: teams may apply until the deadline
    CLOSED = "closed", _("遴选中")  # applications closed, the two sides choose
    SELECTED = "selected", _("攻关中")  # both sides chose one team: milestones tracked
    COMPLETED = "completed", _("已完成")  # accepted by the 科技创新部
    REJECTED = "rejected", _("未通过")  # the 科技创新部 did not publish it
    WITHDRAWN = "withdrawn", _("已撤榜")


# a published summary (title, fields, goal, budget, deadline, enterprise) is on the zone-wide board in these
PUBLIC_STATUSES = (ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED, ChallengeStatus.SELECTED,
                   ChallengeStatus.COMPLETED)
OPEN_STATUSES = (ChallengeStatus.SUBMITTED, ChallengeStatus.PUBLISHED, ChallengeStatus.CLOSED)


class Side(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    DEPARTMENT = "department", _("科技创新部")
