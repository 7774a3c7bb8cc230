"""Practice sites, teams, volunteer registration and membership."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from civicgrid.accounts.models import Department, DepartmentKind, RoleAssignment
from civicgrid.core import audit, crypto, errors, ratelimit
from civicgrid.core.idempotency import run_once
from civicgrid.core.scoping import get_visible, require
from civicgrid.geo.models import Region
from civicgrid.people import idnumber
from civicgrid.volunteers import catalogue
from civicgrid.volunteers.choices import SiteLevel, VolunteerStatus
from civicgrid.volunteers.models import (
    Availability,
    Membership,
    PracticeSite,
    Qualification,
    Team,
    Volunteer,
)

# --- structure and registration -----------------------------------------------------------------------

def create_site(*, actor, code: str, name: str, level: str, region: Region, parent: PracticeSite | None = None,
                capabilities: list[str] | None = None, capacity: int = 10, address: str = "") -> PracticeSite:
    require(actor, "volunteers.manage_sites")
    if level not in SiteLevel.values:
        raise errors.ValidationFailed("阵地层级无效", code="site_level_invalid")
    with transaction.atomic():
        try:
            dept = Department.objects.create(code=f"WM-{code}"[:20], name=name, kind=DepartmentKind.PRACTICE,
                                             region=region)
            site = PracticeSite.objects.create(code=code, name=name, level=level, region=region, parent=parent,
                                               department=dept, capabilities=capabilities or [], capacity=capacity,
                                               address=address, lat=region.center_lat, lng=region.center_lng)
        except IntegrityError:
            raise errors.Conflict("编码已存在", code="site_code_taken") from None
        audit.record(actor=actor, action="volunteers.create_site", obj=site, details={"level": level})
    return site


def create_team(*, actor, code: str, name: str, site: PracticeSite, capabilities: list[str],
                service_region: Region, capacity: int = 3) -> Team:
    require(actor, "volunteers.manage_sites")
    with transaction.atomic():
        try:
            dept = Department.objects.create(code=f"TD-{code}"[:20], name=name, kind=DepartmentKind.TEAM,
                                             region=service_region)
            team = Team.objects.create(code=code, name=name, site=site, department=dept, capabilities=capabilities,
                                       capacity=capacity, service_region=service_region)
        except IntegrityError:
            raise errors.Conflict("编码已存在", code="team_code_taken") from None
        audit.record(actor=actor, action="volunteers.create_team", obj=team, details={"site": site.code})
    return team


@dataclass
class VolunteerInput:
    name: str
    id_number: str
    phone: str
    region_code: str
    skills: list[str] = field(default_factory=list)
    qualifications: list[dict] = field(default_factory=list)  # {kind, number, issued_by, valid_until}
    availability: list[dict] = field(default_factory=list)  # {weekday, start, end} (time objects)
    service_radius_km: float = 5
    lat: float | None = None
    lng: float | None = None


def register_volunteer(*, actor, data: VolunteerInput, user=None, idempotency_key: str | None = None) -> Volunteer:
    """实名注册: a valid ID number (once per person), known skills and certificate kinds, sane weekly slots.
    Residents register themselves (user=actor); centre/station staff register others.

    Whether an ID number belongs to a volunteer is not for anyone to test. The account is checked first:
    an account that is already a volunteer gets 409 `already_registered` whatever number it sends, so an
    account learns about at most one number, once. An ID number already registered answers 409
    `volunteer_exists`, spends the caller's look-up budget and is audit-logged (core.ratelimit)."""
    self_service = user is not None and user == actor
    if not self_service:
        require(actor, "volunteers.change_volunteer")
    info = idnumber.parse(data.id_number)
    name = (data.name or "").strip()
    if not name or len(name) > 50:
        raise errors.ValidationFailed("请填写真实姓名", code="name_required")
    region = Region.objects.filter(code=(data.region_code or "").strip(), is_active=True).first()
    if region is None:
        raise errors.ValidationFailed("所在区域不存在", code="region_unknown")
    services = {c for c in data.skills}
    unknown = sorted(services - set(catalogue.REQUIRED))
    if unknown or not services:
        raise errors.ValidationFailed("请选择能提供的服务类别", code="skills_invalid", details={"unknown": unknown})
    for q in data.qualifications:
        if q.get("kind") not in catalogue.QUALIFICATIONS:
            raise errors.ValidationFailed(f"未知的资格证书类别:{q.get('kind')}", code="qualification_unknown")
    for slot in data.availability:
        if not 0 <= int(slot["weekday"]) <= 6 or slot["end"] <= slot["start"]:
            raise errors.ValidationFailed("可服务时段无效", code="availability_invalid")
    id_hash = crypto.lookup_hash(info.number, purpose="volunteer_id")

    def account_taken() -> bool:
        return user is not None and Volunteer.objects.filter(user=user).exists()

    def create() -> Volunteer:
        if account_taken():
            raise errors.Conflict("该账号已注册为志愿者", code="already_registered")
        if Volunteer.objects.filter(id_number_hash=id_hash).exists():
            raise errors.Conflict("该身份证号已注册为志愿者", code="volunteer_exists")
        try:
            with transaction.atomic():
                volunteer = Volunteer.objects.create(
                    user=user, name=name, id_number=info.number, id_number_hash=id_hash, phone=data.phone.strip(),
                    phone_hash=crypto.lookup_hash(data.phone.strip(), purpose="phone") if data.phone.strip() else "",
                    region=region, lat=data.lat if data.lat is not None else region.center_lat,
                    lng=data.lng if data.lng is not None else region.center_lng,
                    service_radius_km=float(data.service_radius_km), skills=sorted(services))
        except IntegrityError:  # a concurrent registration of the same account or number won
            if account_taken():
                raise errors.Conflict("该账号已注册为志愿者", code="already_registered") from None
            raise errors.Conflict("该身份证号已注册为志愿者", code="volunteer_exists") from None
        Qualification.objects.bulk_create([
            Qualification(volunteer=volunteer, kind=q["kind"], number=q.get("number", ""),
                          issued_by=q.get("issued_by", ""), valid_until=q.get("valid_until"))
            for q in data.qualifications])
        Availability.objects.bulk_create([
            Availability(volunteer=volunteer, weekday=int(s["weekday"]), start=s["start"], end=s["end"])
            for s in data.availability])
        audit.record(actor=actor, action="volunteers.register_volunteer", obj=volunteer,
                     details={"skills": sorted(services), "self": self_service})
        return volunteer

    def write():
        with transaction.atomic():
            return run_once(key=idempotency_key, actor=actor, action="volunteers.register_volunteer",
                            model=Volunteer, create=create, body={"data": data, "user": user})

    volunteer, _ = ratelimit.conflict_is_lookup(actor, action="volunteers.register_volunteer",
                                                object_type="volunteers.volunteer", code="volunteer_exists",
                                                write=write)
    return volunteer


