from django.db import models


class Gender(models.TextChoices):
    MALE = "M", "男"  # odd sequence digit in the ID number
    FEMALE = "F", "女"  # even sequence digit in the ID number


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", "户籍人口"  # household registration (户籍) here
    FLOATING = "floating", "流动人口"  # lives here, registered elsewhere
    OVERSEAS = "overseas", "境外人员"  # foreign national or resident from outside the mainland
    LEFT_BEHIND = "left_behind", "留守人员"  # family members of migrant workers left behind


class Relation(models.TextChoices):
    HEAD = "head", "户主"  # the head of household
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"
