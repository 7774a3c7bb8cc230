"""Demo accounts: one micro-grid worker per micro-grid and one grid worker per grid (unusable passwords:
activated by a password reset, as in real life), plus the named demo logins, one per role."""

from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.accounts.roles import ROLE_SPECS, Role
from civicgrid.demo import names
from civicgrid.demo.catalogue import LOGINS
from civicgrid.people.models import phone_hash

BATCH = 2000
PASSWORD_FILE = "demo_password"


class PasswordRejected(ValueError):
    pass


def password_file():
    return settings.VAR_DIR / PASSWORD_FILE


def known_password() -> str:
    """The demo password if it can be told again: the setting, else the file the first build wrote."""
    if settings.DEMO_PASSWORD:
        return settings.DEMO_PASSWORD
    path = password_file()
    return path.read_text().strip() if path.exists() else ""


def resolve_password(explicit: str | None) -> tuple[str, str]:
    """(password, where it came from): --password, else CIVICGRID_DEMO_PASSWORD, else the password kept in
    $CIVICGRID_VAR_DIR/demo_password, else a new one, written there (mode 0600)."""
    if explicit:
        _validate(explicit)
        return explicit, "--password"
    if settings.DEMO_PASSWORD:
        _validate(settings.DEMO_PASSWORD)
        return settings.DEMO_PASSWORD, "CIVICGRID_DEMO_PASSWORD"
    path = password_file()
    if path.exists() and path.read_text().strip():
        return path.read_text().strip(), str(path)
    password = generate_password()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password, f"已生成,保存在 {path}"


def generate_password() -> str:
    """12 characters with all four classes (the validators ask for 8 and three classes)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        body = "".join(secrets.choice(alphabet) for _ in range(9))
        password = body[:4] + secrets.choice("!@#%*-+=") + body[4:] + secrets.choice(string.digits) + "a"
        if any(c.isupper() for c in password) and any(c.isdigit() for c in password):
            return password


def _validate(password: str) -> None:
    try:
        validate_password(password, User(username="admin", display_name="演示"))
    except ValidationError as exc:
        raise PasswordRejected("演示密码不符合要求:" + ";".join(exc.messages)) from None


def _person(rng, registry) -> dict:
    gender = "M" if rng.random() < 0.45 else "F"
    phone = registry.phone()
    return {"display_name": names.person_name(rng, gender), "phone": phone, "phone_hash": phone_hash(phone)}


def create_named(*, password: str, firsts: dict[str, int], departments: dict[str, int], rng, registry) -> list[User]:
    """The named logins; `firsts` maps a region level to the id of its first region."""
    now = timezone.now()
    taken = set(User.objects.filter(username__in=[s.username for s in LOGINS]).values_list("username", flat=True))
    specs = [spec for spec in LOGINS if spec.username not in taken]  # an existing account is never touched
    users = []
    encoded = make_password(password)  # one Argon2 hash (~0.3 s of CPU) shared by every named login
    for spec in specs:
        users.append(User(username=spec.username, is_active=True, password_changed_at=now, password=encoded,
                          **_person(rng, registry)))
    users = User.objects.bulk_create(users)
    assignments = []
    for spec, user in zip(specs, users, strict=True):
        level = ROLE_SPECS[spec.role].region_level
        if level != spec.region_level:
            raise AssertionError(f"{spec.username}: role {spec.role} names a {level}, not a {spec.region_level}")
        assignments.append(RoleAssignment(
            user=user, role=spec.role,
            region_id=firsts[spec.region_level] if spec.region_level else None,
            department_id=departments[spec.department] if spec.department else None,
        ))
    RoleAssignment.objects.bulk_create(assignments)
    return users


def create_workers(*, regions: list[tuple[str, int]], role: str, prefix: str, skip_id: int, rng, registry) -> int:
    """One worker per region (code, id) except `skip_id`, whose worker is a named login."""
    users, region_ids = [], []
    for code, region_id in regions:
        if region_id == skip_id:
            continue
        users.append(User(username=prefix + code, password=make_password(None), is_active=True,
                          **_person(rng, registry)))
        region_ids.append(region_id)
    users = User.objects.bulk_create(users, batch_size=BATCH)
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user_id=u.pk, role=role, region_id=r) for u, r in zip(users, region_ids, strict=True)],
        batch_size=BATCH,
    )
    return len(users)


def login_rows() -> list[tuple[str, str, str, str]]:
    """(username, name, role label, scope) of every named demo login in the database: one per role, then
    those the later stages made (civicgrid/demo/stages.py)."""
    from civicgrid.demo.stages import STAGES

    named = [(s.username, s.role) for s in LOGINS]
    named += [(username, None) for stage in STAGES for username in stage.logins]
    users = {u.username: u for u in User.objects.filter(username__in=[u for u, _ in named])}
    rows, seen = [], set()
    for username, role in named:
        user = users.get(username)
        if user is None or username in seen:
            continue
        seen.add(username)
        assignments = RoleAssignment.objects.filter(user=user, is_active=True).select_related("region", "department")
        assignment = (assignments.filter(role=role) if role else assignments.order_by("id")).first()
        if assignment is None:
            continue
        if assignment.region_id:
            scope = f"{assignment.region.name}({assignment.region.code})"
        elif assignment.department_id:
            scope = assignment.department.name
        else:
            scope = "本人"
        rows.append((username, user.display_name, Role(assignment.role).label, scope))
    return rows
