from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitPurpose(models.TextChoices):
    ROUTINE = "routine", _("常规走访")  # the regular round of the grid's households
    KEY_PERSON = "key_person", _("重点人员走访")  # visiting the household of a key person (details go in a follow-up)
    ELDERLY_CARE = "elderly_care", _("关爱走访")  # elderly living alone, empty nest, disabled, left-behind children
    OPINION = "opinion", _("民意收集")  # collecting residents' opinions and requests
    DISPUTE = "dispute", _("矛盾纠纷排查")  # asking about disputes for the half-monthly screening
    PUBLICITY = "publicity", _("政策宣传/普法")  # explaining a policy or the law at the door


class FollowUpMethod(models.TextChoices):
    HOME_VISIT = "home_visit", _("上门走访")  # met at home
    PHONE = "phone", _("电话联系")
    VIDEO = "video", _("视频联系")
    INTERVIEW = "interview", _("约谈")  # came to the community office or the police station
    OTHER = "other", _("其他")


class Condition(models.TextChoices):
    STABLE = "stable", _("情况稳定")  # nothing of note
    ATTENTION = "attention", _("需关注")  # changes worth watching (job loss, family conflict, missed medication …)
    ABNORMAL = "abnormal", _("异常")  # a risk now: report to the community and the police liaison


class ScreeningResult(models.TextChoices):
    NONE_FOUND = "none", _("无新增矛盾纠纷")  # the worker confirmed there is nothing new in the grid
    FOUND = "found", _("发现矛盾纠纷")  # disputes were recorded; each one opened a `dispute` case


class ReferralDirection(models.TextChoices):
    TO_POLICE = "to_police", _("移交公安")  # a grid case handed to the police
    FROM_POLICE = "from_police", _("公安移交")  # a police referral that became a grid case


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("待接收")  # sent to the police, not answered yet
    ACCEPTED = "accepted", _("已接收")  # the police took it on (a police referral is accepted on arrival)
    DECLINED = "declined", _("已退回")  # the police declined it, with a reply


class JointKind(models.TextChoices):
    PATROL = "patrol", _("联合巡逻")  # 联巡: police and grid workers patrol together
    CHECK = "check", _("联合检查")  # 联查: rented homes, venues, hazards checked together
    MEDIATION = "mediation", _("联合调解")  # 联调: a dispute mediated together
    VISIT = "visit", _("联合走访")  # key persons or households visited together


class ActivityKind(models.TextChoices):
    LAW = "law", _("普法宣传")  # 法治宣传教育, 民法典进社区 …
    POLICY = "policy", _("政策宣讲")  # social security, elderly care, housing policies
    ANTI_FRAUD = "anti_fraud", _("反诈宣传")  # telecom and internet fraud prevention
    SAFETY = "safety", _("安全宣传")  # fire, gas, electric bicycles, flood season
    CIVILITY = "civility", _("文明实践")  # 移风易俗, 文明新风
    OTHER = "other", _("其他宣传")
