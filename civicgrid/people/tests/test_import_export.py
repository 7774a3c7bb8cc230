"""Excel import (all or nothing, with a row-by-row report), export and the management commands."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from civicgrid.accounts.roles import ROLE_SPECS
from civicgrid.core import errors
from civicgrid.core.models import AuditEvent
from civicgrid.people.excel import export_people_xlsx, import_people_xlsx, template_xlsx
from civicgrid.people.excel.columns import HEADERS
from civicgrid.people.models import Household, Resident, ResidentTag
from civicgrid.people.tests.conftest import ID_A, ID_B, PHONE_A
from civicgrid.people.tests.factories import bearer, ident, wrong_check_digit, xlsx
from civicgrid.testing import make_user


@pytest.fixture
def admin(world):
    """Community admin of side A: may import, export and unmask there."""
    return make_user("ca_a", "community_admin", world.tree.community_a)


def row(number, name, id_number, *, region=None, building="", phone="", relation="户主", kind="", tags="", world=None):
    region = region or world.tree.micro_a.code
    return [number, region, building, "1单元101", "幸福里1号楼", name, id_number, phone, relation, kind, "", tags]


def _counts():
    return Household.objects.count(), Resident.objects.count(), ResidentTag.objects.count()


def test_a_valid_file_is_imported_in_one_go(world, admin):
    file = xlsx([
        row("HA-0100", "赵一", ident(11), building=world.building_a.code, phone="13700001111", tags="elderly_alone",
            world=world),
        row("HA-0100", "钱二", ident(12), relation="配偶", world=world),
        row("HA-0101", "孙三", ident(13), kind="流动人口", world=world),
    ])

    result = import_people_xlsx(actor=admin, file=file)

    assert (result.rows, result.households_created, result.residents_created, result.tags_assigned) == (3, 2, 3, 1)
    assert _counts() == (4, 5, 1)
    zhao = Resident.objects.get(name="赵一")
    assert (zhao.household.number, zhao.region, zhao.relation, zhao.phone) == ("HA-0100", world.tree.micro_a, "head",
                                                                              "13700001111")
    assert zhao.household.building == world.building_a
    assert Resident.objects.get(name="钱二").relation == "spouse"
    assert Household.objects.get(number="HA-0101").residence_type == "floating"
    event = AuditEvent.objects.get(action="people.import_people")
    assert (event.result, event.fields) == ("ok", "id_number,phone")
    assert event.details["residents_created"] == 3


def test_a_file_with_bad_rows_imports_nothing_and_reports_every_row(world, admin, monkeypatch):
    spec = ROLE_SPECS["community_admin"]  # an importer who may not see sensitive tags
    monkeypatch.setitem(ROLE_SPECS, "community_admin", replace(spec, perms=spec.perms - {"people.view_sensitive_tags"}))
    file = xlsx([
        row("HA-0100", "赵一", ident(11), world=world),  # fine on its own
        row("HA-0100", "钱二", wrong_check_digit(ident(12)), world=world),
        row("HA-0101", "", ident(13), phone="12345", world=world),
        row("HA-0102", "周四", ident(11), world=world),  # same ID number as row 2
        row("HA-0103", "吴五", ID_A, world=world),  # already registered
        row("HB-0100", "郑六", ident(15), region=world.tree.micro_b.code, world=world),  # outside the scope
        row("HX-0100", "王七", ident(17), region="211004999999999999", world=world),
        row("HA-0104", "冯八", ident(19), tags="no_such_tag", world=world),
        row("HA-0105", "陈九", ident(21), tags="community_correction", world=world),  # sensitive
        row("HA-0106", "褚十", ident(23), building=world.building_b.code, relation="邻居", world=world),
    ])

    with pytest.raises(errors.ValidationFailed) as caught:
        import_people_xlsx(actor=admin, file=file)

    assert caught.value.code == "import_rows_invalid"
    assert [(e["row"], e["column"], e["code"]) for e in caught.value.details] == [
        (3, "身份证号", "id_number_checksum"),
        (4, "姓名", "required"),
        (4, "电话", "phone_format"),
        (5, "身份证号", "id_number_duplicate_in_file"),
        (6, "身份证号", "id_number_exists"),
        (7, "微网格编码", "region_out_of_scope"),
        (8, "微网格编码", "region_unknown"),
        (9, "标签", "tag_unknown"),
        (10, "标签", "tag_unknown"),
        (11, "楼栋编码", "building_region_mismatch"),
        (11, "与户主关系", "relation_unknown"),
    ]
    assert caught.value.details[3]["message"] == "身份证号与第2行重复"
    assert caught.value.details[0]["message"] == "身份证号校验位错误,请核对后重新输入"
    assert _counts() == (2, 2, 0)
    assert list(AuditEvent.objects.filter(action="people.import_people").order_by("id").values_list(
        "result", "reason")) == [("denied", "id_number_exists"), ("failed", "import_rows_invalid")]


def test_sensitive_tags_are_imported_only_with_the_permission(world, admin):
    from civicgrid.accounts.models import RoleAssignment

    file = xlsx([row("HA-0105", "陈九", ident(21), tags="community_correction", world=world)])
    RoleAssignment.objects.create(user=admin, role="police_liaison", region=world.tree.community_a)
    admin.forget_grants()

    import_people_xlsx(actor=admin, file=file)

    assert ResidentTag.objects.get().tag == world.correction


def test_members_can_be_added_to_an_existing_household(world, admin):
    import_people_xlsx(actor=admin, file=xlsx([row("HA-0001", "张小", ident(31), relation="子女", world=world)]))

    assert list(world.household_a.members.order_by("id").values_list("name", flat=True)) == ["张三", "张小"]
    assert Household.objects.count() == 2


def test_a_household_number_used_in_another_scope_is_reported(world, admin):
    with pytest.raises(errors.ValidationFailed) as caught:
        import_people_xlsx(actor=admin, file=xlsx([row("HB-0001", "混入", ident(31), world=world)]))

    assert [(e["row"], e["code"]) for e in caught.value.details] == [(2, "household_exists")]


def test_a_dry_run_validates_and_writes_nothing(world, admin):
    result = import_people_xlsx(actor=admin, file=xlsx([row("HA-0100", "赵一", ident(11), world=world)]), dry_run=True)

    assert (result.dry_run, result.residents_created) == (True, 1)
    assert _counts() == (2, 2, 0)


def test_a_file_without_the_required_headers_is_refused(world, admin):
    with pytest.raises(errors.ValidationFailed) as caught:
        import_people_xlsx(actor=admin, file=xlsx([["x"]], headers=["户编号", "姓名"]))

    assert caught.value.code == "import_header_missing"
    assert [d["column"] for d in caught.value.details] == ["微网格编码", "身份证号"]


def test_a_file_that_is_not_xlsx_is_refused(world, admin):
    with pytest.raises(errors.ValidationFailed) as caught:
        import_people_xlsx(actor=admin, file=BytesIO(b"name,id\n"))

    assert caught.value.code == "import_file_invalid"


def test_import_needs_the_import_permission(world):
    worker = make_user("gw_a", "grid_worker", world.tree.grid_a)

    with pytest.raises(errors.Forbidden):
        import_people_xlsx(actor=worker, file=xlsx([row("HA-0100", "赵一", ident(11), world=world)]))

    assert _counts() == (2, 2, 0)


def test_the_api_answers_422_with_the_row_report(world, admin):
    file = xlsx([row("HA-0100", "赵一", wrong_check_digit(ident(11)), world=world)])

    response = Client(headers=bearer(admin)).post("/api/v1/people/import", {"file": file})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_rows_invalid"
    assert body["details"] == [{"row": 2, "column": "身份证号", "code": "id_number_checksum",
                                "message": "身份证号校验位错误,请核对后重新输入"}]
    assert Resident.objects.count() == 2


def test_the_import_page_shows_the_report_and_imports_nothing(world, admin):
    client = Client()
    client.force_login(admin)
    file = xlsx([row("HA-0100", "赵一", ident(11), world=world), row("HA-0101", "钱二", "123", world=world)])

    response = client.post("/people/import/", {"file": file})

    html = response.content.decode()
    assert response.status_code == 422
    assert "第 3 行" in html and "身份证号须为18位" in html and "未导入任何数据" in html
    assert Resident.objects.count() == 2


def test_the_import_page_imports_a_good_file(world, admin):
    client = Client()
    client.force_login(admin)

    response = client.post("/people/import/", {"file": xlsx([row("HA-0100", "赵一", ident(11), world=world)])})

    assert response.status_code == 200
    assert "导入成功" in response.content.decode()
    assert Resident.objects.filter(name="赵一").count() == 1


def _sheet(content: bytes) -> list[tuple]:
    return list(load_workbook(BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def test_export_is_scoped_unmasked_for_an_unmasking_admin_and_audited(world, admin):
    rows = _sheet(export_people_xlsx(actor=admin))

    assert rows[0] == HEADERS
    assert [(r[0], r[5], r[6], r[7]) for r in rows[1:]] == [("HA-0001", "张三", ID_A, PHONE_A)]
    event = AuditEvent.objects.get(action="people.export_people")
    assert (event.fields, event.details["unmasked"], event.details["residents"]) == ("id_number,phone", 1, 1)


def test_export_is_masked_without_the_unmask_permission(world, admin, monkeypatch):
    spec = ROLE_SPECS["community_admin"]
    monkeypatch.setitem(ROLE_SPECS, "community_admin", replace(spec, perms=spec.perms - {"people.unmask_personal"}))

    rows = _sheet(export_people_xlsx(actor=admin))

    assert [(r[6], r[7]) for r in rows[1:]] == [(ID_A[0] + "*" * 16 + ID_A[-1], "*******1234")]
    assert AuditEvent.objects.get(action="people.export_people").fields == ""


def test_export_of_a_region_outside_the_scope_is_not_found(world, admin):
    with pytest.raises(errors.NotFound):
        export_people_xlsx(actor=admin, region=world.tree.micro_b.code)


def test_the_template_has_the_headers_and_a_valid_example(world):
    rows = _sheet(template_xlsx())

    assert rows[0] == HEADERS
    assert len(rows) == 2


def test_the_import_command_prints_the_report_and_fails(world, admin, tmp_path, capsys):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx([row("HA-0100", "赵一", wrong_check_digit(ident(11)), world=world)]).getvalue())

    with pytest.raises(CommandError) as caught:
        call_command("import_people", str(path), "--actor", "ca_a")

    assert caught.value.returncode == 1
    assert "第2行\t身份证号\tid_number_checksum" in capsys.readouterr().err
    assert Resident.objects.count() == 2


def test_the_import_and_export_commands_round_trip(world, admin, tmp_path):
    path = tmp_path / "good.xlsx"
    path.write_bytes(xlsx([row("HA-0100", "赵一", ident(11), world=world)]).getvalue())
    out = tmp_path / "out.xlsx"

    call_command("import_people", str(path), "--actor", "ca_a")
    call_command("export_people", "--actor", "ca_a", "--region", world.tree.micro_a.code, "-o", str(out))

    assert [r[5] for r in _sheet(out.read_bytes())[1:]] == ["张三", "赵一"]
    assert AuditEvent.objects.get(action="people.import_people").channel == "command"


def test_an_import_that_finds_registered_numbers_spends_the_look_up_budget(world, admin, settings):
    """Each row reported `id_number_exists` confirms a guess: the import is audit-logged and spends the
    look-up budget per row; past the budget it is refused, and once the budget is used up every import is
    refused alike, so neither a report nor a refusal tells a right guess from a wrong one."""
    from django.core.cache import cache

    cache.clear()
    settings.LOOKUP_MAX_PER_HOUR = 2
    guesses = xlsx([row("HA-0200", "吴五", ID_A, world=world)])
    with pytest.raises(errors.ValidationFailed) as caught:
        import_people_xlsx(actor=admin, file=guesses, dry_run=True)
    assert [e["code"] for e in caught.value.details] == ["id_number_exists"]
    told = AuditEvent.objects.get(action="people.import_people", result="denied")
    assert (told.reason, told.details) == ("id_number_exists", {"numbers": 1})
    two = xlsx([row("HA-0201", "吴五", ID_A, world=world), row("HA-0202", "钱二", ID_B, world=world)])
    with pytest.raises(errors.RateLimited) as refused:  # 1 + 2 > 2: refused, neither row told
        import_people_xlsx(actor=admin, file=two, dry_run=True)
    with pytest.raises(errors.RateLimited) as innocent:  # used up: refused before anything is looked at
        import_people_xlsx(actor=admin, file=xlsx([row("HA-0203", "赵一", ident(11), world=world)]), dry_run=True)
    assert refused.value.code == innocent.value.code == "lookup_rate_limited"
    assert _counts() == (2, 2, 0)
