"""People pages: the create form with Chinese messages, search and pagination."""

from __future__ import annotations

import pytest
from django.test import Client

from civicgrid.people.models import Resident
from civicgrid.people.tests.factories import ident, wrong_check_digit
from civicgrid.testing import make_user


@pytest.fixture
def client(world):
    client = Client()
    client.force_login(make_user("gw_a", "grid_worker", world.tree.grid_a))
    return client


def _form(world, **overrides):
    data = {"household": world.household_a.pk, "name": "王芳", "id_number": ident(4), "phone": "",
            "relation": "spouse", "residence_type": "registered", "ethnicity": "汉族", "idempotency_key": "form-1"}
    return {**data, **overrides}


def test_a_wrong_check_digit_is_shown_in_chinese_next_to_the_field(world, client):
    response = client.post("/people/residents/new/", _form(world, id_number=wrong_check_digit(ident(4))))

    assert response.status_code == 422
    assert "身份证号校验位错误" in response.content.decode()
    assert Resident.objects.count() == 2


def test_a_bad_phone_and_a_missing_name_are_shown_in_chinese(world, client):
    response = client.post("/people/residents/new/", _form(world, name="", phone="555"))

    html = response.content.decode()
    assert "请填写姓名" in html and "电话号码格式不正确" in html


def test_a_registered_id_number_is_shown_on_the_field(world, client):
    response = client.post("/people/residents/new/", _form(world, id_number=world.resident_b.id_number))

    assert "该身份证号已登记" in response.content.decode()


def test_a_valid_form_creates_the_resident_once_and_redirects(world, client):
    first = client.post("/people/residents/new/", _form(world))
    second = client.post("/people/residents/new/", _form(world))  # a double tap resends the same key

    resident = Resident.objects.get(name="王芳")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"/people/residents/{resident.pk}/"


def test_the_form_offers_only_households_the_worker_may_change(world, client):
    html = client.get("/people/residents/new/").content.decode()

    assert "HA-0001" in html and "HB-0001" not in html


def test_choosing_a_household_of_another_grid_is_refused(world, client):
    response = client.post("/people/residents/new/", _form(world, household=world.household_b.pk))

    assert response.status_code == 422
    assert Resident.objects.count() == 2


def test_the_resident_list_paginates(world, client):
    Resident.objects.bulk_create([Resident(region=world.tree.micro_a, household=world.household_a, name=f"成员{n:02d}",
                                           gender="M") for n in range(25)])

    first = client.get("/people/").content.decode()
    second = client.get("/people/?page=2").content.decode()

    assert "第 1 / 2 页,共 26 条" in first
    assert "成员24" in second and "成员00" not in second


def test_the_search_by_name(world, client):
    html = client.get("/people/?q=张").content.decode()

    assert "张三" in html


def test_import_and_export_links_follow_the_permissions(world, client):
    html = client.get("/people/").content.decode()
    assert "/people/import/" not in html and 'data-export="people"' not in html  # the background export
    assert client.get("/people/import/").status_code == 403
    assert client.get("/people/export/").status_code == 403
