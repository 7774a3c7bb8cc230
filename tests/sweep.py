"""What the masking-oracle and sensitive-tag sweeps share: one person whose complete ID number and phone
are guessed, present in every model that masks them (a resident with a sensitive tag and a key-person
assignment, a volunteer, a case reporter, a user account); one viewer per role; and every GET endpoint —
the API's from its OpenAPI document, the pages from the URL configuration — so that a new endpoint is
swept the day it is added."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

import pytest
from django.http import QueryDict
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.datastructures import MultiValueDict

from civicgrid.accounts.models import Department, DepartmentKind, User
from civicgrid.accounts.roles import ROLE_SPECS, ScopeKind
from civicgrid.api.urls import api
from civicgrid.cases.actions import submit_case, sync_categories
from civicgrid.cases.intake import IntakeInput
from civicgrid.gridops.fieldwork.models import KeyPersonAssignment
from civicgrid.people.models import ResidentTag, Tag
from civicgrid.people.tests.factories import ident, make_household, make_resident
from civicgrid.testing import answer_text, make_user, xlsx_texts
from civicgrid.volunteers import actions as volunteer_actions
from civicgrid.volunteers.choices import SiteLevel

BIRTH = date(1986, 4, 23)
RIGHT = {"id": ident(37, BIRTH), "phone": "13912345678"}
# as close as a guess gets: same area code, birth date and check-digit validity; same operator and length
WRONG = {"id": ident(39, BIRTH), "phone": "13912345679"}
assert WRONG["id"] != RIGHT["id"]

ROLES = sorted(ROLE_SPECS)
# the sensitive tag the person carries, and the roles that may see it (named here, not read from roles.py)
SENSITIVE_NAME, SENSITIVE_CODE = "严重精神障碍患者", "severe_mental_disorder"
SEES_SENSITIVE_TAGS = {"grid_worker", "community_admin", "police_liaison"}
LEVELS = {"micro_grid": "micro_a", "grid": "grid_a", "community": "community_a", "street": "street_a",
          "district": "district"}
# parameters that carry no search value: paging, tokens, and the reason of an audited unmask (`reason`,
# `note`), which shows every record in full whatever it says and is not a way to test a value
NOT_GUESSES = {"page", "limit", "offset", "csrfmiddlewaretoken", "idempotency_key", "next", "language", "lang",
               "reason", "note"}
# pages left out, each with why
UNPROBED_PAGES = {
    "logout": "POST only; a GET would end the session",
    "set_language": "POST only",
    "audit_list": "every read of the audit log is itself logged, so no two answers match; the log holds no "
                  "ID number or phone (people/tests/test_lookup.py checks the look-up's entries)",
}


class Person:
    """The one person whose ID number and phone are guessed, in every model that masks them."""


@pytest.fixture
def person(tree):
    return make_person(tree)


def make_person(tree) -> Person:
    sync_categories()
    p = Person()
    p.account = make_user("zhao", "resident")
    User.objects.filter(pk=p.account.pk).update(phone=RIGHT["phone"])
    household = make_household(tree.micro_a, "HA-0001", address="幸福里1号楼")
    p.resident = make_resident(household, "赵明", RIGHT["id"], RIGHT["phone"])
    p.household = household
    make_resident(household, "赵明", ident(41, BIRTH), "13912340000")  # a namesake with other numbers
    p.tag = Tag.objects.create(code=SENSITIVE_CODE, name=SENSITIVE_NAME, is_sensitive=True, contact_every_days=14)
    elderly = Tag.objects.create(code="elderly_alone", name="独居老人", contact_every_days=7)
    ResidentTag.objects.create(resident=p.resident, tag=p.tag, level="普管")
    ResidentTag.objects.create(resident=p.resident, tag=elderly)
    p.worker = make_user("kp_worker", "grid_worker", tree.grid_a)
    p.assignment = KeyPersonAssignment.objects.create(resident=p.resident, tag=p.tag, responsible_worker=p.worker,
                                                      started_on=date(2025, 6, 1))
    centre_admin = make_user("kp_centre", "centre_admin", tree.district)
    centre = volunteer_actions.create_site(actor=centre_admin, code="C", name="文明实践中心", level=SiteLevel.CENTRE,
                                           region=tree.district)
    p.station = volunteer_actions.create_site(actor=centre_admin, code="S1", name="社区A文明实践站",
                                              level=SiteLevel.STATION, region=tree.community_a, parent=centre,
                                              capabilities=["7001"])
    p.team = volunteer_actions.create_team(actor=centre_admin, code="T1", name="暖心服务队", site=p.station,
                                           capabilities=["7001"], service_region=tree.street_a)
    p.volunteer = volunteer_actions.register_volunteer(
        actor=centre_admin, user=p.account, data=volunteer_actions.VolunteerInput(
            name="赵明", id_number=RIGHT["id"], phone=RIGHT["phone"], region_code=tree.micro_a.code,
            skills=["7001"]))
    volunteer_actions.add_member(actor=centre_admin, team=p.team, volunteer=p.volunteer)
    p.case = submit_case(actor=p.account, data=IntakeInput(
        description="家里停水两天了", channel="resident", category_code="3001", region_code=tree.micro_a.code,
        reporter_name="赵明", reporter_phone=RIGHT["phone"])).case
    p.police = Department.objects.create(code="GA", name="公安分局", kind=DepartmentKind.POLICE, region=tree.district)
    return p


def viewer(tree, person, role: str) -> User:
    spec = ROLE_SPECS[role]
    if spec.scope == ScopeKind.SELF:
        return make_user(f"v_{role}", role)
    if spec.scope == ScopeKind.DEPARTMENT:
        department = {"volunteer": person.team.department, "station_admin": person.station.department}.get(
            role, person.police)
        return make_user(f"v_{role}", role, department=department)
    # a role whose assignment may name any level (the Open311 client: district or street) gets the district
    return make_user(f"v_{role}", role, getattr(tree, LEVELS[spec.region_level or "district"]))


def probes(values_for) -> list[tuple[str, dict, dict, str, str]]:
    """(label, right query, wrong query, right value, wrong value) for each way of sending a guess."""
    return [(f"{name}={kind}", {name: RIGHT[kind]}, {name: WRONG[kind]}, RIGHT[kind], WRONG[kind])
            for name in values_for for kind in ("id", "phone")]


def assert_same(label: str, url: str, right, wrong, right_value: str, wrong_value: str) -> None:
    assert answer_text(right, right_value) == answer_text(wrong, wrong_value), (
        f"{url} answers a right and a wrong guess differently ({label})")


# ---- the API ---------------------------------------------------------------------------------------------


@cache
def api_operations() -> tuple[tuple[str, tuple[dict, ...]], ...]:
    """(path, parameters) of every GET operation in the OpenAPI document. Worked out once per process:
    building the document takes about a second, and the routes do not change while the tests run."""
    schema = api.get_openapi_schema()
    return tuple((path, tuple(item["get"].get("parameters", []))) for path, item in schema["paths"].items()
                 if "get" in item)


def is_text(parameter: dict) -> bool:
    schema = parameter.get("schema", {})
    kinds = [schema.get("type")] + [option.get("type") for option in schema.get("anyOf", [])]
    return "string" in kinds and "enum" not in schema and schema.get("format") not in ("date", "date-time")


def path_values(person) -> dict[str, object]:
    return {"resident_id": person.resident.pk, "household_id": person.household.pk,
            "volunteer_id": person.volunteer.pk, "assignment_id": person.assignment.pk,
            "case_id": person.case.pk, "code": person.resident.region.code}


# ---- the pages ---------------------------------------------------------------------------------------------


def page_routes() -> list[tuple[str, str]]:
    """(route, url name) of every page (the API has its own test)."""
    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.name or ""

    return [(route, name) for route, name in walk(get_resolver().url_patterns) if not route.startswith("api/")]


def page_url(route: str, name: str, person) -> str:
    values = {("pk", "resident_detail"): person.resident.pk, ("pk", "household_detail"): person.household.pk,
              ("pk", "volunteer"): person.volunteer.pk, ("pk", "key_person_detail"): person.assignment.pk,
              ("pk", "detail"): person.case.pk, ("resident_id", ""): person.resident.pk,
              ("tag_id", ""): person.tag.pk, ("case_id", ""): person.case.pk}

    def fill(match):
        converter, key = match.group(1), match.group(2)
        value = values.get((key, name), values.get((key, ""), 1))
        return str(value) if converter in ("int", "") else person.resident.region.code if key == "code" else "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)


GET_FORM = re.compile(r"<form\b(?![^>]*method=\"?post)[^>]*>(.*?)</form>", re.S | re.I)
FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"", re.I)


def form_fields(html: str) -> set[str]:
    """The names a page's GET forms send."""
    return {name for form in GET_FORM.findall(html) for name in FIELD.findall(form)}


class ReadNames:
    """Records which query parameters a view reads (`request.GET.get(...)`, `in`, forms bound to GET)."""

    def __init__(self, monkeypatch):
        self.names: set[str] = set()
        for method in ("__getitem__", "get", "getlist", "__contains__"):
            original = getattr(MultiValueDict, method)

            def spy(data, key, *args, _original=original, **kwargs):
                if isinstance(data, QueryDict) and isinstance(key, str):
                    self.names.add(key)
                return _original(data, key, *args, **kwargs)

            monkeypatch.setattr(MultiValueDict, method, spy)




def shows_sensitive_tag(response) -> bool:
    """Whether an answer names the person's sensitive tag (in HTML, JSON — escaped or not — or an .xlsx)."""
    if "spreadsheetml" in response.get("Content-Type", ""):
        return any(SENSITIVE_CODE in text or SENSITIVE_NAME in text for text in xlsx_texts(response.content))
    body = response.content.decode("utf-8", "replace")
    escaped = SENSITIVE_NAME.encode("unicode_escape").decode()
    return SENSITIVE_NAME in body or SENSITIVE_CODE in body or escaped in body
