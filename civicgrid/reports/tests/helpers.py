"""A list export as a user runs it from its page: post the list's parameters, let the task worker build
it, follow the progress page to the download."""

from __future__ import annotations

from civicgrid.reports import actions
from civicgrid.reports.models import ReportRun


def export_through_page(client, kind: str, **fields):
    """(the run, the download response) of one background export asked for with the list's `fields`."""
    response = client.post("/reports/request/", {"kind": kind, **fields})
    assert response.status_code == 302, response.content[:500]
    run = ReportRun.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert (run.kind, run.status, run.is_personal) == (kind, "queued", True)
    run = actions.run_report(run_id=run.pk)  # what the task worker does
    fragment = client.get(f"/reports/{run.pk}/progress/").content.decode()
    assert run.status == "done" and f"/reports/{run.pk}/download/" in fragment, run.message
    download = client.get(f"/reports/{run.pk}/download/")
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    return run, download
