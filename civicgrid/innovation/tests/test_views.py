"""The innovation pages: who may open which (the board's summaries zone-wide, private parts in reach, 404
out of reach, 403 without the role), posting from the phone page (422 with the code, nothing written),
the moves from the page, the enterprise 360° panel; no inline script on any page."""

import re
from datetime import timedelta

import pytest

from civicgrid.enterprises.queries import today
from civicgrid.innovation import actions, queries
from civicgrid.innovation.models import Application, Challenge
from civicgrid.innovation.tests.conftest import apply, post, published

pytestmark = pytest.mark.django_db


def page(client, user, path, **kw):
    client.force_login(user)
    return client.get(path, **kw)


def no_inline_script(html: str) -> bool:
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    return not scripts and " onclick=" not in html and " onload=" not in html and " onsubmit=" not in html


def test_pages_by_role(client, iworld):
    w = iworld
    waiting = post(w)
    challenge = published(w, title="已发榜")
    apply(w, challenge)
    own = page(client, w.contact_a, f"/innovation/challenges/{challenge.pk}/").content.decode()
    assert 'data-section="applications"' in own and "绿色合成团队" in own and no_inline_script(own)
    summary = page(client, w.contact_b, f"/innovation/challenges/{challenge.pk}/").content.decode()
    assert "data-summary-only" in summary and 'data-section="applications"' not in summary
    assert "绿色合成团队" not in summary
    assert page(client, w.contact_b, f"/innovation/challenges/{waiting.pk}/").status_code == 404
    assert page(client, w.officer_b, f"/innovation/challenges/{waiting.pk}/").status_code == 404
    assert page(client, w.resident, f"/innovation/challenges/{challenge.pk}/").status_code == 404
    board_b = page(client, w.contact_b, "/innovation/").content.decode()
    assert challenge.number in board_b and waiting.number not in board_b and no_inline_script(board_b)
    assert page(client, w.resident, "/innovation/").status_code == 403
    assert page(client, w.leader, "/innovation/post/").status_code == 403
    for path in ("/innovation/platforms/", "/innovation/agreements/", "/innovation/post/"):
        response = page(client, w.contact_a, path)
        assert response.status_code == 200 and no_inline_script(response.content.decode()), path


def test_contact_posts_on_the_phone_page(client, iworld):
    w = iworld
    client.force_login(w.contact_a)
    form = client.get("/innovation/post/").content.decode()
    assert w.ent_a.name in form and w.ent_b.name not in form
    body = {"enterprise": w.ent_a.pk, "title": "秸秆纤维PP内饰", "fields": ["polymers", "equipment_auto"],
            "goal": "拉伸强度≥25MPa", "budget": "0", "deadline": (today() + timedelta(days=20)).isoformat(),
            "idempotency_key": "k1"}
    bad = client.post("/innovation/post/", body)
    assert bad.status_code == 422 and "budget_not_positive" in bad.content.decode()
    assert not Challenge.objects.exists()
    other = client.post("/innovation/post/", {**body, "enterprise": w.ent_b.pk, "budget": "100000"})
    assert other.status_code == 422 and not Challenge.objects.exists()  # not a choice for this contact
    ok = client.post("/innovation/post/", {**body, "budget": "1500000"})
    challenge = Challenge.objects.get()
    assert ok.status_code == 302 and ok.url == f"/innovation/challenges/{challenge.pk}/"
    detail = client.get(ok.url).content.decode()
    assert "data-review" in detail and "科技创新部预计" in detail


def test_moves_from_the_page(client, iworld):
    w = iworld
    challenge = post(w)
    client.force_login(w.officer_zone)
    refused = client.post(f"/innovation/challenges/{challenge.pk}/moves/", {"action": "publish"})
    assert refused.status_code == 403 and "not_innovation_department" in refused.content.decode()
    client.force_login(w.kc)
    html = client.get(f"/innovation/challenges/{challenge.pk}/").content.decode()
    assert 'data-move="publish"' in html and 'data-move="reject"' in html
    assert client.post(f"/innovation/challenges/{challenge.pk}/moves/", {"action": "publish"}).status_code == 302
    added = client.post(f"/innovation/challenges/{challenge.pk}/applications/",
                        {"team": w.team_chem.pk, "plan": "两步法", "idempotency_key": "a1"})
    assert added.status_code == 302 and Application.objects.count() == 1
    again = client.post(f"/innovation/challenges/{challenge.pk}/applications/",
                        {"team": w.team_chem.pk, "plan": "两步法", "idempotency_key": "a2"})
    assert again.status_code == 409 and "already_applied" in again.content.decode()
    application = Application.objects.get()
    client.force_login(w.contact_a)
    html = client.get(f"/innovation/challenges/{challenge.pk}/").content.decode()
    assert 'data-move="enterprise_choose"' in html and 'data-move="department_choose"' not in html
    client.post(f"/innovation/challenges/{challenge.pk}/moves/", {"action": "enterprise_choose",
                                                                   "application": application.pk})
    client.force_login(w.kc)
    client.post(f"/innovation/challenges/{challenge.pk}/moves/", {"action": "department_choose",
                                                                   "application": application.pk})
    challenge.refresh_from_db()
    assert challenge.status == "selected"
    late = client.post(f"/innovation/challenges/{challenge.pk}/moves/", {"action": "department_choose",
                                                                          "application": application.pk})
    assert late.status_code == 409 and "already_selected" in late.content.decode()


def test_enterprise_panel_lists_what_the_reader_may_see(client, iworld):
    w = iworld
    challenge = published(w)
    actions.record_agreement(actor=w.officer_a, data=actions.AgreementInput(
        enterprise_id=w.ent_a.pk, partner_name="某大学", partner_kind="university", title="联合研发", field="digital",
        signed_on=today(), starts_on=today(), ends_on=today() + timedelta(days=365), amount="500000"))
    panel = queries.for_enterprise(w.contact_a, w.ent_a)
    assert [c.pk for c in panel["challenges"]] == [challenge.pk] and len(panel["agreements"]) == 1
    assert panel["can_post"] is True
    assert queries.for_enterprise(w.leader, w.ent_a)["can_post"] is False
    assert queries.for_enterprise(w.resident, w.ent_a) == {"visible": False}
    from django.template.loader import render_to_string
    html = render_to_string("innovation/_enterprise_panel.html", {"innovation": panel, "e": w.ent_a})
    assert f'data-challenge="{challenge.number}"' in html and "联合研发" in html


def test_officer_records_an_agreement_on_the_page(client, iworld):
    w = iworld
    body = {"enterprise": w.ent_a.pk, "partner_name": "某石油化工大学", "partner_kind": "university",
            "title": "负极包覆材料联合研发", "field": "carbon_materials", "signed_on": today().isoformat(),
            "starts_on": today().isoformat(), "ends_on": (today() - timedelta(days=1)).isoformat(), "amount": "800000",
            "idempotency_key": "g1"}
    client.force_login(w.officer_a)
    bad = client.post("/innovation/agreements/", body)
    assert bad.status_code == 422 and "dates_reversed" in bad.content.decode()
    ok = client.post("/innovation/agreements/", {**body, "ends_on": (today() + timedelta(days=365)).isoformat()})
    assert ok.status_code == 302
    client.force_login(w.contact_a)
    html = client.get("/innovation/agreements/").content.decode()
    assert "负极包覆材料联合研发" in html and 'data-form="agreement"' not in html
    assert client.post("/innovation/agreements/", body).status_code == 403
    client.force_login(w.contact_b)
    assert "负极包覆材料联合研发" not in client.get("/innovation/agreements/").content.decode()
