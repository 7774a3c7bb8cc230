"""Account administration pages (三员分立): accounts and departments for the system administrator, roles,
scopes and the Excel import for the security administrator, hand-over for grid workers and administrators.
Adapters only: parse, call one action or query, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid.accounts import queries, twofactor
from civicgrid.accounts.actions import admin, handover, onboarding
from civicgrid.accounts.actions import twofactor as twofactor_actions
from civicgrid.accounts.forms import (
    AssignForm,
    DeactivateForm,
    DepartmentForm,
    ImportForm,
    UserEditForm,
    UserForm,
)
from civicgrid.accounts.models import Department, RoleAssignment, User
from civicgrid.accounts.roles import ROLE_SPECS, Role, ScopeKind
from civicgrid.core import errors
from civicgrid.core.errors import DomainError
from civicgrid.core.scoping import can, has_perm_anywhere, require
from civicgrid.geo.models import Region

PAGE_SIZE = 50


def _allowed(request, perm: str) -> None:
    try:
        require(request.user, perm)  # records the denial
    except errors.DomainError:
        raise PermissionDenied from None


def _admin(request) -> str:
    perm = queries.admin_perm(request.user)
    if perm is None:
        _allowed(request, "accounts.change_user")  # records the denial, then 403
    return perm


def _base_url(request) -> str:
    return request.build_absolute_uri("/")


def _region(code: str) -> Region | None:
    code = (code or "").strip()
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise errors.ValidationFailed(f"区域编码 {code} 不存在", code="region_not_found")
    return region


def _managed_user(request, pk: int) -> User:
    user = queries.users_for_admin(request.user).filter(pk=pk).first()
    if user is None:
        raise Http404
    return user


@login_required
@require_GET
def user_list(request):
    perm = _admin(request)
    q, role, status = request.GET.get("q", "")[:50], request.GET.get("role", ""), request.GET.get("status", "")
    role = role if role in Role.values else ""
    users = queries.users_for_admin(request.user, q=q, role=role, status=status)
    page = Paginator(users.prefetch_related("assignments__region", "assignments__department"), PAGE_SIZE
                     ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/admin/users.html", {
        "page": page, "users": page.object_list, "q": q, "role": role, "status": status, "roles": list(Role),
        "query": query.urlencode(), "is_system": perm == "accounts.change_user",
        "is_security": perm == "accounts.manage_user",
        "can_import": has_perm_anywhere(request.user, "accounts.import_users"),
    })


@login_required
@require_http_methods(["GET", "POST"])
def user_new(request):
    """The system administrator opens one account; its owner gets a one-time activation link."""
    _allowed(request, "accounts.change_user")
    form = UserForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = admin.create_user(actor=request.user, password=None, **form.cleaned_data)
            link = onboarding.issue_activation(actor=request.user, user=user, base_url=_base_url(request))
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            if link:
                request.session[f"activation_link_{user.pk}"] = link
            else:
                messages.success(request, f"账号 {user.username} 已创建,激活链接已以短信发送")
            return redirect("accounts:user", pk=user.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "accounts/admin/user_new.html", {"form": form}, status=status)


def _assignable_roles(user: User) -> list[Role]:
    return [r for r in Role if ROLE_SPECS[r].scope != ScopeKind.SELF or r == Role.RESIDENT]


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request, pk: int):
    perm = _admin(request)
    user = _managed_user(request, pk)
    actor = request.user
    departments = list(queries.departments_to_grant(actor)) if perm == "accounts.manage_user" else []
    edit_form = UserEditForm(initial={"display_name": user.display_name, "phone": user.phone})
    assign_form = AssignForm(roles=_assignable_roles(user), departments=departments)
    tasks = handover.open_tasks(user)
    deactivate_form = DeactivateForm(candidates=queries.successor_candidates(actor, user) if tasks.count else [])
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _user_post(request, action, user, departments, tasks)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
            if action == "edit":
                edit_form = UserEditForm(request.POST)
            elif action == "assign":
                assign_form = AssignForm(request.POST, roles=_assignable_roles(user), departments=departments)
            elif action == "deactivate":
                deactivate_form = DeactivateForm(request.POST, candidates=queries.successor_candidates(actor, user))
        else:
            if done:
                messages.success(request, done)
            return redirect("accounts:user", pk=user.pk)
    return render(request, "accounts/admin/user.html", {
        "account": user, "assignments": queries.assignments_of(user),
        "is_system": perm == "accounts.change_user", "is_security": perm == "accounts.manage_user",
        "edit_form": edit_form, "assign_form": assign_form, "deactivate_form": deactivate_form, "tasks": tasks,
        "activation_link": request.session.pop(f"activation_link_{user.pk}", None),
        "activations": user.activation_tokens.order_by("-created_at")[:5],
        "two_factor": twofactor.enrolled(user), "two_factor_required": twofactor.required_for(user),
        "is_self": user.pk == actor.pk,
    }, status=status)


def _user_post(request, action: str, user: User, departments, tasks) -> str:
    """One form of the account page; returns the message to show."""
    actor = request.user
    if action == "edit":
        form = UserEditForm(request.POST)
        if not form.is_valid():
            raise errors.ValidationFailed("请填写姓名", code="name_required")
        admin.update_user(actor=actor, user=user, **form.cleaned_data)
        return "账号信息已保存"
    if action == "assign":
        form = AssignForm(request.POST, roles=_assignable_roles(user), departments=departments)
        if not form.is_valid():
            raise errors.ValidationFailed("请选择角色", code="role_required")
        data = form.cleaned_data
        department = next((d for d in departments if str(d.pk) == data["department"]), None)
        assignment = admin.assign_role(actor=actor, user=user, role=data["role"], region=_region(data["region"]),
                                       department=department)
        return f"已分配角色:{assignment.get_role_display()}"
    if action == "remove":
        assignment = RoleAssignment.objects.filter(user=user, pk=request.POST.get("assignment") or 0).first()
        if assignment is None:
            raise errors.NotFound("角色不存在", code="assignment_not_found")
        admin.remove_role(actor=actor, assignment=assignment)
        return f"已撤销角色:{assignment.get_role_display()}"
    if action == "deactivate":
        form = DeactivateForm(request.POST, candidates=queries.successor_candidates(actor, user))
        if not form.is_valid():
            raise errors.ValidationFailed("接替人不在可选范围内", code="successor_invalid")
        successor = User.objects.filter(pk=form.cleaned_data["successor"]).first() if form.cleaned_data["successor"] else None
        moved = handover.deactivate(actor=actor, user=user, successor=successor, reason=form.cleaned_data["reason"])
        if successor is not None and moved.count:
            return f"已停用,{len(moved.case_ids)} 件在办案件和 {len(moved.key_person_ids)} 名重点人员已交给 {successor}"
        return "账号已停用"
    if action == "activate":
        admin.set_user_active(actor=actor, user=user, is_active=True)
        return "账号已启用"
    if action == "send_activation":
        link = onboarding.issue_activation(actor=actor, user=user, base_url=_base_url(request))
        if link:
            request.session[f"activation_link_{user.pk}"] = link
            return "已生成新的激活链接(只显示一次)"
        return "新的激活链接已以短信发送,旧链接失效"
    if action == "reset_2fa":
        twofactor_actions.reset(actor=actor, user=user, reason=request.POST.get("reason", ""))
        return "已重置双因素认证:该用户下次登录时重新绑定"
    raise errors.ValidationFailed("未知操作", code="unknown_action")


@login_required
@require_http_methods(["GET", "POST"])
def user_import(request):
    """The security administrator's Excel import: all rows or none, with a row report."""
    _allowed(request, "accounts.import_users")
    form = ImportForm(request.POST or None, request.FILES or None)
    report, result, status = [], None, 200
    if request.method == "POST" and form.is_valid():
        try:
            result = onboarding.import_staff(actor=request.user, file=form.cleaned_data["file"],
                                             base_url=_base_url(request))
        except DomainError as exc:
            form.add_error("file", exc.message)
            report = exc.details if isinstance(exc.details, list) else []
            status = exc.status
    elif request.method == "POST":
        status = 422
    return render(request, "accounts/admin/import.html", {
        "form": form, "report": report, "result": result, "columns": onboarding.COLUMNS,
    }, status=status)


