"""Everything the system holds about one person (PIPL art. 45: the right to see and copy), gathered
from a declared list of sources: the records they made, the account they hold, the messages sent to
them. Staff working notes about residents (visits, key-person files) are not part of a self-service
copy; a request for them goes through the correction/complaint path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.apps import apps
from django.utils import timezone


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    model: str
    owner: str  # the field naming the person's account
    columns: tuple[tuple[str, str], ...]  # (field, label)
    limit: int = 1000


SOURCES = [
    Source("account", "账号信息", "accounts.User", "pk",
           (("username", "登录名"), ("display_name", "姓名"), ("phone", "手机号"), ("email", "电子邮箱"),
            ("date_joined", "注册时间"), ("last_login", "最近登录"), ("is_active", "账号可用"))),
    Source("cases", "我反映的问题和点单", "cases.Case", "reporter",
           (("number", "编号"), ("case_type", "类型"), ("title", "标题"), ("description", "描述"),
            ("address", "地址"), ("reporter_name", "联系人"), ("reporter_phone", "联系电话"), ("state", "状态"),
            ("created_at", "时间"), ("satisfaction", "满意度"))),
    Source("bookings", "办事预约", "publicservice.Booking", "user",
           (("code", "预约号"), ("item", "事项"), ("name", "姓名"), ("phone", "电话"), ("status", "状态"),
            ("created_at", "时间"))),
    Source("requests", "网上办事申请", "publicservice.ServiceRequest", "applicant",
           (("item", "事项"), ("applicant_name", "申请人"), ("phone", "电话"), ("delivery", "领取方式"),
            ("mail_address", "邮寄地址"), ("delivered_at", "办结送达"))),
    Source("nominations", "我推荐的好人", "recognition.Nomination", "nominator",
           (("title", "标题"), ("nominator_name", "推荐人"), ("relation", "关系"), ("state", "状态"),
            ("created_at", "时间"))),
    Source("notifications", "发给我的消息", "cases.Notification", "user",
           (("kind", "类型"), ("text", "内容"), ("created_at", "时间"), ("read_at", "已读时间")), limit=500),
]


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def gather(user) -> dict:
    """{"subject": ..., "sections": [{key, title, columns, rows, truncated}]}, every value plain JSON."""
    sections = []
    for source in SOURCES:
        model = apps.get_model(source.model)
        qs = model._base_manager.filter(**{source.owner: user.pk}).order_by("pk")
        names = [name for name, _ in source.columns]
        rows = [[_plain(getattr(obj, name)) for name in names] for obj in qs[: source.limit + 1]]
        sections.append({"key": source.key, "title": source.title, "columns": [label for _, label in source.columns],
                         "rows": rows[: source.limit], "truncated": len(rows) > source.limit})
    return {"subject": {"id": user.pk, "username": user.get_username()},
            "generated_at": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "sections": sections}


def as_pdf(data: dict) -> bytes:
    from civicgrid.reports.render_pdf import render
    from civicgrid.reports.sections import Report, Section

    sections = [Section(key=s["key"], title=s["title"], columns=tuple(s["columns"]),
                        rows=[tuple("" if v is None else v for v in row) for row in s["rows"]],
                        note="(仅列出前若干条,完整内容见 JSON 导出)" if s["truncated"] else "")
                for s in data["sections"]]
    return render(Report(title="个人信息副本", subtitle=f"{data['subject']['username']} · {data['generated_at']}",
                         sections=sections))
