from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")  # odd sequence digit in the ID number
    FEMALE = "F", _("女")  # even sequence digit in the ID number


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")  # household registration (户籍) here
    FLOATING = "floating", _("流动人口")  # lives here, registered elsewhere
    OVERSEAS = "overseas", _("境外人员")  # foreign national or resident from outside the mainland
    LEFT_BEHIND = "left_behind", _("留守人员")  # family members of migrant workers left behind


class Relation(models.TextChoices):
    HEAD = "head", _("户主")  # the head of household
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙子女")
    SIBLING = "sibling", _("兄弟姐妹")
    OTHER = "other", _("其他")
