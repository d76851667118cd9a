"""The channel API as a hotline's ticket system uses it: register, replay, read, relay."""

import pytest

from cases.models import Case, CaseStatus, TimelineEvent
from integrations.keys import api_key_create, api_key_revoke
from tests.integrations.conftest import ApiClient

pytestmark = pytest.mark.django_db


def errors(response) -> dict:
    return {item["field"]: item["message"] for item in response.json()["detail"]}


def test_same_ticket_twice_gives_one_case(api, case_payload):
    first = api.post("/api/v1/cases", case_payload())
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["created"] is True and body["status"] == "accepted"
    again = api.post("/api/v1/cases", case_payload())
    assert again.status_code == 200
    assert again.json()["number"] == body["number"] and again.json()["created"] is False
    assert again.json()["query_code"] == body["query_code"]
    case = Case.objects.get()
    assert case.channel.code == "hotline-12345" and case.channel_ticket == "12345-20261122-0001"
    register = case.events.get(action="register")
    assert register.actor_label == "接口：12345热线工单系统"


def test_malformed_json_is_400_in_chinese(api):
    response = api.post("/api/v1/cases", raw=b'{"channel_ticket": "1", ')
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert errors(response) == {"body": "请求体不是有效的 JSON，请检查格式（UTF-8 编码的 JSON 对象）。"}


