"""Export a campaign's results to Excel (.xlsx): the answers (one row per household, choice labels
rather than codes), progress by grid, the per-question summary and the conflicts. Only for those who
manage the campaign; the rows are the answers within the exporter's reach; every export is audit-logged."""

from __future__ import annotations

from io import BytesIO

from django.db import transaction
from django.utils import timezone, translation

from civicgrid.core import audit, xlsx
from civicgrid.gridops.campaigns import queries, schema
from civicgrid.gridops.campaigns.actions import require_manage
from civicgrid.gridops.campaigns.choices import RevisionOutcome
from civicgrid.gridops.campaigns.models import Campaign, CampaignRevision

ANSWER_HEAD = ["户编号", "地址", "户室", "微网格", "网格编码"]
ANSWER_TAIL = ["填报人", "填报时间", "版本", "有冲突"]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _bold(sheet) -> None:
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)


@translation.override("zh-hans")
def export_campaign_xlsx(*, actor, campaign: Campaign) -> bytes:
    from openpyxl import Workbook

    require_manage(actor, campaign)
    fields = campaign.fields()
    book = Workbook()
    sheet = book.active
    sheet.title = "答卷"
    xlsx.write_row(sheet, [*ANSWER_HEAD, *[f["label"] for f in fields], *ANSWER_TAIL])
    rows = (queries.answers(campaign, actor).select_related("household", "household__region", "answered_by")
            .order_by("household__region__code", "household__number"))
    count = 0
    for answer in rows.iterator(chunk_size=1000):
        household = answer.household
        values = [schema.display_value(f, answer.answers.get(f["name"])) if f["type"] not in schema.NUMBER_TYPES
                  else answer.answers.get(f["name"]) for f in fields]
        xlsx.write_row(sheet, [household.number, household.address, household.room, household.region.name,
                               household.region.code[:15], *values, str(answer.answered_by or ""),
                               _local(answer.answered_at), answer.version, "是" if answer.has_conflict else ""])
        count += 1
    _bold(sheet)

    progress = queries.progress(campaign, actor)
    sheet = book.create_sheet("进度")
    xlsx.write_row(sheet, ["网格", "网格编码", "已完成户数", "总户数", "完成率(%)", "冲突"])
    for row in progress["rows"]:
        xlsx.write_row(sheet, [row["name"], row["code"], row["done"], row["total"], row["percent"],
                               row["conflicts"]])
    xlsx.write_row(sheet, ["合计", "", progress["done"], progress["total"], progress["percent"],
                           progress["conflicts"]])
    _bold(sheet)

    sheet = book.create_sheet("汇总")
    xlsx.write_row(sheet, ["题目", "题型", "作答户数", "选项/统计", "数值", "占比(%)"])
    for item in queries.summary(campaign, actor):
        head = [item["label"], item["type_label"], item["answered"]]
        if "options" in item:
            for option in item["options"]:
                xlsx.write_row(sheet, [*head, option["label"], option["count"], option["share"]])
        elif "sum" in item:
            for key, label in (("sum", "合计"), ("mean", "平均"), ("min", "最小"), ("max", "最大")):
                xlsx.write_row(sheet, [*head, label, item[key], None])
        else:
            xlsx.write_row(sheet, [*head, "", None, None])
    _bold(sheet)

    sheet = book.create_sheet("冲突")
    xlsx.write_row(sheet, ["户编号", "结果", "本次提交人", "设备时间", "基于版本", "原答卷填报人", "原答卷时间", "题目",
                           "本次提交", "原答卷"])
    conflicts = (CampaignRevision.objects.filter(
        campaign=campaign, answer__in=queries.answers(campaign, actor),
        outcome__in=[RevisionOutcome.CONFLICT_APPLIED, RevisionOutcome.CONFLICT_KEPT])
        .select_related("household", "answered_by", "previous_by").order_by("household__number", "id"))
    for revision in conflicts:
        for row in queries.present_revision(campaign, revision)["rows"]:
            if row["differs"]:
                xlsx.write_row(sheet, [revision.household.number, str(revision.get_outcome_display()),
                                       str(revision.answered_by or ""), _local(revision.answered_at),
                                       revision.base_version, str(revision.previous_by or ""),
                                       _local(revision.previous_at), row["label"], row["mine"], row["theirs"]])
    _bold(sheet)

    with transaction.atomic():
        audit.record(actor=actor, action="campaigns.export_results", obj=campaign, details={"answers": count})
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
