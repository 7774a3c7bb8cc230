"""Every queryset a views, API or queries module builds goes through the scoping door (core/scoping.py).

The test reads each such module's syntax tree, finds every `Model.objects...` chain and passes it when:
- it is narrowed by the chokepoint: `.visible_to(...)` in the chain, the queryset handed to `get_visible`,
  or a chokepoint filter inside one of its calls — `filter_for`, `visible_to`, `get_visible`, a local
  name assigned from one (`reach = filter_for(...)`), or a function of the module that returns one
  (`cases_visible(user)`);
- it is empty (`.none()`);
- it reads the viewer's own rows: a filter argument is the viewer (`user`, `actor`, `request.user`, or
  their `.pk`/`.id`);
- it reads the rows of an object in hand, `Event.objects.filter(case=case)`: the keyword is a foreign
  key of the model and the value a plain name, an object the function got from the chokepoint;
- its model is listed in CATALOGUE (no Scope, or a public tree such as the regions) with why anyone may
  read it;
- it is listed in EXEMPT, one line of reason per entry.
A new bypass fails the test; so does an exemption that no longer matches a queryset (keep the lists short).
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import QuerySet

pytestmark = pytest.mark.once  # DB-independent: the SQLite pass only (./run)

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "civicgrid"
ADAPTERS = {"views", "api", "queries"}
CHOKEPOINT = {"visible_to", "get_visible", "filter_for"}
VIEWERS = {"user", "actor", "request.user"}
SUBQUERY = {"Exists", "Subquery", "Prefetch"}  # and `Q(x__in=...)` keywords
QUERYSET_METHODS = {name for name in dir(QuerySet) if not name.startswith("_")} - {"none"}

# Models a view, API route or query may read whole: public catalogues and configuration every signed-in
# user (or the public) sees. Reach over them, where it matters (who may manage a region), is asked with
# visible_to / filter_for like anywhere else.
CATALOGUE = {
    "geo.Region": "the administrative region tree: names, codes and boundaries are public",
    "accounts.Department": "the district's departments and offices: names and codes are public",
    "cases.Category": "the public catalogue of case categories (the report form lists it)",
    "cases.WorkflowDefinition": "the shipped workflow specs: configuration, not case data",
    "people.Tag": "the tag vocabulary; which resident carries a tag is scoped (ResidentTag below)",
    "core.CalendarDay": "the working-day calendar, public",
    "enterprises.QualificationKind": "the catalogue of qualification kinds",
    "enterprises.RuleSetVersion": "published subsidy rule sets, public",
    "enterprises.ApprovalItem": "the published catalogue of approval items",
    "enterprises.Zone": "the high-tech zone itself (one row), public",
    "enterprises.Park": "the zone's industrial parks, public",
    "innovation.InnovationOffice": "the one innovation office's public contact",
    "publicservice.ServiceItem": "the public catalogue of service items",
    "publicservice.Slot": "appointment slots of a window, offered to the public",
    "recognition.Listing": "the published good-people board, public by design",
    "recognition.Honoree": "published honourees, public by design",
    "django_tasks_database.DBTaskResult": "the task queue's own rows, read by the operators' health page",
}

# (app, function) -> why the querysets this function builds need no narrowing.
EXEMPT = {
    # public by design
    ("works", "finished"): "finished works are published (their photos too): the public works figures",
    ("works", "totals_by"): "sums over works.finished, published",
    ("works", "photo"): "public once the work is finished, else can(user, VIEW, work) decides",
    ("publicservice", "offices_for"): "the offices serving an item: the public appointment page lists them",
    ("publicservice", "list_slots"): "an office named by code on the public appointment page",
    ("publicservice", "hard_case_stats"): "the 办不成事 window's public monthly counts: no case leaves here",
    ("recognition", "_public_nominations"): "the base of the public board, filtered to listed rows by callers",
    ("recognition", "public_photo"): "a listed nominee's portrait, shown only with consent",
    ("people", "map_buildings"): "building footprints for the base map: places, nobody's data",
    ("people", "search_buildings"): "the map's place search over buildings: names and addresses of places",
    ("open311", "media"): "photos of the cases Open311 publishes (queries.public_cases)",
    ("innovation", "_finished_and_active"): "per research team counts that rank teams: no challenge is shown",
    ("volunteers", "certificate_by_token"): "public verification of a certificate by its secret token",
    # the caller checked the object through the chokepoint first
    ("innovation", "challenge_for"): "can(user, VIEW_CHALLENGE) for the full record, else a public summary",
    ("volunteers", "certificate_visible"): "checked with Volunteer.objects.visible_to right after the read",
    ("open311", "client_updates"): "the caller read the case through the chokepoint",
    ("relief", "_page"): "the case of a relief link the view fetched through get_visible",
    ("patrols", "checkpoints_of_grid"): "the grid of a patrol the caller sees (get_patrol)",
    ("fieldwork", "tagged_households"): "ids of households whose residents were read through visible_to",
    ("cases", "last_events"): "the latest events of a page of cases listed through cases_visible",
    ("cases", "_rules"): "the routing table, configuration read whole by holders of the routing permission "
                         "(permission_page); per-district views of it under a city root are still to do",
    ("cases", "timelines"): "the events of cases the caller already read through the chokepoint",
    ("relief", "case_events"): "the events of relief cases the view listed through the chokepoint",
    ("cases", "transition"): "reads only a case's type to pick the app that runs the step; that app and "
                             "transition_case look the case up through the chokepoint (404 out of reach)",
    ("volunteers", "donation_totals"): "distributions of the donations the caller passes, read scoped",
    ("volunteers", "recent_distributions"): "distributions of the donations the caller passes, read scoped",
    ("volunteers", "team_volunteers"): "members of a team the caller reached through an order it sees",
    ("volunteers", "volunteer_shortlist"): "candidates for an order the caller sees (get_visible)",
    ("volunteers", "batch_suggestions"): "the station's own orders and teams, for its administrator",
    ("volunteers", "station_suggestions"): "stations ranked for an order the caller sees",
    ("volunteers", "assignable_teams"): "teams of the station of an order the caller sees",
    # an action just wrote it; require() ran before
    ("volunteers", "order_as_left"): "the order as the caller's action left it (may have left their reach)",
    ("volunteers", "volunteer_as_registered"): "the volunteer the caller has just registered",
    ("volunteers", "donation_as_recorded"): "the donation the caller has just recorded",
    ("volunteers", "household_id"): "the household a distribution is recorded against (the action requires it)",
    # who, not what: accounts named in input or looked up for routing; the action decides
    ("accounts", "_pending_user"): "the account signing in, from its own session (second factor)",
    ("enterprises", "add_contact"): "the account named by login in the input; the action requires manage",
    ("fieldwork", "user"): "an account named by login in the input; the action checks what it may be",
    ("privacy", "subject_export"): "the data subject named by the privacy officer; the view requires it",
    ("fieldwork", "police_liaison_ids"): "whom to notify of a referral: the liaisons over the case's region",
    ("fieldwork", "_holders"): "the workers over a resident, offered as the responsible worker",
    ("fieldwork", "_serving"): "the workers serving the caller's places, for the contact list",
    ("volunteers", "managed_stations"): "stations of the caller's own station_admin departments",
    # operators' records behind their own permission
    ("core", "audit_list"): "the audit log, read whole by the audit administrator (the view requires it)",
    ("civicgrid", "_audit_stats"): "the home page's audit counts, shown only with core.view_auditevent",
    ("open311", "keys"): "Open311 API keys, listed only to open311.manage (_require)",
    ("webhooks", "subscriptions"): "webhook subscriptions, listed only to webhooks.manage (_require)",
    ("webhooks", "attempts"): "delivery attempts of one subscription, only to webhooks.manage (_require)",
}


def _modules() -> list[Path]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts:
            continue
        if path.stem in ADAPTERS or any(part in ADAPTERS for part in parts[1:-1]):
            out.append(path)
    return out


def _dotted(node) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _chain(top) -> tuple[list[str], list[ast.Call]]:
    """The attribute names along a `X.objects....` chain and its calls, outermost first."""
    names, calls, node = [], [], top
    while True:
        if isinstance(node, ast.Call) and _wraps(node) and _has_manager(node.args[0]) and not _has_manager(node.func):
            calls.append(node)
            node = node.args[0]  # a helper wrapping the queryset: `_with_profile(Volunteer.objects)`
        elif isinstance(node, ast.Call):
            calls.append(node)
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return names, calls


def _mentions_chokepoint(nodes, scoped_names=frozenset()) -> bool:
    """Whether these expressions call the chokepoint or use a name bound to what it returned."""
    door = CHOKEPOINT | scoped_names
    for node in nodes:
        for sub in ast.walk(node):
            if isinstance(sub, ast.Attribute) and sub.attr in CHOKEPOINT:
                return True
            if isinstance(sub, ast.Name) and sub.id in door:
                return True
    return False


def _scoped_names(scope_node, known=frozenset()) -> frozenset[str]:
    """Names in `scope_node` bound to the chokepoint's answer: locals assigned from an expression that
    calls it (repeated until nothing new is found, so `q = reach & ...` counts too)."""
    names = set(known)
    while True:
        before = len(names)
        for node in ast.walk(scope_node):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                if _mentions_chokepoint([node.value], frozenset(names)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names.update(t.id for t in targets if isinstance(t, ast.Name))
        if len(names) == before:
            return frozenset(names)


def _scoped_helpers(tree) -> frozenset[str]:
    """The module's functions whose answer comes from the chokepoint (`cases_visible(user)`)."""
    helpers: set[str] = set()
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    while True:
        before = len(helpers)
        for function in functions:
            local = _scoped_names(function, frozenset(helpers))
            returns = [n.value for n in ast.walk(function) if isinstance(n, ast.Return) and n.value is not None]
            if returns and all(_mentions_chokepoint([r], local) for r in returns):
                helpers.add(function.name)
        if len(helpers) == before:
            return frozenset(helpers)


