"""The one scoping chokepoint: the only door through which a read or an action learns what a user reaches.

`Model.objects.visible_to(user)` is where every read starts; `require(user, perm, obj)` is where every
action starts. A user's reach for one permission is a `Grant`: region-code prefixes (ancestry is a code
prefix, so a street admin's grant is the street's 9-digit code) and department ids. Out-of-scope objects
are reported as NotFound so that their existence is not revealed.

The door, all of it here:
- a model declares its place in the scope once, `scope = Scope(region=..., department=..., owner=...,
  own_only_roles=...)` (or `scope_filter(grant)` when a subquery is needed); nothing else works reach out;
- `visible_to` / `get_visible` narrow a queryset, `can` / `require` test one object, both with the
  model's own rules (`grant_for(user, perm, model)`);
- `filter_for(user, perm, target)` is the filter for a query that counts or joins rows of `target`
  (a scoped model, or a `Scope` of ORM paths on a table that declares none, e.g. a rollup) — aggregates
  ask for it rather than composing a `Q` from a grant; `grant_q(grant, target)` is the same for a
  grant already in hand (a KPI reach passed as data);
- `assignments_on(user, obj)` is which of the user's role assignments reach one object, and how (a
  case's roles on it start there: cases.queries.case_roles).
`grant_for(user, perm)` itself is for questions that build no queryset (covers this code? any
department?). `tests/test_scoping_door.py` fails when a views, API or queries module builds a queryset
that does not go through here, unless its tables name the reason (a public catalogue, an exemption).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q

from civicgrid.core import errors, permissions, sql


@dataclass(frozen=True)
class Grant:
    unrestricted: bool = False
    region_codes: tuple[str, ...] = ()
    department_ids: tuple[int, ...] = ()
    own_user_id: int | None = None  # "self" scope: a resident seeing their own records

    def __bool__(self) -> bool:
        return self.unrestricted or bool(self.region_codes or self.department_ids or self.own_user_id)

    def covers_code(self, code: str | None) -> bool:
        if self.unrestricted:
            return True
        return bool(code) and any(code.startswith(prefix) for prefix in self.region_codes)

    def within(self, other: Grant) -> Grant:
        """What this grant and `other` both reach: of each two region prefixes where one lies inside the
        other, the inner one (grants keep no prefix inside another, so neither does the result);
        departments in both; the owner if the same."""
        if other.unrestricted:
            return self
        if self.unrestricted:
            return other
        codes = tuple(sorted({a if a.startswith(b) else b for a in self.region_codes for b in other.region_codes
                              if a.startswith(b) or b.startswith(a)}))
        departments = tuple(d for d in self.department_ids if d in other.department_ids)
        own = self.own_user_id if self.own_user_id == other.own_user_id else None
        return Grant(region_codes=codes, department_ids=departments, own_user_id=own)


NO_GRANT = Grant()


@dataclass(frozen=True)
class Scope:
    """How a model is placed in the scope: ORM paths to a region code, a department id, an owner user id."""

    region: str | None = None  # e.g. "household__region__code"
    department: str | None = None  # e.g. "department_id"
    owner: str | None = None  # e.g. "user_id"
    view_perm: str | None = None  # defaults to "<app_label>.view_<model_name>"
    distinct: bool = False  # True when a path crosses a to-many relation
    # roles that reach only the rows they own (the `owner` path), wherever they are assigned: a grid
    # worker sees their own patrols, not those of the grid's micro-grid workers
    own_only_roles: frozenset[str] = frozenset()


def grant_for(user, perm: str, model=None) -> Grant:
    """The user's reach for `perm` (on rows of `model`, whose Scope may keep some roles to their own
    rows), never wider than the reach of the permission that bounds it (`Permission.within`): so the one
    rule for sensitive tags — shown only within people.view_sensitive_tags (docs/security.md PI-5) — holds
    for every permission that shows them (the key-person pages), in every list, count, export and action
    that starts here."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_GRANT
    scope = getattr(model, "scope", None)
    own_only = scope.own_only_roles if isinstance(scope, Scope) else frozenset()
    grant = user.grant_for(perm, own_only=own_only) if own_only else user.grant_for(perm)
    outer = permissions.bound(perm)
    return grant.within(grant_for(user, outer, model)) if outer and grant else grant


def has_perm_anywhere(user, perm: str) -> bool:
    return bool(grant_for(user, perm))


def _scope(model) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model.__name__} has no `scope = Scope(...)` declaration")
    return scope


def view_perm(model) -> str:
    return _scope(model).view_perm or f"{model._meta.app_label}.view_{model._meta.model_name}"


def scope_q(model, grant: Grant) -> Q | None:
    """The Q that selects what `grant` reaches in `model`; None means nothing. A model whose reach
    needs more than the declared paths (e.g. a subquery) defines `scope_filter(grant)`."""
    if hasattr(model, "scope_filter"):
        return model.scope_filter(grant)
    return _paths_q(_scope(model), grant)


