"""Service certificates: the one a user may fetch, the public check by token, what the PDF prints and
the sites a user may issue in the name of."""

from __future__ import annotations

from django.utils import timezone

from civicgrid.core import errors
from civicgrid.core.masking import mask_id_number
from civicgrid.volunteers.choices import RecordStatus
from civicgrid.volunteers.models import PracticeSite, ServiceCertificate, Volunteer


def certificate_visible(user, number: str) -> ServiceCertificate:
    """A certificate of a volunteer the user may see, or of the user themself; NotFound otherwise."""
    cert = ServiceCertificate.objects.select_related("volunteer", "issuer").filter(number=number).first()
    if cert is None or not getattr(user, "is_authenticated", False):
        raise errors.NotFound()
    if cert.volunteer.user_id != user.pk and not Volunteer.objects.visible_to(
            user, "volunteers.view_volunteer").filter(pk=cert.volunteer_id).exists():
        raise errors.NotFound()
    return cert


def certificate_by_token(token: str) -> ServiceCertificate:
    """The certificate a verification URL names (public); NotFound for an unknown token."""
    cert = ServiceCertificate.objects.select_related("volunteer", "issuer").filter(token=str(token)[:40]).first()
    if cert is None:
        raise errors.NotFound("证明不存在或验证码有误", code="certificate_unknown")
    return cert


def certificate_document(cert: ServiceCertificate, verify_url: str):
    """What the PDF prints: the stored figures of the certificate and the volunteer's records that were
    confirmed when it was issued (a record corrected since is left out until confirmed again)."""
    from civicgrid.volunteers import certificates

    records = (cert.volunteer.records.filter(status=RecordStatus.CONFIRMED, confirmed_at__lte=cert.issued_at)
               .select_related("team").order_by("started_at", "id"))
    lines = tuple(certificates.ServiceLine(date=timezone.localtime(r.started_at).date(), content=r.content,
                                           hours=r.hours, team=r.team.name) for r in records)
    return certificates.Certificate(
        number=cert.number, volunteer_name=cert.volunteer.name, id_masked=mask_id_number(cert.volunteer.id_number),
        total_hours=cert.total_hours, first_date=cert.first_date, last_date=cert.last_date, lines=lines,
        issuer=cert.issuer.name, issued_on=timezone.localtime(cert.issued_at).date(), verify_url=verify_url,
        stars=certificates.stars(cert.total_hours))


def issuer_sites(user) -> list[PracticeSite]:
    """Sites in whose name the user may issue a certificate."""
    return list(PracticeSite.objects.visible_to(user, "volunteers.issue_certificate").filter(is_active=True)
                .order_by("level", "code"))