def _is_viewer(node) -> bool:
    name = _dotted(node)
    for suffix in (".pk", ".id"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    return name in VIEWERS


def _foreign_keys(model) -> set[str]:
    return {f.name for f in model._meta.get_fields() if getattr(f, "many_to_one", False)}


def _has_manager(node) -> bool:
    return any(isinstance(n, ast.Attribute) and n.attr == "objects" for n in ast.walk(node))


def _callee(call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _wraps(call) -> bool:
    """A call that takes the queryset and hands it on (`list(qs)`, `with_tags(qs)`): not a queryset
    method, not the chokepoint, not a subquery wrapper."""
    name = _callee(call)
    return bool(call.args) and name not in QUERYSET_METHODS | CHOKEPOINT | SUBQUERY


def _in_outer_queryset(node, parents) -> bool:
    """A subquery or a prefetch: an argument of `Exists`/`Subquery`/`Prefetch` or of another queryset's
    method (`.filter(id__in=...)`): it narrows or decorates rows of that queryset, which is checked itself."""
    up = parents.get(node)
    keyword = isinstance(up, ast.keyword)
    if keyword:
        up = parents.get(up)
    if not isinstance(up, ast.Call) or up.func is node:
        return False
    name = _callee(up)
    if keyword and name == "Q":  # `Q(pk__in=...)`: a condition on the queryset it filters
        return True
    return name in SUBQUERY or (keyword and isinstance(up.func, ast.Attribute) and name in QUERYSET_METHODS)


def _passes(model, names, calls, parent, scoped_names=frozenset()) -> bool:
    if any(n in CHOKEPOINT for n in names) or (names and names[0] == "none"):
        return True
    if isinstance(parent, ast.Call) and _callee(parent) in CHOKEPOINT and parent.args:
        return True
    arguments = [a for call in calls for a in [*call.args, *(k.value for k in call.keywords)]]
    if _mentions_chokepoint(arguments, scoped_names):
        return True
    keywords = [k for call in calls for k in call.keywords if k.arg]
    if any(_is_viewer(k.value) for k in keywords):
        return True
    if any(isinstance(n, ast.Name) and n.id == "OuterRef" for a in arguments for n in ast.walk(a)):
        return True  # a correlated subquery: it reads rows of the outer queryset's objects
    fks = _foreign_keys(model)
    return any(k.arg in fks and isinstance(k.value, ast.Name | ast.Attribute) for k in keywords)


def _narrowed_later(function, statement, parents) -> bool:
    """`qs = Model.objects...` followed, in the same function, by `get_visible(qs, ...)` or `qs.visible_to`,
    or used only as a subquery of another queryset (`.filter(id__in=qs)`)."""
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name)):
        return False
    name = statement.targets[0].id
    uses = [n for n in ast.walk(function) if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]
    if uses and all(_in_outer_queryset(_outermost(use, parents), parents) for use in uses):
        return True
    for node in ast.walk(function):
        if isinstance(node, ast.Call):
            func = _dotted(node.func)
            if _callee(node) == "get_visible" and node.args and _dotted(node.args[0]) == name:
                return True
            if func == f"{name}.visible_to":
                return True
    return False


