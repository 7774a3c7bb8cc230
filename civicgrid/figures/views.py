"""The figures page: every figure of the article with its value computed from records and a link to them."""

from django.shortcuts import render

from civicgrid.core.web import permission_page
from civicgrid.figures import queries
from civicgrid.figures.registry import BY_KEY, VIEW


@permission_page(VIEW)
def figures(request):
    data = queries.figures()
    # the value pairs spelled out: a template's `values.items` would read a value named "items"
    rows = [{**item, "pairs": list(item["values"].items()), "declared": BY_KEY[item["key"]]} for item in data["items"]]
    return render(request, "figures/figures.html", {"as_of": data["as_of"], "rows": rows})
