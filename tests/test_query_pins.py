"""Every list page and list endpoint is named here, so that a new one cannot arrive without a query-count
pin: each page route is classed as a list or not, each API GET answering a list (an array or a page of
`items`, read from the OpenAPI document) is found; a list must be pinned in some app's
`tests/test_query_pins.py` (civicgrid.testing.check_query_pins)."""

from __future__ import annotations

import importlib

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from civicgrid.api.urls import api

pytestmark = pytest.mark.once

PIN_MODULES = ("civicgrid.accounts", "civicgrid.cases", "civicgrid.core", "civicgrid.enterprises",
               "civicgrid.figures", "civicgrid.geo", "civicgrid.gridops.campaigns", "civicgrid.gridops.fieldwork",
               "civicgrid.gridops.patrols", "civicgrid.innovation", "civicgrid.investment", "civicgrid.open311",
               "civicgrid.people", "civicgrid.publicservice", "civicgrid.recognition", "civicgrid.relief",
               "civicgrid.reports", "civicgrid.subsidies", "civicgrid.volunteers", "civicgrid.webhooks",
               "civicgrid.works")

# page routes that render rows of a table or list which grows with the data
LIST_PAGES = """
accounts:users accounts:departments accounts:handover geo:browser geo:region_detail
people:resident_list people:household_list people:household_detail core:audit_list core:calendar
cases:list cases:mine cases:board cases:inbox cases:detail cases:admin_routing cases:admin_categories
volunteers:services volunteers:mine volunteers:centre volunteers:batch volunteers:station volunteers:tasks
volunteers:shortlist volunteers:volunteers volunteers:volunteer volunteers:donations
patrols:list patrols:compliance patrols:checkpoints patrols:detail
campaigns:list campaigns:detail campaigns:progress campaigns:results
fieldwork:visit_list fieldwork:coverage fieldwork:key_person_list fieldwork:screening_report
fieldwork:joint_home fieldwork:activity_list
enterprises:list enterprises:worklist enterprises:ranking enterprises:approvals enterprises:detail
investment:projects investment:project investment:mine investment:review investment:leads investment:funds
investment:board
publicservice:my_bookings publicservice:window_day publicservice:my_requests publicservice:queue
publicservice:hard_cases
subsidies:worklist subsidies:candidates subsidies:batches subsidies:disbursements subsidies:my
relief:index relief:mine relief:detail
innovation:board innovation:platforms innovation:agreements innovation:detail
recognition:board recognition:notices recognition:mine recognition:work recognition:detail
works:list works:detail
reports:archive
open311:services open311:requests open311:updates
""".split()

