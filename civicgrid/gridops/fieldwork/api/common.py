"""What every part of the field-work API shares: the error shape, look-ups by code and username."""


from django.db.models import QuerySet

from civicgrid.accounts.models import Department, User
from civicgrid.api.errors import ErrorOut
from civicgrid.core import errors
from civicgrid.core.scoping import get_visible
from civicgrid.geo.models import Region

TAGS = ["走访与联动 fieldwork"]


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class Presented:
    """A sequence whose page items are presented (or read through an audited action) only when the
    paginator slices it."""

    def __init__(self, rows, present):
        self.rows, self.present = rows, present

    def __len__(self) -> int:
        return self.rows.count() if isinstance(self.rows, QuerySet) else len(self.rows)

    def __getitem__(self, window: slice) -> list[dict]:
        return self.present(list(self.rows[window]))


def region(request, code: str, perm: str) -> Region:
    """A region by code within the caller's reach for `perm` (404 otherwise)."""
    return get_visible(Region.objects.defer("boundary"), request.auth, perm, code=(code or "").strip())


def user(username: str | None, *, label: str) -> User | None:
    if not username:
        return None
    found = User.objects.filter(username=username.strip(), is_active=True).first()
    if found is None:
        raise errors.ValidationFailed(f"{label}账号不存在:{username}", code="user_unknown")
    return found


def users(usernames: list[str], *, label: str) -> list[User]:
    return [user(name, label=label) for name in dict.fromkeys(usernames) if name]


def department(code: str | None) -> Department | None:
    if not code:
        return None
    found = Department.objects.filter(code=code.strip()).first()
    if found is None:
        raise errors.ValidationFailed(f"部门不存在:{code}", code="department_unknown")
    return found
