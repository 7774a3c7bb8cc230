from __future__ import annotations

from django.db import models
from django.utils import timezone

from civicgrid.core import crypto
from civicgrid.core.fields import EncryptedTextField
from civicgrid.core.scoping import Scope, ScopedManager
from civicgrid.people.choices import Gender, Relation, ResidenceType

ID_NUMBER_PURPOSE = "id_number"
PHONE_PURPOSE = "phone"


def id_number_hash(value: str) -> str:
    """Look-up key for an ID number (the only way to search by ID)."""
    return crypto.lookup_hash(value, purpose=ID_NUMBER_PURPOSE)


def phone_hash(value: str) -> str:
    return crypto.lookup_hash(value, purpose=PHONE_PURPOSE)


class Building(models.Model):
    """A building (楼栋) or courtyard, placed in one micro-grid."""

    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="buildings")
    code = models.CharField(max_length=40, unique=True)  # micro-grid code + 3-digit sequence
    name = models.CharField(max_length=100)  # e.g. 幸福里小区 3号楼
    address = models.CharField(max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(null=True, blank=True)
    units = models.PositiveSmallIntegerField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(region="region__code")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household (户): the unit of visits and door-to-door counts."""

    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="households")
    building = models.ForeignKey(Building, null=True, blank=True, on_delete=models.PROTECT, related_name="households")
    number = models.CharField(max_length=40, unique=True)  # 户编号
    room = models.CharField(max_length=40, blank=True)  # 单元户室, e.g. 2单元301
    address = models.CharField(max_length=200, blank=True)
    residence_type = models.CharField(max_length=12, choices=ResidenceType.choices, default=ResidenceType.REGISTERED)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope = Scope(region="region__code")

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return self.address or self.number

    @property
    def full_address(self) -> str:
        return full_address(self.address, self.room)


def full_address(address: str, room: str) -> str:
    """The address with the room, said once: an address that already ends with its room keeps it as is
    (the demo's and many imported registers write "…6号楼3单元201" with room "3单元201")."""
    address, room = (address or "").strip(), (room or "").strip()
    if not room or address.endswith(room):
        return address or room
    return f"{address} {room}".strip()


class Resident(models.Model):
    """A person living in the district. ID number and phone are encrypted; the *_hash columns are
    keyed hashes for exact look-up. `region` repeats the household's micro-grid for scoping."""

    region = models.ForeignKey("geo.Region", on_delete=models.PROTECT, related_name="residents")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="members")
    relation = models.CharField(max_length=12, choices=Relation.choices, default=Relation.OTHER)
    name = models.CharField(max_length=50)
    gender = models.CharField(max_length=1, choices=Gender.choices)
    birth_date = models.DateField(null=True, blank=True)
    ethnicity = models.CharField(max_length=20, blank=True, default="汉族")
    id_number = EncryptedTextField(blank=True, default="")
    id_number_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone = EncryptedTextField(blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    residence_type = models.CharField(max_length=12, choices=ResidenceType.choices, default=ResidenceType.REGISTERED)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager()
    scope = Scope(region="region__code")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"], condition=~models.Q(id_number_hash=""), name="uniq_resident_id_number"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A resident tag: 独居老人, 残疾人, 低保户 … Sensitive tags (重点人员 types) need their own permission."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=50)
    is_sensitive = models.BooleanField(default=False)
    # days between required contacts (visit frequency) for tagged people; null means none required
    contact_every_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ResidentTag(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="tags")
    tag = models.ForeignKey(Tag, on_delete=models.PROTECT, related_name="+")
    level = models.CharField(max_length=12, blank=True)  # 严管/普管/宽管 or 红/黄/蓝 for key persons
    note = models.CharField(max_length=200, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resident", "tag"], name="uniq_resident_tag")]

    def __str__(self) -> str:
        return f"{self.resident_id}:{self.tag_id}"
