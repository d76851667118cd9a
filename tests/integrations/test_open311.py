"""Open311 GeoReport v2 as a city app would call it: services, requests in JSON and XML."""

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from cases.models import Case, Mechanism
from integrations.keys import api_key_create, api_key_revoke

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(gaoping, yuanjiang):
    return gaoping, yuanjiang


@pytest.fixture
def app_key(gaoping):
    """An Open311 client key of Gaoping, not bound to a channel (uses the online form channel)."""
    return api_key_create(name="高平市民通APP", mechanism=gaoping)


def post_request(key: str, **overrides):
    data = {"api_key": key, "service_code": "late-fee", "description": "单位迟报，滞纳金要我个人承担。",
            "first_name": "建国", "last_name": "王", "phone": "13800138000",
            "address_string": "高平市米山镇东街12号", "lat": "35.79", "long": "112.92"}
    data.update(overrides)
    return Client().post("/open311/v2/requests.json", data)


def test_services_need_a_jurisdiction_when_several_mechanisms_run(both):
    response = Client().get("/open311/v2/services.json")
    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400 and "jurisdiction_id" in error["description"]
    assert "gaoping" in error["description"] and "yuanjiang" in error["description"]
    missing = Client().get("/open311/v2/services.json", {"jurisdiction_id": "nowhere"})
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


