from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")  # holds a seat of its slot
    CHECKED_IN = "checked_in", _("已签到")  # came to the window and checked in with the code
    CANCELLED = "cancelled", _("已取消")  # cancelled before the deadline; the seat is free again
    NO_SHOW = "no_show", _("爽约")  # the slot ended without a check-in


class Delivery(models.TextChoices):
    COUNTER = "counter", _("窗口领取")  # the applicant collects the result at the office
    MAIL = "mail", _("邮寄送达")  # posted, with the carrier's tracking number
    ELECTRONIC = "electronic", _("电子证照")  # an electronic licence or document


class DocumentStatus(models.TextChoices):
    REQUESTED = "requested", _("协查中")  # 公对公: asked of the other office
    PROVIDED = "provided", _("已出具")  # the other office provided the document


class HardCaseIntake(models.TextChoices):
    ONLINE = "online", _("网上反映")  # the resident on the phone
    COUNTER = "counter", _("窗口登记")  # window staff for a walk-in


class MaterialKind(models.TextChoices):
    PDF = "application/pdf", _("PDF 扫描件")
    JPEG = "image/jpeg", _("JPEG 照片")
    PNG = "image/png", _("PNG 图片")
    WEBP = "image/webp", _("WebP 图片")
