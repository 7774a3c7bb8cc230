"""Idempotent intake across processes, as gunicorn runs it: eight worker processes receive the same
retried report at once. Threads share one interpreter; this checks the database's own guarantee.
PostgreSQL only: on SQLite one process writes at a time by design."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from civicgrid.cases.models import Case

CHILD = """
import json, os, sys, time
from pathlib import Path
import django
django.setup()
from django.db import connection
from civicgrid.accounts.models import User
from civicgrid.cases import actions
from civicgrid.cases.intake import IntakeInput
from civicgrid.core import errors

go = Path(sys.argv[1])
user = User.objects.get(pk=int(sys.argv[2]))
data = IntakeInput(description="井盖丢失", channel="resident", category_code="0601", lat=41.12, lng=123.12)
connection.ensure_connection()
while not go.exists():
    time.sleep(0.005)
try:
    print(json.dumps(actions.submit_case(actor=user, data=data, idempotency_key="tap-proc").case.pk))
except errors.Conflict:
    print(json.dumps("retry"))
"""


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_eight_processes_posting_one_report_make_one_case(world, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has one writer by design")
    go = tmp_path / "go"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "civicgrid.settings", "CIVICGRID_DATABASE_URL": _database_url(),
           "CIVICGRID_VAR_DIR": str(settings.VAR_DIR)}  # the same encryption key
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(go), str(world.resident.pk)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[3]) for _ in range(8)]
    time.sleep(3)  # let every child import Django and connect; the go file then releases them together
    go.touch()
    outcomes = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        outcomes.append(json.loads(out.strip().splitlines()[-1]))
    assert Case.objects.count() == 1
    pk = Case.objects.get().pk
    assert set(outcomes) <= {pk, "retry"} and pk in outcomes, outcomes