def _paths_q(scope: Scope, grant: Grant, prefix=None) -> Q | None:
    parts: list[Q] = []
    if scope.region and grant.region_codes:
        parts += [prefix(scope.region, code) if prefix else Q(**{f"{scope.region}__startswith": code})
                  for code in grant.region_codes]
    if scope.department and grant.department_ids:
        parts.append(Q(**{f"{scope.department}__in": grant.department_ids}))
    if scope.owner and grant.own_user_id:
        parts.append(Q(**{scope.owner: grant.own_user_id}))
    return reduce(or_, parts) if parts else None


NOTHING = Q(pk__in=[])  # the filter that selects no row
EVERYTHING = ~NOTHING  # the filter that selects every row, and stays so when OR-ed (`Q() | q` is `q`)


def grant_q(grant: Grant, target, path: str = "", prefix=None) -> Q:
    """The filter selecting what `grant` reaches among rows of `target` — a scoped model, or a `Scope` of
    ORM paths on a table that declares none — reached from the queried model through `path` ("" when
    the queried model is `target` itself): `EVERYTHING` for an unrestricted grant, `NOTHING` for no reach.
    `prefix(field, code)` may replace `field__startswith=code` for a Scope (the KPI tables' range test)."""
    if grant.unrestricted:
        return EVERYTHING
    if isinstance(target, Scope):
        q = _paths_q(target, grant, prefix)
    else:
        q = scope_q(target, grant)
    if q is None:
        return NOTHING
    return through(q, path) if path else q


def filter_for(user, perm: str, target, path: str = "") -> Q:
    """The chokepoint's filter for a query that counts or joins rows of `target` (see `grant_q`) for
    what `user` reaches with `perm`: aggregates (KPIs, dashboards, pickers) ask for it instead of
    building a `Q` from a grant."""
    model = None if isinstance(target, Scope) else target
    return grant_q(grant_for(user, perm, model), target, path)


def through(q: Q, path: str) -> Q:
    """A filter on a related model (`q`, e.g. a case's scope) as a filter on this one, reached through
    `path` (e.g. "case"): a join the planner can use with the row's own key, where `case__in=<subquery>`
    made PostgreSQL collect every case the grant reaches for each object fetched."""
    children = [through(child, path) if isinstance(child, Q) else (f"{path}__{child[0]}", child[1])
                for child in q.children]
    return Q(*children, _connector=q.connector, _negated=q.negated)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str | None = None):
        grant = grant_for(user, perm or view_perm(self.model), self.model)
        if grant.unrestricted:
            return self
        q = scope_q(self.model, grant)
        if q is None:
            return self.none()
        return self.filter(q).distinct() if _scope(self.model).distinct else self.filter(q)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


def _walk(obj, path: str):
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def scope_values(obj, *, departments: bool = True) -> tuple[list[str], list[int], int | frozenset[int] | None]:
    """(region codes, department ids, owner id) of one object; a model may define `scope_values()`
    when its scope paths cross a to-many relation (several owners: a frozenset of user ids). With
    `departments=False` a model whose `scope_values` takes that keyword may leave out the departments that
    cost a query to read: a grant without departments never asks for them."""
    if hasattr(obj, "scope_values"):
        if not departments and _skips_departments(type(obj)):
            return obj.scope_values(departments=False)
        return obj.scope_values()
    scope = _scope(type(obj))
    code = _walk(obj, scope.region) if scope.region else None
    department = _walk(obj, scope.department) if scope.department else None
    owner = _walk(obj, scope.owner) if scope.owner else None
    return ([code] if code else []), ([department] if department else []), owner


_SKIPS_DEPARTMENTS: dict[type, bool] = {}


def _skips_departments(model: type) -> bool:
    """Whether the model's `scope_values` takes `departments` (asked once per model)."""
    found = _SKIPS_DEPARTMENTS.get(model)
    if found is None:
        found = _SKIPS_DEPARTMENTS[model] = "departments" in inspect.signature(model.scope_values).parameters
    return found


def in_grant(obj, grant: Grant) -> bool:
    if grant.unrestricted:
        return True
    codes, departments, owner = scope_values(obj, departments=bool(grant.department_ids))
    if any(grant.covers_code(code) for code in codes):
        return True
    if grant.department_ids and any(d in grant.department_ids for d in departments):
        return True
    if isinstance(owner, set | frozenset):  # a model with several owners (e.g. an enterprise's contacts)
        return bool(grant.own_user_id and grant.own_user_id in owner)
    return bool(grant.own_user_id and owner == grant.own_user_id)


