"""What every field-work page shares: the section tabs a user may use, today's date, paging, rendering."""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from civicgrid.core import clock
from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.core.web import permission_page

PAGE_SIZE = 20
# (key, label, url name, permission): the tabs over every field-work page
SECTIONS = [
    ("visits", "入户走访", "fieldwork:visit_list", "fieldwork.view_visit"),
    ("key_persons", "重点人员", "fieldwork:key_person_list", "fieldwork.view_key_person"),
    ("screening", "矛盾纠纷排查", "fieldwork:screening_report", "fieldwork.view_screening"),
    ("joint", "警网联动", "fieldwork:joint_home", "fieldwork.view_joint_work"),
    ("activities", "普法宣传", "fieldwork:activity_list", "fieldwork.view_activity"),
]
page = permission_page


def today() -> date:
    return timezone.localdate(clock.now())


def sections(user) -> list[dict]:
    return [{"key": key, "label": label, "url": url} for key, label, url, perm in SECTIONS
            if has_perm_anywhere(user, perm)]


def paged(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def show(request, template: str, section: str, status: int = 200, **context):
    context.update(section=section, sections=sections(request.user))
    return render(request, f"gridops/fieldwork/{template}", context, status=status)


def idempotency_key(request) -> str | None:
    return request.POST.get("idempotency_key") or None
