from django.db import models
from django.utils.translation import gettext_lazy as _


class RecipientKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")  # paid to an enterprise's account
    PERSON = "person", _("个人")  # paid to a person (unemployment benefits)


class Mode(models.TextChoices):
    AUTOMATIC = "automatic", _("免申即享")  # the system finds the candidates from the rules and the records
    APPLICATION = "application", _("依申请")  # paid on an application, recorded one by one
    LEDGER = "ledger", _("台账发放")  # paid from the agency's ledger, imported as payment batches


class CandidateStatus(models.TextChoices):
    PENDING = "pending", _("待审核")  # computed, waiting for an officer
    APPROVED = "approved", _("已核准发放")  # approved: its disbursement exists
    REJECTED = "rejected", _("不予发放")  # an officer refused it, with a reason


class Source(models.TextChoices):
    CANDIDATE = "candidate", _("免申即享核准")  # an approved candidate
    BATCH = "batch", _("批量导入")  # a row of an imported payment batch
    MANUAL = "manual", _("逐笔登记")  # recorded one by one (an application)


class Currency(models.TextChoices):
    CNY = "CNY", _("人民币")  # every programme here pays in yuan
