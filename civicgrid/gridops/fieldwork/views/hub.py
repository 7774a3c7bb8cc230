"""The field-work start page: one card per section the user may use, with the figure that needs action."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from civicgrid.core.scoping import has_perm_anywhere
from civicgrid.gridops.fieldwork.choices import ReferralStatus
from civicgrid.gridops.fieldwork.queries import joint, key_persons, screening, visits
from civicgrid.gridops.fieldwork.queries.today import today_for
from civicgrid.gridops.fieldwork.views.common import sections, show, today


@login_required
def hub(request):
    user = request.user
    if not sections(user):
        raise PermissionDenied
    day = today()
    figures = {}
    if has_perm_anywhere(user, visits.VIEW):
        figures["visits"] = len(visits.tagged_households(user, today=day, overdue_only=True))
    if has_perm_anywhere(user, key_persons.VIEW):
        figures["key_persons"] = key_persons.key_person_counts(user, today=day)["overdue"]
    if has_perm_anywhere(user, screening.VIEW):
        figures["screening"] = screening.screening_report(user, day=day)["totals"]["missing"]
    if has_perm_anywhere(user, joint.VIEW):
        figures["joint"] = joint.referrals_visible(user, status=ReferralStatus.PENDING).count()
    return show(request, "hub.html", "", figures=figures, today=today_for(user, day))