def test_services_json(both):
    response = Client().get("/open311/v2/services.json", {"jurisdiction_id": "gaoping"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    services = response.json()
    assert len(services) == 9
    late = next(s for s in services if s["service_code"] == "late-fee")
    assert late == {"service_code": "late-fee", "service_name": "滞纳金加收",
                    "description": late["description"], "metadata": False, "type": "realtime",
                    "keywords": "社会保险费,征缴争议,滞纳金加收", "group": "高平市"}


def test_services_xml(both):
    response = Client().get("/open311/v2/services.xml", {"jurisdiction_id": "yuanjiang"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    first = root.find("service")
    assert first.findtext("metadata") == "false" and first.findtext("type") == "realtime"
    assert first.findtext("group") == Mechanism.objects.get(slug="yuanjiang").region
    errors = ET.fromstring(Client().get("/open311/v2/services.xml").content)
    assert errors.tag == "errors" and errors.find("error").findtext("code") == "400"


def test_single_mechanism_needs_no_jurisdiction(gaoping):
    assert Client().get("/open311/v2/services.json").status_code == 200


def test_post_request_registers_a_case(both, app_key):
    response = post_request(app_key[1], email="wjg@example.com")
    assert response.status_code == 201, response.content
    [receipt] = response.json()
    case = Case.objects.get()
    assert set(receipt) == {"service_request_id", "service_notice", "account_id"}
    assert receipt["service_request_id"] == case.number and receipt["account_id"] is None
    assert case.query_code in receipt["service_notice"]
    assert case.complainant_name == "王建国" and case.complainant_address == "高平市米山镇东街12号"
    assert case.channel.is_online_form and case.extra == {"email": "wjg@example.com"}
    assert case.events.get(action="register").actor_label == "接口：高平市民通APP"


def test_post_request_xml_and_ticket_replay(both, app_key):
    first = Client().post("/open311/v2/requests.xml", {
        "api_key": app_key[1], "service_code": "refund", "description": "退费未到账",
        "last_name": "赵", "first_name": "春生", "address_string": "高平市北城街道",
        "channel_ticket": "APP-778"})
    assert first.status_code == 201
    root = ET.fromstring(first.content)
    assert root.tag == "service_requests"
    number = root.find("request").findtext("service_request_id")
    replay = post_request(app_key[1], service_code="refund", channel_ticket="APP-778")
    assert replay.status_code == 200 and replay.json()[0]["service_request_id"] == number
    assert Case.objects.count() == 1


@pytest.mark.parametrize("overrides, code, words", [
    ({"api_key": ""}, 403, "api_key"),
    ({"api_key": "os_00000000_wrong"}, 403, "api_key"),
    ({"service_code": ""}, 400, "service_code"),
    ({"service_code": "potholes"}, 404, "service_code"),
    ({"address_string": ""}, 400, "address_string"),
    ({"description": ""}, 400, "description"),
    ({"first_name": "", "last_name": ""}, 400, "last_name"),
    ({"phone": "12345"}, 400, "phone"),
    ({"jurisdiction_id": "yuanjiang"}, 400, "jurisdiction_id"),
])
def test_post_request_errors(both, app_key, overrides, code, words):
    response = post_request(app_key[1], **overrides)
    assert response.status_code == code
    [error] = response.json()
    assert error["code"] == code and words in error["description"]
    assert not Case.objects.exists()


def test_revoked_key_cannot_post(both, app_key):
    api_key_revoke(key=app_key[0])
    assert post_request(app_key[1]).status_code == 403


def _make_cases(app_key, fed_back):
    open_number = post_request(app_key[1]).json()[0]["service_request_id"]
    closed_number = post_request(app_key[1], service_code="refund", phone="13900139000",
                                 description="退费").json()[0]["service_request_id"]
    fed_back(Case.objects.get(number=closed_number))
    return open_number, closed_number


def test_get_requests_without_personal_data(both, app_key, fed_back):
    open_number, closed_number = _make_cases(app_key, fed_back)
    response = Client().get("/open311/v2/requests.json", {"jurisdiction_id": "gaoping"})
    assert response.status_code == 200
    rows = {row["service_request_id"]: row for row in response.json()}
    assert set(rows) == {open_number, closed_number}
    assert rows[open_number]["status"] == "open" and rows[closed_number]["status"] == "closed"
    closed = rows[closed_number]
    assert closed["agency_responsible"] == "国家税务总局高平市税务局" or "税务" in closed["agency_responsible"]
    assert closed["status_notes"] == "已向您反馈处理结果"
    assert closed["service_code"] == "refund" and closed["service_name"]
    assert closed["requested_datetime"].endswith("+08:00")
    assert closed["description"] is None and closed["address"] == "高平市"
    text = response.content.decode()
    for private in ("王建国", "13800138000", "米山镇", "建国"):
        assert private not in text
    with_key = Client().get("/open311/v2/requests.json", {"api_key": app_key[1]}).json()
    assert {row["description"] for row in with_key} == {"单位迟报，滞纳金要我个人承担。", "退费"}


def test_get_requests_filters(both, app_key, fed_back):
    open_number, closed_number = _make_cases(app_key, fed_back)

    def ids(**params):
        params.setdefault("jurisdiction_id", "gaoping")
        response = Client().get("/open311/v2/requests.json", params)
        assert response.status_code == 200, response.content
        return {row["service_request_id"] for row in response.json()}

    assert ids(status="open") == {open_number}
    assert ids(status="closed") == {closed_number}
    assert ids(status="open,closed") == {open_number, closed_number}
    assert ids(service_code="refund") == {closed_number}
    assert ids(service_request_id=f"{open_number.lower()}, XX-1", status="closed") == {open_number}
    tomorrow = (timezone.now() + timedelta(days=1)).isoformat()
    assert ids(start_date=tomorrow) == set()
    assert ids(end_date=(timezone.now() - timedelta(days=1)).isoformat()) == set()
    assert ids(jurisdiction_id="yuanjiang") == set()
    bad = Client().get("/open311/v2/requests.json", {"jurisdiction_id": "gaoping", "status": "done"})
    assert bad.status_code == 400 and "status" in bad.json()[0]["description"]
    bad = Client().get("/open311/v2/requests.json", {"jurisdiction_id": "gaoping", "start_date": "昨天"})
    assert bad.status_code == 400 and "start_date" in bad.json()[0]["description"]


def test_get_requests_xml(both, app_key, fed_back):
    open_number, _ = _make_cases(app_key, fed_back)
    response = Client().get("/open311/v2/requests.xml", {"jurisdiction_id": "gaoping", "status": "open"})
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    [row] = root.findall("request")
    assert row.findtext("service_request_id") == open_number and row.findtext("status") == "open"
    assert row.find("description").text is None


def test_get_one_request(both, app_key, fed_back):
    open_number, closed_number = _make_cases(app_key, fed_back)
    response = Client().get(f"/open311/v2/requests/{closed_number}.json", {"jurisdiction_id": "gaoping"})
    assert response.status_code == 200
    [row] = response.json()
    assert row["service_request_id"] == closed_number and row["status"] == "closed"
    assert row["expected_datetime"] is None or row["expected_datetime"].endswith("+08:00")
    xml = Client().get(f"/open311/v2/requests/{open_number}.xml", {"jurisdiction_id": "gaoping"})
    assert ET.fromstring(xml.content).find("request").findtext("status") == "open"
    assert ET.fromstring(xml.content).find("request").findtext("expected_datetime")
    elsewhere = Client().get(f"/open311/v2/requests/{open_number}.json", {"jurisdiction_id": "yuanjiang"})
    assert elsewhere.status_code == 404 and elsewhere.json()[0]["code"] == 404


def test_anonymous_reads_are_rate_limited(both, settings):
    settings.ONESTOP_OPEN311_ANON_RATE_PER_MINUTE = 2
    client = Client()
    codes = [client.get("/open311/v2/services.json", {"jurisdiction_id": "gaoping"}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
