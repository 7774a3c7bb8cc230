"""Production settings, read in a fresh interpreter (settings are computed once at import)."""

import json
import os
import subprocess
import sys


def production_settings(**extra) -> dict:
    env = {**os.environ, "CIVICGRID_PRODUCTION": "true", "CIVICGRID_SECRET_KEY": "x" * 50,
           "CIVICGRID_DATA_KEY": "A" * 43 + "=", "DJANGO_SETTINGS_MODULE": "civicgrid.settings", **extra}
    code = ("import json; from django.conf import settings as s; print(json.dumps({'hsts': s.SECURE_HSTS_SECONDS, "
            "'proxy': getattr(s, 'SECURE_PROXY_SSL_HEADER', None), 'secure': s.SESSION_COOKIE_SECURE}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_production_sends_hsts_for_a_year_with_secure_cookies():
    assert production_settings() == {"hsts": 31536000, "proxy": None, "secure": True}


def test_behind_a_trusted_proxy_the_scheme_comes_from_x_forwarded_proto():
    assert production_settings(CIVICGRID_TRUST_X_FORWARDED_FOR="true")["proxy"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_hsts_can_be_set_or_turned_off():
    assert production_settings(CIVICGRID_HSTS_SECONDS="0")["hsts"] == 0
