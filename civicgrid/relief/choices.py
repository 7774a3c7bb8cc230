from django.db import models
from django.utils.translation import gettext_lazy as _


class OutcomeKind(models.TextChoices):
    CAPITAL_INCREASE = "capital_increase", _("增资")  # registered/paid-in capital increased: amount + currency
    FUNDS_INTRODUCED = "funds_introduced", _("引入资金")  # project funds brought in: amount + currency
    LOAN = "loan", _("贷款")  # a loan granted or renewed: amount + currency
    APPROVAL_UNBLOCKED = "approval_unblocked", _("审批打通")  # an approval or account unblocked: the note names it
    JOBS_KEPT = "jobs_kept", _("稳岗")  # jobs kept or filled: the number of jobs
    OTHER = "other", _("其他")  # anything else: the note says what


# kinds that are an amount of money: amount and currency required
MONEY_KINDS = frozenset({OutcomeKind.CAPITAL_INCREASE, OutcomeKind.FUNDS_INTRODUCED, OutcomeKind.LOAN})


class CaseKind(models.TextChoices):
    RELIEF = "relief", _("助企纾困")  # cases.Case of type enterprise_relief
    BLOCKER = "blocker", _("项目堵点")  # cases.Case of type project_blocker


RELIEF_TYPE = "enterprise_relief"
BLOCKER_TYPE = "project_blocker"
RELIEF_ROOT = "80"  # cases.flows.catalogue codes of the relief categories (8001 资金/融资 …)
BLOCKER_ROOT = "81"
