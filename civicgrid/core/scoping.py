"""The one scoping chokepoint.

`Model.objects.visible_to(user)` is where every read starts; `require(user, perm, obj)` is where every
action starts. A user's reach for one permission is a `Grant`: region-code prefixes (ancestry is a code
prefix, so a street admin's grant is the street's 9-digit code) and department ids. Out-of-scope objects
are reported as NotFound so that their existence is not revealed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q

from civicgrid.core import errors, permissions


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



def grant_for(user, perm: str) -> Grant:
    """The user's reach for `perm`, never wider than the reach of the permission that bounds it
    (`Permission.within`): so the one rule for sensitive tags — shown only within
    people.view_sensitive_tags (docs/security.md PI-5) — holds for every permission that shows them
    (the key-person pages), in every list, count, export and action that starts here."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NO_GRANT
    grant = user.grant_for(perm)
    outer = permissions.bound(perm)
    return grant.within(grant_for(user, outer)) if outer and grant else grant


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
    scope = _scope(model)
    parts: list[Q] = []
    if scope.region and grant.region_codes:
        parts += [Q(**{f"{scope.region}__startswith": code}) for code in grant.region_codes]
    if scope.department and grant.department_ids:
        parts.append(Q(**{f"{scope.department}__in": grant.department_ids}))
    if scope.owner and grant.own_user_id:
        parts.append(Q(**{scope.owner: grant.own_user_id}))
    return reduce(or_, parts) if parts else None


def through(q: Q, path: str) -> Q:
    """A filter on a related model (`q`, e.g. a case's scope) as a filter on this one, reached through
    `path` (e.g. "case"): a join the planner can use with the row's own key, where `case__in=<subquery>`
    made PostgreSQL collect every case the grant reaches for each object fetched."""
    children = [through(child, path) if isinstance(child, Q) else (f"{path}__{child[0]}", child[1])
                for child in q.children]
    return Q(*children, _connector=q.connector, _negated=q.negated)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, perm: str | None = None):
        grant = grant_for(user, perm or view_perm(self.model))
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


def scope_values(obj) -> tuple[list[str], list[int], int | frozenset[int] | None]:
    """(region codes, department ids, owner id) of one object; a model may define `scope_values()`
    when its scope paths cross a to-many relation (several owners: a frozenset of user ids)."""
    if hasattr(obj, "scope_values"):
        return obj.scope_values()
    scope = _scope(type(obj))
    code = _walk(obj, scope.region) if scope.region else None
    department = _walk(obj, scope.department) if scope.department else None
    owner = _walk(obj, scope.owner) if scope.owner else None
    return ([code] if code else []), ([department] if department else []), owner


def in_grant(obj, grant: Grant) -> bool:
    if grant.unrestricted:
        return True
    codes, departments, owner = scope_values(obj)
    if any(grant.covers_code(code) for code in codes):
        return True
    if grant.department_ids and any(d in grant.department_ids for d in departments):
        return True
    if isinstance(owner, set | frozenset):  # a model with several owners (e.g. an enterprise's contacts)
        return bool(grant.own_user_id and grant.own_user_id in owner)
    return bool(grant.own_user_id and owner == grant.own_user_id)


def can(user, perm: str, obj=None) -> bool:
    grant = grant_for(user, perm)
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
