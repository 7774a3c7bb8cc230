from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.recognition import flow


class Category(models.TextChoices):
    """The five categories of 中国好人榜 (中央文明办)."""

    HELPING = "helping", _("助人为乐")
    BRAVERY = "bravery", _("见义勇为")
    HONESTY = "honesty", _("诚实守信")
    DEDICATION = "dedication", _("敬业奉献")
    FILIAL = "filial", _("孝老爱亲")


class Source(models.TextChoices):
    SELF = "self", _("本人自荐")  # the nominee nominates themself
    OTHER = "other", _("他人推荐")  # a neighbour, colleague, grid worker … nominates them


class State(models.TextChoices):
    SUBMITTED = flow.SUBMITTED, _("待社区核实")  # submitted, the community has not looked yet
    VERIFIED = flow.VERIFIED, _("待文明办审核")  # the community verified the story and the consent
    NOTICE = flow.NOTICE, _("公示中")  # the civilisation office approved it: public notice, objections open
    LISTED = flow.LISTED, _("已上榜")  # on a monthly listing
    REJECTED = flow.REJECTED, _("未通过")  # turned down by the community or the office, or an objection upheld
    WITHDRAWN = flow.WITHDRAWN, _("已撤回")  # withdrawn by the nominator before the notice


class ConsentSource(models.TextChoices):
    NOMINEE = "nominee", _("本人填报")  # the nominee gave it on their own (self-)nomination
    NOMINATOR = "nominator", _("推荐人转述")  # stated by the nominator, to be confirmed by the community
    COMMUNITY = "community", _("社区当面确认")  # confirmed with the nominee by the community


class Period(models.TextChoices):
    MONTH = "month", _("月度榜")
    YEAR = "year", _("年度榜")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")


class ObjectionOutcome(models.TextChoices):
    DISMISSED = "dismissed", _("异议不成立")  # the nomination goes on
    UPHELD = "upheld", _("异议成立")  # the nomination is turned down
