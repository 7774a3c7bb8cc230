"""The English catalogue: the compiled .mo must match the .po (no stale compile), every entry is
translated, and the English UI shows English shell strings once the language cookie is set."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.conf import settings

LC_MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def parse_po(path: Path) -> dict[str | tuple[str, str], str | list[str]]:
    """A small stdlib .po reader: {msgid: msgstr} and {(msgid, msgid_plural): [msgstr[0], ...]}.
    Obsolete (#~) and fuzzy entries are skipped, as msgfmt skips them; the header is left out."""
    entries: dict = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        if not lines or any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key] += ast.literal_eval(line)
                continue
            key, _, value = line.partition(" ")
            fields[key] = ast.literal_eval(value)
        if not fields.get("msgid"):
            continue
        if "msgid_plural" in fields:
            plurals = sorted(k for k in fields if k.startswith("msgstr["))
            entries[(fields["msgid"], fields["msgid_plural"])] = [fields[k] for k in plurals]
        else:
            entries[fields["msgid"]] = fields["msgstr"]
    return entries


def test_every_po_entry_is_translated():
    untranslated = [key for key, value in parse_po(LC_MESSAGES / "django.po").items()
                    if not (all(value) if isinstance(value, list) else value)]
    assert untranslated == []


def test_mo_is_compiled_from_the_current_po():
    po = parse_po(LC_MESSAGES / "django.po")
    with open(LC_MESSAGES / "django.mo", "rb") as fh:
        mo = gettext.GNUTranslations(fh)

    for key, value in po.items():
        if isinstance(key, tuple):
            assert mo.ngettext(key[0], key[1], 1) == value[0], key
            assert mo.ngettext(key[0], key[1], 2) == value[1], key
        else:
            assert mo.gettext(key) == value, key
    compiled = {k if isinstance(k, str) else k[0] for k in mo._catalog if k != ""}
    in_po = {k if isinstance(k, str) else k[0] for k in po}
    assert compiled - in_po == set(), "the .mo holds entries the .po no longer has: run compilemessages"


def test_english_cookie_switches_the_shell_to_english(client, db):
    chinese = client.get("/accounts/login/").content.decode()
    assert "基层治理综合服务平台" in chinese and "登录" in chinese

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    english = client.get("/accounts/login/").content.decode()
    assert '<html lang="en">' in english
    assert "Grassroots Governance Service Platform" in english
    assert "Sign in" in english and "Username" in english
    assert "登录" not in english


def test_chinese_is_the_default_whatever_the_browser_says(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "登录" in response.content.decode()
    client.cookies["django_language"] = "en"
    assert "Sign in" in client.get("/accounts/login/").content.decode()
