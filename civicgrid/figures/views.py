"""The seed-figures page: every declared figure of the article, its value computed live from records, the
article's own wording beside it and a link to the records behind it; a declared figure that no app handles
yet is listed as missing (never a typed number)."""

from django.shortcuts import render

from civicgrid.core.web import permission_page
from civicgrid.figures import queries
from civicgrid.figures.registry import DECLARED, VIEW
from civicgrid.figures.wording import WORDING


@permission_page(VIEW)
def figures(request):
    data = queries.figures()
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
    return render(request, "figures/figures.html", {
        "as_of": data["as_of"], "rows": rows, "missing": sum(1 for r in rows if r["missing"])})
