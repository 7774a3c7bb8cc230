"""`{% client_updates case.id %}`: the case page's section of what Open311 client applications posted
(mySociety servicerequestupdates), so a handler reads it beside the case's own steps."""

from django import template

from civicgrid.open311 import queries

register = template.Library()


@register.inclusion_tag("open311/_client_updates.html")
def client_updates(case_id: int) -> dict:
    rows = queries.client_updates(case_id)
    for row in rows:
        # a client's link is shown as a link only when it is a web address (never javascript: or data:)
        row.safe_media = row.media_url if row.media_url.lower().startswith(("https://", "http://")) else ""
    return {"updates": rows}