# every other page: forms and steps, single records, files, aggregates (dashboards, statistics, totals:
# grouped counts whose size does not follow the rows), lists fixed in code (privacy:my_data names the
# sources of personal data the platform holds, declared in privacy/subject.py: no row is read), health checks
OTHER_PAGES = """
home set_language accounts:login accounts:login_verify accounts:login_enrol accounts:logout accounts:account
accounts:two_factor accounts:recovery_codes accounts:activate accounts:user_new accounts:user_import
accounts:import_template accounts:user accounts:department accounts:handover_user geo:map
people:resident_create people:resident_detail people:resident_reveal people:import people:import_template
people:export core:calendar_clear
cases:report cases:report_questions cases:inbox_read_all cases:inbox_open cases:act cases:photo cases:merge
cases:unmerge cases:admin_routing_new cases:admin_routing_test cases:admin_routing_edit cases:admin_routing_delete
cases:admin_category_new cases:admin_category_limits cases:admin_category_edit
volunteers:hub volunteers:order volunteers:register volunteers:step volunteers:issue_certificate
volunteers:join_team volunteers:leave_team volunteers:certificate_pdf volunteers:verify_certificate
volunteers:stats volunteers:distribute
patrols:home patrols:phone patrols:start patrols:end patrols:finding patrols:compliance_export
patrols:checkpoint_edit
campaigns:service_worker campaigns:create campaigns:designer campaigns:designer_row campaigns:import
campaigns:transition campaigns:collect campaigns:household campaigns:resolve campaigns:export campaigns:photo
fieldwork:hub fieldwork:visit_create fieldwork:visit_detail fieldwork:opinion_case fieldwork:key_person_detail
fieldwork:key_person_reveal fieldwork:key_person_follow_up fieldwork:key_person_end fieldwork:key_person_assign
fieldwork:screening_create fieldwork:screening_detail fieldwork:refer_case fieldwork:police_referral_create
fieldwork:referral_answer fieldwork:joint_record_create fieldwork:joint_summary fieldwork:activity_create
enterprises:hub enterprises:zone enterprises:parks_geojson enterprises:import enterprises:import_template
enterprises:portal enterprises:register enterprises:edit enterprises:submit_metrics enterprises:add_qualification
enterprises:run_precheck
investment:hub investment:project_new investment:advance investment:record_approval investment:submit_report
investment:review_report investment:advance_lead
publicservice:hub publicservice:book publicservice:booking publicservice:cancel_booking publicservice:apply
publicservice:resident_step publicservice:staff_step publicservice:provide_document publicservice:hard_case_new
publicservice:hard_case_stats
subsidies:hub subsidies:compute subsidies:candidate subsidies:review subsidies:batch_template
subsidies:disbursement subsidies:totals
relief:new relief:act relief:outcome relief:tailored relief:blocker relief:blocker_act
innovation:post innovation:move innovation:add_application innovation:add_milestone innovation:achieved
figures:figures
recognition:object recognition:person recognition:photo recognition:nominate recognition:consent
recognition:answer recognition:material recognition:step
works:map works:photo works:new works:upload works:step
dashboard:home dashboard:region dashboard:department dashboard:map dashboard:map_data dashboard:screen
dashboard:screen_live dashboard:screen_data dashboard:domain
reports:request reports:run reports:progress reports:download
open311:index open311:discovery open311:service open311:request open311:token open311:media
privacy:my_data privacy:my_data_download privacy:correction privacy:subject_export privacy:inventory
ops:healthz ops:readyz ops:metrics
""".split()

def page_names() -> set[str]:
    """The namespaced name of every page route (the API is read from its OpenAPI document)."""
    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver) and not str(entry.pattern).startswith("api/"):
                yield from walk(entry.url_patterns, namespace + (f"{entry.namespace}:" if entry.namespace else ""))
            elif isinstance(entry, URLPattern):
                yield namespace + entry.name

    return set(walk(get_resolver().url_patterns))


def list_endpoints() -> set[str]:
    """The API's GET operations whose answer is an array or a page of `items`."""
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    found = set()
    for path, item in schema["paths"].items():
        answer = item.get("get", {}).get("responses", {}).get(200, {})
        body = answer.get("content", {}).get("application/json", {}).get("schema")
        if body is None:
            continue
        if "$ref" in body:
            body = components[body["$ref"].rsplit("/", 1)[-1]]
        if body.get("type") == "array" or "items" in body.get("properties", {}):
            found.add(path)
    return found


def pinned() -> set[str]:
    return {name for module in PIN_MODULES
            for name in importlib.import_module(f"{module}.tests.test_query_pins").PINS}


def test_every_page_is_classed_as_a_list_or_not():
    pages = page_names()
    assert not set(LIST_PAGES) & set(OTHER_PAGES)
    assert sorted(pages - set(LIST_PAGES) - set(OTHER_PAGES)) == [], "class each new page in LIST_PAGES or OTHER_PAGES"
    assert sorted(set(LIST_PAGES) | set(OTHER_PAGES)) == sorted(pages), "a classed page no longer exists"


def test_every_list_page_and_endpoint_is_pinned():
    lists = set(LIST_PAGES) | list_endpoints()
    assert sorted(lists - pinned()) == [], "pin it in its app's tests/test_query_pins.py"


def test_pins_name_real_lists():
    lists = set(LIST_PAGES) | list_endpoints()
    assert sorted(pinned() - lists) == [], "a pin names no list page or endpoint"
