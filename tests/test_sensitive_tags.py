"""One rule for sensitive tags (docs/security.md PI-5), per role: a resident's sensitive tag (here
严重精神障碍患者) is shown only to a viewer holding people.view_sensitive_tags over the resident — on the people
pages, API and export, and on the key-person pages, API and counts, whose permissions reach no further
than that one (`Permission.within`). The roles that hold it are named here, not read from the role table.
(Every other page and API answer is swept for the tag per role in test_masking_oracle.py.)"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from civicgrid.accounts.roles import ROLE_SPECS
from civicgrid.core.scoping import Grant
from civicgrid.gridops.fieldwork.queries import key_persons
from civicgrid.people.tests.factories import bearer
from tests.sweep import SEES_SENSITIVE_TAGS as SEES
from tests.sweep import SENSITIVE_CODE as CODE
from tests.sweep import person, shows_sensitive_tag, viewer  # noqa: F401 (the fixture)


def test_the_roles_that_see_sensitive_tags_are_those_named_here():
    assert {role for role, spec in ROLE_SPECS.items() if "people.view_sensitive_tags" in spec.perms} == SEES
    key_person_roles = {role for role, spec in ROLE_SPECS.items() if "fieldwork.view_key_person" in spec.perms}
    assert key_person_roles <= SEES


@pytest.mark.parametrize("role", sorted(ROLE_SPECS))
def test_sensitive_tags_per_role(tree, person, role):  # noqa: F811
    user = viewer(tree, person, role)
    api = Client(headers=bearer(user))
    page = Client()
    page.force_login(user)
    resident = person.resident.pk
    answers = {
        "people API detail": api.get(f"/api/v1/people/residents/{resident}"),
        "people API list": api.get("/api/v1/people/residents"),
        "people API by tag": api.get("/api/v1/people/residents", {"tag": CODE}),
        "people API household": api.get(f"/api/v1/people/households/{person.household.pk}"),
        "people API export": api.get("/api/v1/people/export"),
        "people page detail": page.get(f"/people/residents/{resident}/"),
        "people page list": page.get("/people/"),
        "people page export": page.get("/people/export/"),
        "key persons API": api.get("/api/v1/gridops/key-persons"),
        "key persons API detail": api.get(f"/api/v1/gridops/key-persons/{person.assignment.pk}"),
        "key persons page": page.get("/gridops/key-persons/"),
        "key person page": page.get(f"/gridops/key-persons/{person.assignment.pk}/"),
    }

    shown = {where for where, answer in answers.items() if answer.status_code == 200 and shows_sensitive_tag(answer)}
    if role in SEES:
        assert {"people API detail", "people page detail", "key persons API", "key persons page"} <= shown
    else:
        assert shown == set()
        for where in ("key persons API", "key persons page"):
            assert answers[where].status_code == 403, where
    counts = key_persons.key_person_counts(user, today=date.today())
    assert counts["total"] == (1 if role in SEES else 0)


def test_a_key_person_grant_never_reaches_past_the_sensitive_tag_grant():
    key_person = Grant(region_codes=("211004001", "211004002001"), department_ids=(3, 4))
    sensitive = Grant(region_codes=("211004001001", "211004002"), department_ids=(4,))

    assert key_person.within(sensitive) == Grant(region_codes=("211004001001", "211004002001"), department_ids=(4,))
    assert key_person.within(Grant(unrestricted=True)) == key_person
    assert not key_person.within(Grant())
