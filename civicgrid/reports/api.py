"""/api/v1/reports: the same background runs as the pages — ask for a report or a list export, poll its
progress, fetch the file when it is done. A run holding personal data is its requester's alone."""

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from django.http import FileResponse
from ninja import Field, Router, Schema, Status
from pydantic import StringConstraints

from civicgrid.api.errors import ErrorOut
from civicgrid.api.params import Id
from civicgrid.core import errors
from civicgrid.reports import actions, queries
from civicgrid.reports.choices import RunStatus
from civicgrid.reports.kinds import FORMATS, KINDS

router = Router(tags=["报表与后台导出 reports"])

ParamKey = Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,30}$")]
ParamValue = Annotated[str, StringConstraints(max_length=100, pattern=r"^[^\x00-\x1f\x7f]*$")]
KIND_HELP = ";".join(f"{k.key}({k.label})" for k in KINDS.values())


class RunIn(Schema):
    kind: str = Field(max_length=40, description=f"报表或导出种类:{KIND_HELP}")
    params: dict[ParamKey, ParamValue] = Field(
        default_factory=dict, max_length=20,
        description="月报类:month(YYYY-MM)、region(区域编码)、format(xlsx/pdf);people_export:region;"
                    "case_export:与案件清单相同的 tab、q、case_type、family、category、state、region、department、"
                    "since、until;enterprise_export:与企业名录相同的 q、park、qualification、size、status、listing")


class RunOut(Schema):
    id: int
    kind: str
    label: str
    status: str = Field(description="queued 排队中、running 生成中、done 已完成、failed 失败")
    progress: int = Field(description="进度百分比")
    message: str
    params: dict[str, Any]
    filename: str
    rows: int | None
    created_at: datetime
    finished_at: datetime | None
    file_url: str | None = Field(description="完成后下载文件的地址")


def _out(run) -> dict:
    spec = KINDS.get(run.kind)
    return {"id": run.pk, "kind": run.kind, "label": spec.label if spec else run.kind, "status": run.status,
            "progress": run.progress, "message": run.message, "params": run.params, "filename": run.filename,
            "rows": run.rows, "created_at": run.created_at, "finished_at": run.finished_at,
            "file_url": f"/api/v1/reports/runs/{run.pk}/file" if run.status == RunStatus.DONE else None}


@router.post("/runs", response={202: RunOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def request_run(request, body: RunIn):
    """申请生成报表或导出(后台任务):返回 202 与任务;轮询 GET /reports/runs/{id} 查看进度,完成后下载 file_url。
    案件清单导出超过上限时返回 422 `export_too_large`。"""
    run = actions.request_report(actor=request.auth, kind=body.kind, params=dict(body.params))
    return Status(202, _out(run))


@router.get("/runs", response={200: list[RunOut], 401: ErrorOut})
def runs(request):
    """本人申请的任务,以及 KPI 范围内区域的报表(不含他人的个人数据导出),最新 50 条。"""
    return [_out(run) for run in queries.runs_visible(request.auth)[:50]]


@router.get("/runs/{run_id}", response={200: RunOut, 401: ErrorOut, 404: ErrorOut})
def run(request, run_id: Id):
    """一个任务的状态与进度。"""
    return _out(queries.run_visible(request.auth, run_id))


@router.get("/runs/{run_id}/file", response={200: None, 401: ErrorOut, 404: ErrorOut})
def run_file(request, run_id: Id):
    """下载已完成任务的文件(未完成或失败:404 `run_not_ready`)。"""
    found = queries.run_visible(request.auth, run_id)
    if found.status != RunStatus.DONE or not found.file:
        raise errors.NotFound("文件尚未生成", code="run_not_ready")
    extension = found.filename.rsplit(".", 1)[-1]
    response = FileResponse(found.file.open("rb"), content_type=FORMATS.get(extension, "application/octet-stream"))
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(found.filename)}"
    return response
