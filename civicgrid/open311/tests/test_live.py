"""Against a live server: a third-party client (PyPI `georeport`) reads every GET in XML and JSON, and 16
concurrent POSTs all become cases with distinct public ids."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from georeport import GeoReport

from civicgrid.cases.models import Case, Category
from civicgrid.open311.tests.conftest import POINT_A

pytestmark = pytest.mark.django_db(transaction=True)


def test_georeport_client_reads_every_get_in_both_formats(live_server, o311):
    Category.objects.filter(code="0102").update(questions=[
        {"key": "kind", "label": "垃圾类型", "type": "choice", "required": False, "choices": ["生活", "建筑"]}])
    base = f"{live_server.url}/open311/v2"
    numbers = []
    for i in range(2):
        response = requests.post(f"{base}/requests.json", data={"api_key": o311.key, "service_code": "0102", **POINT_A,
                                                                 "description": f"第{i}处垃圾"}, timeout=30)
        assert response.status_code == 201, response.text
        numbers.append(response.json()[0]["service_request_id"])
    for fmt in ("json", "xml"):
        client = GeoReport(base, jurisdiction=o311.tree.district.code, output_format=fmt)
        services = client.get_service_list()
        assert "0102" in {s["service_code"] for s in services}
        definition = client.get_service_definition("0102")
        attribute = definition["attributes"][0] if fmt == "json" else definition["attributes"]["attribute"]
        assert attribute["code"] == "kind" and attribute["datatype"] == "singlevaluelist"
        listed = client.get_service_requests(status="open", service_code="0102")
        assert [r["service_request_id"] for r in listed] == numbers[::-1]
        assert client.get_service_requests(service_request_id=numbers[0])
        one = client.get_service_request(numbers[1])
        assert (one["service_request_id"], one["status"], one["service_code"]) == (numbers[1], "open", "0102")
        assert one["requested_datetime"].endswith("+08:00")


def test_concurrent_posts_get_distinct_ids(live_server, o311):
    base = f"{live_server.url}/open311/v2"

    def send(i):
        return requests.post(f"{base}/requests.json", data={"api_key": o311.key, "service_code": "0102", **POINT_A,
                                                             "description": f"并发第{i}件"}, timeout=60)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(send, range(16)))
    assert [a.status_code for a in answers] == [201] * 16, [a.text for a in answers if a.status_code != 201]
    ids = [a.json()[0]["service_request_id"] for a in answers]
    assert len(set(ids)) == 16
    assert Case.objects.filter(channel="open311").count() == 16
    assert set(Case.objects.filter(channel="open311").values_list("number", flat=True)) == set(ids)