def _outermost(node, parents):
    """The end of the attribute/call chain that starts at `node` (`held.values("id")` from `held`)."""
    while True:
        up = parents.get(node)
        if isinstance(up, ast.Attribute) or (isinstance(up, ast.Call) and up.func is node):
            node = up
        else:
            return node


def _local_imports(tree) -> dict:
    """Names imported inside functions (`from civicgrid.geo.models import Region` in a body)."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.col_offset > 0:
            module = importlib.import_module(node.module)
            names.update({alias.asname or alias.name: getattr(module, alias.name, None) for alias in node.names})
    return names


def _app(module_name: str) -> str:
    """The Django app holding a module (keys stay put when a module moves inside its app)."""
    config = apps.get_containing_app_config(module_name)
    return config.label if config else module_name.split(".")[0]


def _bypasses() -> list[tuple[str, str, str, int]]:
    """(module, function, model label, line) of every queryset built outside the door."""
    found = []
    for path in _modules():
        module_name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        module = importlib.import_module(module_name)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        helpers = _scoped_helpers(tree)
        local = _local_imports(tree)
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Attribute) and node.attr == "objects" and isinstance(node.value, ast.Name)):
                continue
            model = getattr(module, node.value.id, None) or local.get(node.value.id)
            if model is None or not hasattr(model, "_meta"):
                continue
            top = node
            while True:
                up = parents.get(top)
                if (isinstance(up, ast.Attribute) or (isinstance(up, ast.Call) and up.func is top)
                        or (isinstance(up, ast.Subscript) and up.value is top)):
                    top = up
                elif isinstance(up, ast.Call) and up.args and up.args[0] is top and _wraps(up):
                    top = up  # a helper that adds to the queryset: `_with_profile(Volunteer.objects)`
                else:
                    break
            function = parents.get(node)
            while function is not None and not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                function = parents.get(function)
            scoped = _scoped_names(function, helpers) if function is not None else helpers
            names, calls = _chain(top)
            if _passes(model, names, calls, parents.get(top), scoped):
                continue
            if _in_outer_queryset(top, parents) or (function is not None and _narrowed_later(function, parents.get(top), parents)):
                continue
            label = model._meta.label
            found.append((module_name, function.name if function else "<module>", label, node.lineno))
    return found


def test_every_adapter_queryset_goes_through_the_door():
    bypasses = _bypasses()
    unexplained = [f"{m}:{line} {f}() builds a {label} queryset outside core/scoping"
                   for m, f, label, line in bypasses if label not in CATALOGUE and (_app(m), f) not in EXEMPT]
    assert not unexplained, "\n".join(unexplained)


def test_exemptions_still_match_a_queryset():
    bypasses = _bypasses()
    used = {(_app(m), f) for m, f, label, _line in bypasses if label not in CATALOGUE}
    assert not set(EXEMPT) - used, sorted(set(EXEMPT) - used)
    read_whole = {label for _m, _f, label, _line in bypasses}
    assert not set(CATALOGUE) - read_whole, sorted(set(CATALOGUE) - read_whole)


def test_the_rules_catch_a_bypass():
    """The scanner sees a hand-built queryset on a scoped model, and passes the narrowed ones."""
    tree = ast.parse("def f(user, case):\n"
                     "    a = Case.objects.filter(region__code__startswith='2110')\n"
                     "    b = Case.objects.filter(state='x').visible_to(user)\n"
                     "    c = CaseEvent.objects.filter(case=case)\n"
                     "    d = Case.objects.filter(reporter_id=user.pk)\n")
    from civicgrid.cases.models import Case, CaseEvent

    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    verdicts = []
    for statement, model in zip(tree.body[0].body, [Case, Case, CaseEvent, Case], strict=True):
        names, calls = _chain(statement.value)
        verdicts.append(_passes(model, names, calls, parents.get(statement.value)))
    assert verdicts == [False, True, True, True]
