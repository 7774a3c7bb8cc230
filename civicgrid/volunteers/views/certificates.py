"""Service certificates: issuing one, its PDF, and the public check its QR code opens."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from civicgrid.core import errors
from civicgrid.core.masking import mask_id_number, mask_name
from civicgrid.core.web import permission_page
from civicgrid.volunteers import actions, certificates
from civicgrid.volunteers import forms as vforms
from civicgrid.volunteers.queries import certificates as certificate_queries
from civicgrid.volunteers.queries import volunteers as volunteer_queries
from civicgrid.volunteers.views.volunteers import render_volunteer


@require_POST
@permission_page("volunteers.issue_certificate")
def issue_certificate(request, pk: int):
    volunteer_queries.read_volunteer(request.user, pk)  # 404 before anything else
    form = vforms.IssueForm(request.POST, sites=certificate_queries.issuer_sites(request.user))
    if not form.is_valid():
        return render_volunteer(request, pk, form=form, error=gettext("未出具:请选择出具单位"), status=422)
    try:
        cert = actions.issue_certificate(actor=request.user, volunteer_id=pk, site_code=form.cleaned_data["site"])
    except errors.NotFound:
        raise
    except errors.DomainError as exc:
        form.add_domain_error(exc)
        return render_volunteer(request, pk, form=form, error=exc.message, status=exc.status)
    messages.success(request, gettext("已出具志愿服务证明 %(number)s") % {"number": cert.number})
    return redirect("volunteers:volunteer", pk=pk)


@login_required
def certificate_pdf(request, number: str):
    """The certificate as issued (its volunteer, or staff who see the volunteer); 404 for anyone else."""
    try:
        cert = certificate_queries.certificate_visible(request.user, number)
    except errors.NotFound:
        raise Http404 from None
    url = request.build_absolute_uri(reverse("volunteers:verify_certificate", args=[cert.token]))
    pdf = certificates.render_pdf(certificate_queries.certificate_document(cert, url))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f'志愿服务证明-{cert.number}.pdf')}"
    response["Cache-Control"] = "private, no-store"
    return response


def verify_certificate(request, token: str):
    """The public check a certificate's QR code opens: masked name and ID, hours, issuer, date."""
    try:
        cert = certificate_queries.certificate_by_token(token)
    except errors.NotFound:
        return render(request, "volunteers/verify.html", {"cert": None}, status=404)
    return render(request, "volunteers/verify.html", {
        "cert": cert, "name": mask_name(cert.volunteer.name), "id_masked": mask_id_number(cert.volunteer.id_number),
        "issued_on": timezone.localtime(cert.issued_at).date()})