@login_required
@require_GET
def import_template(request):
    _allowed(request, "accounts.import_users")
    response = HttpResponse(onboarding.template_workbook(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''staff-import-template.xlsx"
    return response


# --- departments ------------------------------------------------------------------------------------------


def _department_input(form) -> admin.DepartmentInput:
    data = form.cleaned_data
    return admin.DepartmentInput(code=data["code"], name=data["name"], short_name=data["short_name"],
                                 kind=data["kind"], region=_region(data["region"]))


@login_required
@require_http_methods(["GET", "POST"])
def department_list(request):
    _allowed(request, "accounts.manage_department")
    form = DepartmentForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            department = admin.create_department(actor=request.user, data=_department_input(form))
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, f"已新建部门:{department.name}")
            return redirect("accounts:departments")
    elif request.method == "POST":
        status = 422
    q = request.GET.get("q", "")[:50]
    departments = queries.all_departments(request.user)
    if q:
        departments = departments.filter(name__icontains=q) | departments.filter(code__icontains=q.upper())
    page = Paginator(departments.order_by("-is_active", "code"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/admin/departments.html", {"form": form, "page": page, "q": q}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def department_detail(request, pk: int):
    _allowed(request, "accounts.manage_department")
    try:
        department = queries.all_departments(request.user).get(pk=pk)
    except Department.DoesNotExist:
        raise Http404 from None
    form = DepartmentForm(request.POST if request.POST.get("action") == "edit" else None, initial={
        "code": department.code, "name": department.name, "short_name": department.short_name,
        "kind": department.kind, "region": department.region.code if department.region_id else ""})
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "edit":
                if not form.is_valid():
                    raise errors.ValidationFailed("请检查填写的内容", code="invalid_input")
                admin.update_department(actor=request.user, department=department, data=_department_input(form))
                messages.success(request, "部门信息已保存")
            elif action in ("deactivate", "activate"):
                admin.set_department_active(actor=request.user, department=department, is_active=action == "activate")
                messages.success(request, "部门已启用" if action == "activate" else "部门已停用")
            return redirect("accounts:department", pk=department.pk)
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
    staff = RoleAssignment.objects.filter(department=department, is_active=True).select_related("user")
    return render(request, "accounts/admin/department.html", {
        "department": department, "form": form, "staff": staff[:100], "staff_count": staff.count(),
    }, status=status)


# --- hand-over ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def handover_list(request):
    """The field workers whose patch the viewer may hand over, with what they leave behind."""
    _allowed(request, "accounts.hand_over")
    workers = list(queries.handover_candidates(request.user)[:200])
    tasks = handover.open_tasks_for(workers)
    rows = [{"user": w, "tasks": tasks[w.pk]} for w in workers]
    return render(request, "accounts/admin/handover_list.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def handover_user(request, pk: int):
    _allowed(request, "accounts.hand_over")
    leaver = queries.handover_candidates(request.user).filter(pk=pk).first()
    if leaver is None:
        raise Http404
    candidates = queries.successor_candidates(request.user, leaver)
    form = DeactivateForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST" and form.is_valid() and form.cleaned_data["successor"]:
        successor = candidates.get(pk=form.cleaned_data["successor"])
        try:
            moved = handover.hand_over(actor=request.user, leaver=leaver, successor=successor,
                                       reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, f"已交接:{len(moved.assignments)} 个网格、{len(moved.case_ids)} 件在办案件、"
                                      f"{len(moved.key_person_ids)} 名重点人员交给 {successor}")
            return redirect("accounts:handover")
    elif request.method == "POST":
        form.add_error("successor", "请选择接替人")
        status = 422
    return render(request, "accounts/admin/handover.html", {
        "leaver": leaver, "tasks": handover.open_tasks(leaver), "form": form,
        "can_deactivate": can(request.user, "accounts.change_user", leaver),
    }, status=status)
