"""The seed-figures page: every declared figure of the article, its value computed live from records, the
article's own wording beside it and a link to the records behind it; a declared figure that no app handles
yet is listed as missing (never a typed number)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from civicgrid.core.scoping import table_reach
from civicgrid.core.web import permission_page
from civicgrid.figures import queries
from civicgrid.figures.registry import DECLARED, VIEW
from civicgrid.figures.wording import WORDING


def _district(request, reach) -> str:
    """Under a city root the page counts the city ("") or one district: asked for, or what the reader
    reaches first (a district's leader: their district). One out of reach is 403."""
    if not reach.above_district:
        return ""
    district = (request.GET["district"] if "district" in request.GET else reach.default()).strip()
    if not reach.allows(district):
        raise PermissionDenied
    return district


@permission_page(VIEW)
def figures(request):
    reach = table_reach(request.user, VIEW)
    district = _district(request, reach)
    data = queries.figures(region_code=district)
    computed = {item["key"]: item for item in data["items"]}
    rows = []
    for declared in DECLARED:
        wording = WORDING[declared.key]
        item = computed.get(declared.key)
        rows.append({
            "number": declared.number, "key": declared.key, "title": wording.title, "article": wording.article,
            "missing": item is None,
            # the value pairs spelled out: a template's `values.items` would read a value named "items"
            "pairs": [(wording.value_labels.get(name, name), value) for name, value in item["values"].items()]
            if item else [],
            "period": item["period"] if item else None, "records_url": item["records_url"] if item else "",
        })
    choices = []
    if reach.above_district and len(reach.districts) + reach.whole > 1:
        choices = ([("", "全市合计")] if reach.whole else []) + list(reach.districts)
    return render(request, "figures/figures.html", {
        "as_of": data["as_of"], "rows": rows, "missing": sum(1 for r in rows if r["missing"]),
        "district": district, "district_name": dict(reach.districts).get(district, ""),
        "district_choices": choices})