def test_a_body_over_the_size_limit_is_refused_in_json_and_chinese(api, case_payload, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    body = case_payload(facts="单位欠缴社会保险费。" * 300)
    response = api.post("/api/v1/cases", body)
    assert response.status_code == 413
    assert errors(response) == {"body": "请求体过大，超过接口允许的大小；附件请分开上传，文字请精简后再提交。"}
    assert not Case.objects.exists()


def test_body_that_is_not_an_object_is_400(api):
    response = api.post("/api/v1/cases", raw=b"[1, 2]")
    assert response.status_code == 400
    assert "JSON 对象" in response.json()["detail"][0]["message"]


def test_unknown_category_names_the_field(api, case_payload):
    response = api.post("/api/v1/cases", case_payload(category="no-such-thing"))
    assert response.status_code == 400
    assert errors(response) == {"category": "未知的争议类别代码：no-such-thing"}
    assert not Case.objects.exists()


def test_bad_id_check_digit_names_the_field(api, case_payload):
    good = case_payload()["complainant_id_number"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    response = api.post("/api/v1/cases", case_payload(complainant_id_number=bad))
    assert response.status_code == 400
    assert response.json() == {"detail": [{"field": "complainant_id_number",
                                           "message": "身份证号校验位不正确，请核对后重新输入"}]}


def test_missing_and_invalid_fields_are_listed_in_chinese(api, case_payload):
    payload = case_payload(people_count=0, complainant_type="robot")
    del payload["complainant_name"]
    response = api.post("/api/v1/cases", payload)
    assert response.status_code == 400
    found = errors(response)
    assert found["complainant_name"] == "此项为必填项。"
    assert found["people_count"] == "不能小于 1。"
    assert found["complainant_type"].startswith("取值无效")


def test_wrong_missing_and_revoked_keys_are_401(hotline_key, case_payload):
    key, raw = hotline_key
    for client in (ApiClient(None), ApiClient("os_deadbeef_nope"), ApiClient(raw[:-2] + "xx")):
        response = client.post("/api/v1/cases", case_payload())
        assert response.status_code == 401
        assert response.json()["detail"][0]["message"].startswith("API 密钥无效或已吊销")
    api_key_revoke(key=key)
    assert ApiClient(raw).get("/api/v1/categories").status_code == 401
    assert not Case.objects.exists()


def test_x_api_key_header_works(hotline_key):
    response = ApiClient(None).get("/api/v1/categories", HTTP_X_API_KEY=hotline_key[1])
    assert response.status_code == 200
    assert {"code": "late-fee", "name": "滞纳金加收"}.items() <= response.json()[4].items()


def test_key_bound_to_a_channel_cannot_use_another(api, case_payload):
    response = api.post("/api/v1/cases", case_payload(channel="hotline-12333"))
    assert response.status_code == 400
    assert set(errors(response)) == {"channel"}


def test_unbound_key_must_name_its_channel(gaoping, case_payload):
    _, raw = api_key_create(name="市政务平台", mechanism=gaoping)
    client = ApiClient(raw)
    assert errors(client.post("/api/v1/cases", case_payload())) == {"channel": "请提供受理渠道代码。"}
    created = client.post("/api/v1/cases", case_payload(channel="hotline-12366"))
    assert created.status_code == 201
    assert Case.objects.get().channel.code == "hotline-12366"


def test_keys_only_reach_their_mechanism_and_channel(api, gaoping, yuanjiang, case_payload):
    number = api.post("/api/v1/cases", case_payload()).json()["number"]
    _, other_city = api_key_create(name="沅江12345", mechanism=yuanjiang)
    _, other_channel = api_key_create(name="12333热线", mechanism=gaoping,
                                      channel=gaoping.channels.get(code="hotline-12333"))
    _, whole_mechanism = api_key_create(name="高平政务平台", mechanism=gaoping)
    for raw in (other_city, other_channel):
        response = ApiClient(raw).get(f"/api/v1/cases/{number}")
        assert response.status_code == 404
        assert response.json()["detail"][0]["message"] == "未找到该事项，或本密钥无权访问。"
        assert ApiClient(raw).post(f"/api/v1/cases/{number}/updates",
                                   {"kind": "note", "text": "跟进"}).status_code == 404
    assert ApiClient(whole_mechanism).get(f"/api/v1/cases/{number}").status_code == 200


def test_status_shows_only_the_public_timeline(api, case_payload):
    number = api.post("/api/v1/cases", case_payload()).json()["number"]
    note = api.post(f"/api/v1/cases/{number}/updates",
                    {"kind": "note", "text": "反映人来电催问进度，已告知正在确定承办单位。"})
    assert note.status_code == 200, note.content
    internal = TimelineEvent.objects.get(action="api_note")
    assert not internal.is_public and internal.actor_label == "接口：12345热线工单系统"
    body = api.get(f"/api/v1/cases/{number.lower()}").json()
    assert body["number"] == number and body["status"] == "accepted"
    assert body["status_label"] == "已受理" and body["category"] == "late-fee"
    texts = [item["text"] for item in body["timeline"]]
    assert len(texts) == 1 and texts[0].startswith("您反映的事项已由")
    assert "催问" not in str(body)
    assert "complainant_name" not in body and "李桂芳" not in str(body)


def test_empty_note_is_refused(api, case_payload):
    number = api.post("/api/v1/cases", case_payload()).json()["number"]
    response = api.post(f"/api/v1/cases/{number}/updates", {"kind": "note", "text": "  "})
    assert response.status_code == 400 and set(errors(response)) == {"text"}


def test_relayed_satisfaction_and_objection(api, case_payload, fed_back):
    number = api.post("/api/v1/cases", case_payload()).json()["number"]
    fed_back(Case.objects.get(number=number))
    rated = api.post(f"/api/v1/cases/{number}/updates",
                     {"kind": "follow_up", "satisfaction": "unsatisfied", "text": "认为处理太慢"})
    assert rated.status_code == 200, rated.content
    assert rated.json()["status"] == "followed_up"
    case = Case.objects.get(number=number)
    assert case.satisfaction == "unsatisfied" and case.follow_up_comment == "认为处理太慢"
    twice = api.post(f"/api/v1/cases/{number}/updates", {"kind": "follow_up", "satisfaction": "satisfied"})
    assert twice.status_code == 400 and "不能回访" in twice.json()["detail"][0]["message"]
    objected = api.post(f"/api/v1/cases/{number}/updates",
                        {"kind": "objection", "text": "滞纳金不应由个人承担。"})
    assert objected.status_code == 200 and objected.json()["status"] == CaseStatus.OBJECTED
    event = Case.objects.get(number=number).events.get(action="object")
    assert event.actor_label.startswith("接口：12345热线工单系统")


def test_follow_up_needs_a_satisfaction(api, case_payload, fed_back):
    number = api.post("/api/v1/cases", case_payload()).json()["number"]
    fed_back(Case.objects.get(number=number))
    response = api.post(f"/api/v1/cases/{number}/updates", {"kind": "follow_up"})
    assert response.status_code == 400 and set(errors(response)) == {"satisfaction"}


def test_rate_limit_per_key_is_429_in_chinese(gaoping, hotline_key):
    _, limited = api_key_create(name="测试限流", mechanism=gaoping, rate_per_minute=2)
    client = ApiClient(limited)
    assert [client.get("/api/v1/categories").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/categories")
    assert response.status_code == 429
    assert response.json()["detail"][0]["message"].startswith("请求过于频繁")
    assert int(response["Retry-After"]) >= 1
    # another key has its own budget
    assert ApiClient(hotline_key[1]).get("/api/v1/categories").status_code == 200


def test_openapi_schema_is_valid(client):
    from openapi_spec_validator import validate

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/cases", "/api/v1/cases/{number}", "/api/v1/cases/{number}/updates",
            "/api/v1/categories"} <= set(schema["paths"])
    assert {"CaseIn", "CaseReceipt", "CaseStatusOut", "ErrorOut"} <= set(schema["components"]["schemas"])
    assert set(schema["components"]["securitySchemes"]) == {"BearerKey", "HeaderKey"}
    create = schema["paths"]["/api/v1/cases"]["post"]
    assert {"200", "201", "400", "401", "429"} <= set(create["responses"])


def test_api_registration_queues_one_acknowledgement(api, case_payload):
    from notifications.models import Outbox

    payload = case_payload()
    number = api.post("/api/v1/cases", payload).json()["number"]
    api.post("/api/v1/cases", payload)  # the replay queues nothing more
    [row] = Outbox.objects.all()
    assert row.event == "acknowledgement" and row.recipient == payload["complainant_phone"]
    assert number in row.body


@pytest.mark.django_db(transaction=True)
def test_simultaneous_posts_of_one_ticket_make_one_case(gaoping, case_payload):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("并发提交测试需要 PostgreSQL（CI 在 PostgreSQL 上运行）；SQLite 由 IMMEDIATE 事务串行写入。")
    _, raw = api_key_create(name="12345热线并发", mechanism=gaoping,
                            channel=gaoping.channels.get(code="hotline-12345"))
    payload = case_payload()
    answers: list[tuple[int, str]] = []
    errors_seen: list[BaseException] = []
    barrier = threading.Barrier(6)

    def worker():
        try:
            barrier.wait()
            response = ApiClient(raw).post("/api/v1/cases", payload)
            answers.append((response.status_code, response.json()["number"]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors_seen.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors_seen, errors_seen
    case = Case.objects.get()
    assert sorted(code for code, _ in answers) == [200] * 5 + [201]
    assert {number for _, number in answers} == {case.number}
    from notifications.models import Outbox

    assert Outbox.objects.count() == 1
