"""/healthz, /readyz, /metrics and the structured request log."""

import json
import logging
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from civicgrid.ops.logs import JsonFormatter


def test_healthz_answers_without_a_database(client):
    response = client.get("/healthz")  # no django_db mark: any database access would fail the test
    assert response.status_code == 200 and response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_database_migrations_and_cache(client):
    body = client.get("/readyz").json()
    assert body["status"] == "ready"
    assert {name for name, check in body["checks"].items() if check["ok"]} == {"database", "migrations", "cache"}


@pytest.mark.django_db
def test_readyz_is_503_when_the_database_is_down(client, monkeypatch):
    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr("civicgrid.ops.views._database", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def _task(status, **kw):
    now = timezone.now()
    return DBTaskResult.objects.create(status=status, args_kwargs={"args": [], "kwargs": {}}, run_after=now,
                                       queue_name="default", backend_name="default", **kw)


@pytest.mark.django_db
def test_metrics_report_latency_queue_depth_and_sla_sweep_lag(client):
    client.get("/healthz")
    _task(TaskResultStatus.READY, task_path="civicgrid.cases.tasks.check_sla")
    _task(TaskResultStatus.READY, task_path="civicgrid.webhooks.tasks.deliver_due_webhooks")
    _task(TaskResultStatus.SUCCESSFUL, task_path="civicgrid.cases.tasks.check_sla",
          finished_at=timezone.now() - timedelta(minutes=7))
    text = client.get("/metrics").content.decode()
    assert 'civicgrid_http_request_duration_seconds_count{method="GET",route="healthz",status="200"}' in text
    assert 'civicgrid_task_queue_depth{queue="default"} 2.0' in text
    lag = next(line for line in text.splitlines() if line.startswith("civicgrid_sla_sweep_lag_seconds "))
    assert 419 < float(lag.split()[1]) < 480


@pytest.mark.django_db
def test_metrics_are_for_loopback_or_the_token(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403
    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.9", headers={"Authorization": "Bearer scrape-secret"})
    assert ok.status_code == 200


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_its_request_id(client, caplog):
    caplog.set_level(logging.INFO, logger="civicgrid.request")
    client.get("/healthz", headers={"X-Request-ID": "req-42"})
    [record] = [r for r in caplog.records if r.name == "civicgrid.request"]
    line = json.loads(JsonFormatter().format(record))  # formatted after the request: the id came as a field
    assert line["request_id"] == "req-42" and line["route"] == "healthz" and line["status"] == 200
    assert line["level"] == "info" and line["message"] == "GET /healthz 200" and "duration_ms" in line
