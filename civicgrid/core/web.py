"""Shared pieces of the server-rendered pages."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest

from civicgrid.core import errors
from civicgrid.core.scoping import has_perm_anywhere

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def permission_page(perm: str | None):
    """A page for signed-in users holding `perm` somewhere; a NotFound from the chokepoint becomes 404,
    a Forbidden 403, so pages answer exactly like the API."""

    def decorate(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if perm and not has_perm_anywhere(request.user, perm):
                raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except errors.NotFound:
                raise Http404 from None
            except (errors.Forbidden, errors.Unauthenticated):
                raise PermissionDenied from None
            except errors.ValidationFailed as exc:  # one a view did not show on its form (a bad query parameter)
                return HttpResponseBadRequest(exc.message, content_type="text/plain; charset=utf-8")

        return wrapper

    return decorate
