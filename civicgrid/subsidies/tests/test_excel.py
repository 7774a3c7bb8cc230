"""Payment batches from Excel: all rows or none with a row report; the export is masked and formula-safe."""

from io import BytesIO

import pytest
from openpyxl import Workbook

from civicgrid.core import xlsx
from civicgrid.reports.tests.helpers import export_through_page
from civicgrid.subsidies import excel
from civicgrid.subsidies.models import Beneficiary, Disbursement, PaymentBatch
from civicgrid.subsidies.tests.conftest import bad_checksum, person_id
from civicgrid.testing import xlsx_cells, xlsx_texts

URL = "/api/v1/subsidies/batches"
HEADER = ["姓名", "身份证号", "金额", "币种", "发放日期", "凭证号", "发放依据"]


def sheet(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    xlsx.write_row(ws, header)
    for row in rows:
        xlsx.write_row(ws, row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, programme="unemployment_insurance", name="2026年3月.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(URL, {"programme": programme, "file": SimpleUploadedFile(name, content)})


GOOD = [["王小明", person_id(11), 1576, "人民币", "2026-03-16", "PZ1", "2026年3月失业保险金"],
        ["李小红", person_id(12), "1576.50", "CNY", "2026-03-16", "PZ2", ""],
        ["王小明", person_id(11), 800, "人民币", "2026-04-16", "PZ3", "=HYPERLINK(\"x\")"]]


@pytest.fixture
def rsj(client, sworld):
    client.force_login(sworld.rsj_officer)
    return client


def test_a_good_batch_is_imported_whole_with_distinct_recipients(rsj):
    response = upload(rsj, sheet(GOOD))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["rows"], body["recipients"], body["total"]) == (3, 2, "3952.50")
    assert Disbursement.objects.filter(batch_id=body["id"]).count() == 3 and Beneficiary.objects.count() == 2
    totals = rsj.get("/api/v1/subsidies/totals?since=2026-01-01&until=2026-06-30").json()["items"]
    assert [(t["code"], t["payments"], t["recipients"], t["yuan"]) for t in totals] == [
        ("unemployment_insurance", 3, 2, "3952.50")]
    again = upload(rsj, sheet(GOOD), name="再次保存.xlsx")  # the same payments in a file saved again
    assert (again.status_code, again.json()["code"]) == (409, "batch_duplicate")
    reused = upload(rsj, sheet([["张三", person_id(20), 100, "人民币", "2026-04-16", "PZ2", ""]]))
    assert reused.json()["details"] == [{"row": 2, "column": "凭证号", "code": "reference_taken",
                                         "message": "凭证号 PZ2 已在本项目的发放记录中"}]
    assert Disbursement.objects.count() == 3


def test_one_wrong_row_imports_nothing_and_reports_every_wrong_row(rsj):
    rows = [*GOOD,
            ["赵六", bad_checksum(person_id(13)), 100, "人民币", "2026-03-16", "PZ4", ""],
            ["钱七", person_id(14), 100, "", "2026-03-16", "PZ5", ""],
            ["孙八", person_id(15), "abc", "人民币", "2026-03-16", "PZ6", ""],
            ["周九", person_id(16), 100, "人民币", "2026-03-16", "PZ1", ""],
            ["李四", person_id(12), 100, "人民币", "2026-03-16", "", ""]]
    response = upload(rsj, sheet(rows))
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "import_rows_invalid"
    assert [(e["row"], e["column"], e["code"]) for e in body["details"]] == [
        (5, "身份证号", "id_number_checksum"), (6, "币种", "currency_required"), (7, "金额", "amount_invalid"),
        (8, "凭证号", "reference_duplicate_in_file"), (9, "姓名", "name_mismatch_in_file")]
    assert not Disbursement.objects.exists() and not Beneficiary.objects.exists() and not PaymentBatch.objects.exists()


def test_bad_files_and_unknown_programme(rsj):
    assert upload(rsj, b"not a workbook").json()["code"] == "import_file_invalid"
    assert upload(rsj, sheet(GOOD, header=["姓名", "金额"])).json()["code"] == "import_header_missing"
    response = upload(rsj, sheet(GOOD), programme="nope")
    assert (response.status_code, response.json()["code"]) == (422, "programme_unknown")


def test_export_is_masked_and_formula_safe(rsj):
    upload(rsj, sheet(GOOD))
    response = rsj.get("/api/v1/subsidies/export")
    assert response.status_code == 200
    cells = xlsx_cells(response.content)
    texts = {c.value for c in cells if isinstance(c.value, str)}
    assert person_id(11) not in texts and "2****************" + person_id(11)[-1] in texts and "王**" in texts
    formula_cell = next(c for c in cells if c.value == "=HYPERLINK(\"x\")")
    assert formula_cell.data_type == "s"


def test_batch_page_shows_the_row_report_and_imports_nothing(rsj):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = [*GOOD, ["赵六", bad_checksum(person_id(13)), 100, "人民币", "2026-03-16", "PZ4", ""]]
    page = rsj.post("/subsidies/batches/", {"programme": "unemployment_insurance",
                                            "file": SimpleUploadedFile("b.xlsx", sheet(bad))})
    text = page.content.decode()
    assert page.status_code == 422 and "id_number_checksum" in text and 'data-table="import-report"' in text
    assert not Disbursement.objects.exists()
    page = rsj.post("/subsidies/batches/", {"programme": "unemployment_insurance",
                                            "file": SimpleUploadedFile("g.xlsx", sheet(GOOD))})
    assert page.status_code == 302 and Disbursement.objects.count() == 3
    html = rsj.get("/subsidies/disbursements/?programme=unemployment_insurance").content.decode()
    assert 'name="kind" value="disbursement_export"' in html and 'name="programme" value="unemployment_insurance"' in html
    run, export = export_through_page(rsj, "disbursement_export", programme="unemployment_insurance", q="PZ1")
    texts = xlsx_texts(b"".join(export.streaming_content))
    assert run.rows == 1 and person_id(11) not in texts and "PZ1" in texts  # the list's filters: one row


def test_a_synchronous_api_export_over_the_cap_is_refused(rsj, monkeypatch):
    upload(rsj, sheet(GOOD))
    monkeypatch.setattr(excel, "SYNC_MAX_ROWS", 2)
    response = rsj.get("/api/v1/subsidies/export")
    assert response.status_code == 422 and response.json()["code"] == "export_too_large"
    assert response.json()["details"] == {"rows": 3, "max_rows": 2}