def add_member(*, actor, team: Team, volunteer: Volunteer, is_leader: bool = False) -> Membership:
    """Join a team; a volunteer with an account gets the volunteer role for that team's orders. The actor
    must reach both the volunteer and the team (404) and may manage the volunteer (403), as in `join_team`."""
    volunteer, team = _member_and_team(actor, volunteer.pk, team.code)
    return _add_member(actor, team, volunteer, is_leader)


def _add_member(actor, team: Team, volunteer: Volunteer, is_leader: bool) -> Membership:
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(team=team, volunteer=volunteer,
                                                            defaults={"is_active": True, "is_leader": is_leader})
        if volunteer.user_id:
            RoleAssignment.objects.update_or_create(user_id=volunteer.user_id, role="volunteer",
                                                    department=team.department, region=None,
                                                    defaults={"is_active": True})
        audit.record(actor=actor, action="volunteers.add_member", obj=membership,
                     details={"team": team.code, "volunteer": volunteer.pk})
    return membership


def _member_and_team(actor, volunteer_id: int, team_code: str) -> tuple[Volunteer, Team]:
    """The volunteer and the team as the actor reaches them (404 otherwise), and the right to manage
    the volunteer's memberships (403)."""
    volunteer = get_visible(Volunteer.objects.select_related("region"), actor, "volunteers.view_volunteer",
                            pk=volunteer_id)
    team = get_visible(Team.objects.select_related("site", "department"), actor, "volunteers.view_team",
                       code=str(team_code or "").strip())
    require(actor, "volunteers.change_volunteer", volunteer)
    return volunteer, team


def join_team(*, actor, volunteer_id: int, team_code: str, is_leader: bool = False) -> tuple[Membership, bool]:
    """Put a registered volunteer into a team, so that the team's station can match them to orders. A
    self-registered volunteer belongs to no team and only the centre reaches them; a station reaches the
    members of its own teams. Joining again changes only the leader mark. Returns (membership, joined)."""
    volunteer, team = _member_and_team(actor, volunteer_id, team_code)
    if volunteer.status != VolunteerStatus.ACTIVE:
        raise errors.ValidationFailed("该志愿者已暂停服务,不能加入队伍", code="volunteer_suspended")
    if not team.is_active:
        raise errors.ValidationFailed("该队伍已停用", code="team_inactive")
    joined = not Membership.objects.filter(team=team, volunteer=volunteer, is_active=True).exists()
    return _add_member(actor, team, volunteer, is_leader), joined


def leave_team(*, actor, volunteer_id: int, team_code: str) -> Membership:
    """Take a volunteer out of a team: kept on record (their service records name the team), no longer
    matched to its orders, and their account loses that team's volunteer role."""
    volunteer, team = _member_and_team(actor, volunteer_id, team_code)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().filter(team=team, volunteer=volunteer,
                                                                   is_active=True).first()
        if membership is None:
            raise errors.ValidationFailed("该志愿者不在此队伍中", code="not_a_member")
        membership.is_active = False
        membership.is_leader = False
        membership.save(update_fields=["is_active", "is_leader"])
        if volunteer.user_id:
            for assignment in RoleAssignment.objects.filter(user_id=volunteer.user_id, role="volunteer",
                                                            department=team.department, is_active=True):
                assignment.is_active = False
                assignment.save(update_fields=["is_active"])  # a save, so the configuration snapshot renews
        audit.record(actor=actor, action="volunteers.leave_team", obj=membership,
                     details={"team": team.code, "volunteer": volunteer.pk})
    return membership


def set_volunteer_status(*, actor, volunteer_id: int, status: str, reason: str) -> Volunteer:
    volunteer = get_visible(Volunteer.objects, actor, "volunteers.view_volunteer", pk=volunteer_id)
    require(actor, "volunteers.change_volunteer", volunteer)
    if status not in VolunteerStatus.values:
        raise errors.ValidationFailed("状态无效", code="status_invalid")
    with transaction.atomic():
        Volunteer.objects.filter(pk=volunteer.pk).update(status=status)
        audit.record(actor=actor, action="volunteers.set_volunteer_status", obj=volunteer,
                     details={"status": status, "reason": reason})
    volunteer.status = status
    return volunteer
