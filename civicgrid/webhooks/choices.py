from django.db import models
from django.utils.translation import gettext_lazy as _

# The events a subscriber may choose: one row each, published by the action that makes them happen
# (docs/webhooks.md). A test holds the publishers to this list.
EVENTS = {
    "case.created": "案件上报",  # any channel; no reporter data in the payload
    "case.state_changed": "案件流转",  # every workflow step that changes the state
    "case.closed": "案件结案",  # the case reached a terminal state
    "case.rated": "案件评价",  # a satisfaction rating was recorded
    "volunteer_order.state_changed": "志愿服务点单流转",  # a volunteer order (a volunteer_order case) moved
    "enterprise_relief.state_changed": "助企纾困案件流转",  # an enterprise relief case moved
}

# case types whose steps are their own family of events instead of case.*
FAMILIES = {"volunteer_order": "volunteer_order", "enterprise_relief": "enterprise_relief"}


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")  # due at next_attempt_at
    SUCCEEDED = "succeeded", _("已送达")  # the subscriber answered 2xx
    FAILED = "failed", _("已放弃")  # every attempt failed, or the subscription was disabled
