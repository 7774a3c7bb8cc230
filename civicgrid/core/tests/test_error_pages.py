"""Error pages are Chinese, say the same thing for "absent" and "not yours", and 500 renders without
a request context."""

from __future__ import annotations

from django.template.loader import render_to_string

from civicgrid.testing import make_tree, make_user


def test_404_page_is_chinese_and_generic(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert "不在您的查看范围内" in body  # the same words whether absent or out of scope


def test_404_page_keeps_the_shell_for_a_signed_in_user(client, db):
    tree = make_tree()
    client.force_login(make_user("gw", "grid_worker", tree.grid_a))

    body = client.get("/no-such-page/").content.decode()

    assert 'href="/geo/map/"' in body  # nav entries come from the context processor


def test_500_page_renders_without_any_context():
    body = render_to_string("500.html")

    assert "服务器错误" in body
    assert "css/app.css" in body


def test_user_without_roles_is_told_whom_to_ask(client, db):
    client.force_login(make_user("nobody"))

    body = client.get("/").content.decode()

    assert "尚未分配角色" in body
    assert 'class="entry-card' not in body  # no role, no entries: not even the API docs (staff only)
