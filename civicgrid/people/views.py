"""People pages (mobile first: grid workers use a phone). Adapters only: parse, call one query or
action, render. Out-of-scope objects are 404; the full ID number and phone are shown only through the
audited reveal (an htmx post with a reason)."""

from __future__ import annotations

from urllib.parse import quote

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.core import errors
from civicgrid.core.scoping import can, get_visible, has_perm_anywhere
from civicgrid.core.web import XLSX, permission_page
from civicgrid.people import actions, queries
from civicgrid.people.excel import export_people_xlsx, import_people_xlsx, template_xlsx
from civicgrid.people.excel.exporter import SYNC_MAX_ROWS
from civicgrid.people.forms import HouseholdSearchForm, ImportForm, ResidentForm, RevealForm, SearchForm
from civicgrid.people.models import Household, Resident

PAGE_SIZE = 20


def people_page(perm: str | None = "people.view_resident"):
    return permission_page(perm)


def _context(request, **extra) -> dict:
    user = request.user
    return {
        "can_import": has_perm_anywhere(user, "people.import_people"),
        "can_export": has_perm_anywhere(user, "people.export_people"),
        "can_create": has_perm_anywhere(user, "people.change_resident"),
        **extra,
    }


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@people_page()
def resident_list(request):
    """Search by name, region and tag; the exact look-up by a complete ID number or phone goes through the
    audited, rate-limited action, and its refusals (403, 422, 429) are the same page whatever was typed."""
    form = SearchForm(request.GET or None, tags=queries.tags_for(request.user),
                      lookup=has_perm_anywhere(request.user, actions.LOOKUP))
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.residents_visible(request.user, **{k: filters[k] for k in ("q", "region", "tag") if filters.get(k)})
    # from the query itself, not the form: a viewer whose form has no look-up fields and sends them anyway
    # gets the action's 403
    wanted = {name: request.GET.get(name, "").strip()[:64] for name in ("id_number", "phone")}
    refused, status = None, 200
    if any(wanted.values()):
        try:
            qs = qs.filter(pk__in=actions.look_up_residents(actor=request.user, reason=form.reason_text(), **wanted))
        except (errors.Forbidden, errors.ValidationFailed, errors.RateLimited) as exc:
            qs, refused, status = qs.none(), exc, exc.status
    page = _page(request, queries.with_tags(qs))
    items = [queries.present_resident(r, request.user) for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "people/resident_list.html", _context(
        request, form=form, page=page, items=items, query=query.urlencode(), refused=refused, section="residents"),
        status=status)


@people_page("people.view_household")
def household_list(request):
    form = HouseholdSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = queries.households_visible(request.user, **{k: v for k, v in filters.items() if v})
    page = _page(request, qs)
    items = [queries.present_household(h, request.user) for h in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "people/household_list.html", _context(
        request, form=form, page=page, items=items, query=query.urlencode(), section="households"))


@people_page("people.view_household")
def household_detail(request, pk: int):
    household = get_visible(Household.objects.select_related("region", "building"), request.user, pk=pk)
    data = queries.present_household(household, request.user, members=True)
    return render(request, "people/household_detail.html", _context(
        request, household=data, section="households",
        can_add_member=household.is_active and can(request.user, "people.change_resident",
                                                    Resident(region=household.region))))


def _resident(request, pk: int) -> Resident:
    return get_visible(queries.with_tags(Resident.objects.select_related("region", "household")), request.user, pk=pk)


@people_page()
def resident_detail(request, pk: int):
    resident = _resident(request, pk)
    return render(request, "people/resident_detail.html", _context(
        request, resident=queries.present_resident(resident, request.user), reveal_form=RevealForm(),
        section="residents"))


@require_POST
@people_page()
def resident_reveal(request, pk: int):
    """Swap the masked ID number and phone for the full values (audited); answers the _personal fragment."""
    resident = _resident(request, pk)
    form = RevealForm(request.POST)
    revealed, status = None, 200
    if form.is_valid():
        revealed = actions.reveal_personal(actor=request.user, resident=resident, reason=form.reason_text())
    else:
        status = 422
    context = {"resident": queries.present_resident(resident, request.user, revealed=revealed),
               "reveal_form": form}
    template = "people/_personal.html" if request.htmx else "people/resident_detail.html"
    if not request.htmx:
        context = _context(request, section="residents", **context)
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@people_page("people.change_resident")
def resident_create(request):
    households = queries.households_visible(request.user).visible_to(request.user, "people.change_resident")
    chosen = request.GET.get("household")
    initial = {"household": chosen} if chosen else {}
    form = ResidentForm(request.POST or None, households=households[:500], initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = get_visible(Household.objects.select_related("region"), request.user, pk=data["household"])
        try:
            resident = actions.create_resident(
                actor=request.user, household=household, name=data["name"], id_number=data["id_number"],
                phone=data["phone"], relation=data["relation"], residence_type=data["residence_type"],
                ethnicity=data["ethnicity"] or "汉族", idempotency_key=request.POST.get("idempotency_key") or None,
            )
        except (errors.ValidationFailed, errors.Conflict, errors.RateLimited) as exc:
            form.add_domain_error(exc)
        else:
            return redirect("people:resident_detail", pk=resident.pk)
    status = 422 if request.method == "POST" else 200
    return render(request, "people/resident_form.html", _context(request, form=form, section="residents"),
                  status=status)


@require_http_methods(["GET", "POST"])
@people_page("people.import_people")
def import_view(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    result = report = error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = import_people_xlsx(actor=request.user, file=form.cleaned_data["file"],
                                        dry_run=form.cleaned_data["dry_run"])
        except errors.DomainError as exc:
            error, report, status = exc.message, exc.details if isinstance(exc.details, list) else None, exc.status
    elif request.method == "POST":
        status = 422
    return render(request, "people/import.html", _context(
        request, form=form, result=result, report=report, error=error, section="import"), status=status)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@people_page("people.import_people")
def import_template(request):
    return _xlsx(template_xlsx(user=request.user), "户和居民导入模板.xlsx")


@people_page("people.export_people")
def export_view(request):
    """The synchronous export (at most SYNC_MAX_ROWS residents); the page's 导出 runs in the background."""
    return _xlsx(export_people_xlsx(actor=request.user, region=request.GET.get("region") or None,
                                    max_rows=SYNC_MAX_ROWS), "户和居民.xlsx")
