"""Import all or nothing with a row-by-row report, export in the import format with user text as text."""

from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from civicgrid.core import errors
from civicgrid.enterprises import actions, excel
from civicgrid.enterprises.models import Enterprise
from civicgrid.enterprises.tests.conftest import make_uscc

pytestmark = pytest.mark.django_db


def sheet(rows: list[dict]) -> BytesIO:
    workbook = Workbook()
    ws = workbook.active
    ws.append(list(excel.HEADERS))
    for row in rows:
        ws.append([row.get(c.key, "") for c in excel.COLUMNS])
    for cells in ws.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text as typed: "=…" stays a name, not a formula
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def row(seq: int, **extra) -> dict:
    return {"uscc": make_uscc(seq), "name": f"导入企业{seq}", "park": "PA", "industry_code": "C2614",
            "registered_on": "2018-03-01", "ownership": "合资", "is_above_size": "是", **extra}


def test_import_is_all_or_nothing_with_a_report(zworld):
    w = zworld
    bad = sheet([row(30), row(31, uscc="91110108551385082R"), row(32, industry_code="C9999"), row(33, park="PB"),
                 row(30, name="重复"), row(34, ownership="国营")])
    with pytest.raises(errors.ValidationFailed) as exc:
        excel.import_enterprises_xlsx(actor=w.officer_a, file=bad)
    assert exc.value.code == "import_rows_invalid"
    report = {(e["row"], e["code"]) for e in exc.value.details}
    assert report == {(3, "uscc_check_character"), (4, "industry_code_unknown"), (5, "park_out_of_scope"),
                      (6, "uscc_duplicate_in_file"), (7, "ownership_invalid")}
    assert Enterprise.objects.count() == 2  # nothing written, not even row 2


def test_import_creates_and_updates(zworld):
    w = zworld
    result = excel.import_enterprises_xlsx(actor=w.officer_a, file=sheet([
        row(40), row(41, name="=HYPERLINK(\"x\")"), {**row(1), "name": "测试企业1(更新)"}]))
    assert (result.created, result.updated) == (2, 1)
    made = Enterprise.objects.get(uscc=make_uscc(40))
    assert made.ownership == "joint_venture" and made.is_above_size and made.park == w.park_a
    w.ent_a.refresh_from_db()
    assert w.ent_a.name == "测试企业1(更新)"
    # dry run writes nothing
    assert excel.import_enterprises_xlsx(actor=w.officer_a, file=sheet([row(42)]), dry_run=True).created == 1
    assert not Enterprise.objects.filter(uscc=make_uscc(42)).exists()


def test_import_of_another_parks_enterprise_is_refused(zworld):
    w = zworld
    with pytest.raises(errors.ValidationFailed) as exc:
        excel.import_enterprises_xlsx(actor=w.officer_a, file=sheet([{**row(2), "park": "PA"}]))
    assert [e["code"] for e in exc.value.details] == ["uscc_taken"]


def test_export_round_trips_and_keeps_formulas_as_text(zworld):
    w = zworld
    actions.update_enterprise(actor=w.officer_a, enterprise_id=w.ent_a.pk,
                              data=actions.EnterpriseInput(uscc=w.ent_a.uscc, name="=1+2", park="PA",
                                                           industry_code="C2614"))
    data = excel.export_enterprises_xlsx(actor=w.officer_a)
    ws = load_workbook(BytesIO(data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == list(excel.HEADERS) and len(rows) == 2  # park A only
    name_cell = ws.cell(row=2, column=2)
    assert name_cell.value == "=1+2" and name_cell.data_type == "s"
    # what was exported imports again unchanged
    assert excel.import_enterprises_xlsx(actor=w.officer_a, file=BytesIO(data), dry_run=True).updated == 1
    with pytest.raises(errors.Forbidden):
        excel.export_enterprises_xlsx(actor=w.contact_a)