def assignments_on(user, obj) -> list[tuple[object, str]]:
    """The user's active role assignments that reach `obj`, each with how: "region" (its region prefix
    covers the object's region) or "department" (one of the object's departments, `scope_values`; read
    only when an assignment is a department's). The owner's part (a case's reporter) is the caller's."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    scope = getattr(type(obj), "scope", None)
    if isinstance(scope, Scope) and scope.region:
        code = _walk(obj, scope.region)
        codes = [code] if code else []
    else:
        codes = scope_values(obj)[0]
    departments = None
    out = []
    for assignment in user.active_assignments():
        if assignment.region_id and any(code.startswith(assignment.region.code) for code in codes):
            out.append((assignment, "region"))
        elif assignment.department_id:
            if departments is None:
                departments = set(scope_values(obj)[1])
            if assignment.department_id in departments:
                out.append((assignment, "department"))
    return out


def can(user, perm: str, obj=None) -> bool:
    grant = grant_for(user, perm, type(obj) if obj is not None else None)
    if not grant:
        return False
    return obj is None or in_grant(obj, grant)


def require(user, perm: str, obj=None) -> None:
    """Raise unless `user` may do `perm` (on `obj`). Call it before opening the action's transaction.

    Anonymous -> Unauthenticated (401). Object outside what the user may even see -> NotFound (404).
    Visible but not permitted -> Forbidden (403). Denials are audit-logged.
    """
    from civicgrid.core import audit

    if user is None or not getattr(user, "is_authenticated", False):
        raise errors.Unauthenticated()
    if can(user, perm, obj):
        return
    result_error: errors.DomainError
    if obj is not None and not can(user, view_perm(type(obj)), obj):
        result_error = errors.NotFound()
    else:
        result_error = errors.Forbidden()
    audit.record(actor=user, action=perm, obj=obj, result="denied", reason=result_error.code)
    raise result_error


def get_visible(queryset, user, perm: str | None = None, **lookup):
    """Fetch one object through the chokepoint; NotFound when absent or out of scope."""
    try:
        return queryset.visible_to(user, perm).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise errors.NotFound() from None


def fetch_visible(model, user, perm: str | None = None, *, related=(), names=None, **lookup):
    """`get_visible(model.objects.select_related(...), user, perm, pk=…)` (or another unique field: `code=…`)
    for the actions' hottest look-ups: the row and its foreign keys (`related`, as core.sql.get takes them)
    in one statement built once, then the grant asked of the loaded object (`in_grant`, what `can` asks)
    instead of compiling the scope's filter into the query each time. Only for models whose `scope_values`
    says what their `scope_filter` selects (each model that uses it has a test that the two agree,
    testing.fetch_disagreements). NotFound when absent or out of reach."""
    (field, value), = lookup.items()
    grant = grant_for(user, perm or view_perm(model), model)
    if not grant:
        raise errors.NotFound()
    try:
        obj = sql.get(model, value, names, related, by=None if field == "pk" else field)
    except (ValueError, TypeError):  # an id that is no id: as absent, like the ORM's look-up
        raise errors.NotFound() from None
    if obj is None or not in_grant(obj, grant):
        raise errors.NotFound()
    return obj


# --- per-district tables: calendar overrides, routing rules -------------------------------------------
# Under a city (or province) root every district keeps its own tables. The region tree is geo's, which core
# does not import: geo registers a function answering the tree's top (code, whether it lies above a
# district) and its districts (code, name), and the door answers who may change which district's table.

_tree = None


def register_tree(outline) -> None:
    """`outline()` -> (top code or None, top is above a district, [(district code, name), ...])."""
    global _tree
    _tree = outline


@dataclass(frozen=True)
class TableReach:
    """Which districts a user reaches with a permission, for the pages that show or change one district at a
    time (calendar overrides, the routing table, the figures)."""

    districts: tuple[tuple[str, str], ...] = ()  # (code, name) of each district reached
    whole: bool = False  # the rows that hold everywhere (the national calendar, rules with no region)
    above_district: bool = False  # the tree starts at a city or province: pages offer a district chooser

    def codes(self) -> set[str]:
        return {code for code, _ in self.districts}

    def allows(self, district: str) -> bool:
        return self.whole if not district else district in self.codes()

    def default(self) -> str:
        """What a page shows first: everywhere's rows when reached, else the first district."""
        return "" if self.whole or not self.districts else self.districts[0][0]


def table_reach(user, perm: str) -> TableReach:
    grant = grant_for(user, perm)
    if not grant:
        return TableReach()
    if _tree is None:
        return TableReach(whole=True)
    top, above, districts = _tree()
    return TableReach(districts=tuple((code, name) for code, name in districts if grant.covers_code(code)),
                      whole=grant.unrestricted or (top is not None and grant.covers_code(top)),
                      above_district=above)


def require_table(user, perm: str, district: str) -> None:
    """Raise unless `user` may change district `district`'s table ("": the rows for everywhere) with
    `perm`: 401 anonymous, 403 otherwise (a district's existence is public). Denials are audit-logged."""
    require(user, perm)
    if table_reach(user, perm).allows(district):
        return
    from civicgrid.core import audit

    audit.record(actor=user, action=perm, result="denied", reason="forbidden",
                 details={"district": district or "*"})
    raise errors.Forbidden("无权修改该区县的设置" if district else "无权修改全市通用的设置",
                           code="table_out_of_reach")
