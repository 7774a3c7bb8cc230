"""Reports: the monthly report's figures are the dashboard's, the PDF embeds its CJK font, the progress
record moves, the schedule fills the archive once per month, and who sees which run."""

import subprocess
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from civicgrid.core import errors
from civicgrid.dashboard import periods
from civicgrid.dashboard.tests.conftest import cases, world  # noqa: F401 (the fixtures)
from civicgrid.reports import actions, queries
from civicgrid.reports.choices import RunStatus
from civicgrid.reports.models import ReportRun
from civicgrid.reports.sections import LIVE_ONLY, from_panel
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def month() -> str:
    return f"{timezone.localdate():%Y-%m}"


def build(user, kind="monthly", fmt="xlsx", region=None, **extra):
    run = actions.request_report(actor=user, kind=kind, params={"month": month(), "format": fmt,
                                                                "region": region, **extra})
    assert run.status == RunStatus.QUEUED and run.progress == 0
    return actions.run_report(run_id=run.pk)


def dashboard_sections(client, user, code):
    client.force_login(user)
    response = client.get(f"/dashboard/region/{code}/?month={month()}")
    return [from_panel(p["panel"].key, p["panel"].title, p["data"]) for p in response.context["panels"]
            if p["panel"].key not in LIVE_ONLY]


def test_the_monthly_workbook_holds_the_dashboards_figures(client, cases):  # noqa: F811
    w = cases
    run = build(w.leader, region=w.tree.district.code)
    assert (run.status, run.progress, run.filename) == (RunStatus.DONE, 100, f"宏伟区-{month().replace('-', '')}-月报.xlsx")
    expected = dashboard_sections(client, w.leader, w.tree.district.code)
    workbook = load_workbook(BytesIO(run.file.read()))
    sheets = workbook.worksheets[1:]
    assert [s["A1"].value for s in sheets] == [s.title for s in expected]
    for sheet, section in zip(sheets, expected, strict=True):
        rows = [tuple("" if v is None else v for v in row) for row in sheet.iter_rows(min_row=4, values_only=True)]
        assert rows == [tuple("" if v is None else v for v in row) for row in section.rows], section.key
        assert tuple(c.value for c in sheet[3]) == section.columns
    assert {"case_kpis", "case_trend", "department_ranking", "volunteer_orders"} <= {s.key for s in expected}
    assert len(workbook["近 12 个月趋势"]._charts) == 1
    created = next(r for r in expected[0].rows if r[0] == "本月报件")
    assert created[1] == 6


def test_the_monthly_pdf_embeds_its_font_and_prints_the_figures(cases, tmp_path):  # noqa: F811
    w = cases
    run = build(w.leader, fmt="pdf", region=w.tree.district.code)
    path = tmp_path / "report.pdf"
    path.write_bytes(run.file.read())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = fonts.splitlines()[2:]
    assert lines and all(" yes yes " in line and "WenQuanYi" in line for line in lines), fonts
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "宏伟区" in text and "本月考核指标" in text and "部门排名" in text


def test_department_and_patrol_reports(cases):  # noqa: F811
    w = cases
    run = build(w.leader, kind="department_ranking", region=w.tree.district.code)
    sheet = load_workbook(BytesIO(run.file.read())).worksheets[1]
    assert sheet["B4"].value == "城市管理综合行政执法局" and sheet["C4"].value == 5
    run = build(w.leader, kind="patrol_compliance", fmt="pdf", region=w.tree.district.code)
    assert run.status == RunStatus.DONE and run.file.read()[:5] == b"%PDF-"


def test_reach_and_visibility(client, cases):  # noqa: F811
    w = cases
    with pytest.raises(errors.NotFound):
        actions.request_report(actor=w.street_a, kind="monthly", params={"month": month(), "region": w.tree.district.code})
    with pytest.raises(errors.Forbidden):
        actions.request_report(actor=w.grid_a, kind="monthly", params={"month": month(), "region": w.tree.grid_a.code})
    with pytest.raises(errors.ValidationFailed):
        actions.request_report(actor=w.leader, kind="monthly", params={"month": "2099-01", "region": w.tree.district.code})
    street_run = build(w.street_a, region=w.tree.street_a.code)
    other = make_user("st_b", "street_admin", w.tree.street_b)
    assert list(queries.runs_visible(w.leader)) == [street_run]
    assert list(queries.runs_visible(other)) == []
    client.force_login(other)
    assert client.get(f"/reports/{street_run.pk}/download/").status_code == 404
    client.force_login(w.street_a)
    response = client.get(f"/reports/{street_run.pk}/download/")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert ReportRun.objects.count() == 1  # the refused requests left nothing behind


def test_request_page_queues_and_progress_polls_until_done(client, cases):  # noqa: F811
    w = cases
    client.force_login(w.leader)
    response = client.post("/reports/request/", {"kind": "monthly", "month": month(), "region": w.tree.district.code,
                                                  "format": "xlsx"})
    run = ReportRun.objects.get()
    assert response["Location"] == f"/reports/{run.pk}/"
    fragment = client.get(f"/reports/{run.pk}/progress/").content.decode()
    assert 'hx-trigger="every 1s"' in fragment and 'data-status="queued"' in fragment
    actions.run_report(run_id=run.pk)
    fragment = client.get(f"/reports/{run.pk}/progress/").content.decode()
    assert "hx-trigger" not in fragment and f"/reports/{run.pk}/download/" in fragment
    archive = client.get("/reports/").content.decode()
    assert f'data-run="{run.pk}"' in archive


def test_a_people_export_runs_in_the_background_for_its_requester_only(client, cases):  # noqa: F811
    w = cases
    client.force_login(w.street_a)
    response = client.post("/reports/request/", {"kind": "people_export", "region": w.tree.street_a.code})
    run = ReportRun.objects.get()
    assert response.status_code == 302 and run.is_personal
    run = actions.run_report(run_id=run.pk)
    assert run.status == RunStatus.DONE and run.filename.endswith(".xlsx")
    assert list(queries.runs_visible(w.leader)) == []  # personal data: not in anyone else's archive


def test_the_schedule_archives_last_months_district_reports_once(cases):  # noqa: F811
    w = cases
    first = actions.schedule_monthly_reports()
    again = actions.schedule_monthly_reports()
    assert [r.pk for r in first] == [r.pk for r in again] and len(first) == 4
    last_month = f"{periods.shift(periods.first_of(timezone.localdate()), -1):%Y-%m}"
    assert {r.params["month"] for r in first} == {last_month}
    done = actions.run_report(run_id=first[1].pk)
    assert done.status == RunStatus.DONE and done.requested_by is None and done.filename.endswith(".pdf")
    assert done in queries.runs_visible(w.leader)
