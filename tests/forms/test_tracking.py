"""/track/: number + query code → public progress; rating once; objection; no enumeration."""

import time
from unittest import mock

import pytest
from django.http import HttpRequest

from cases.actors import Actor
from cases.models import Case, CaseStatus
from cases.services.closing import case_feedback
from cases.services.handling import case_classify, case_receive, case_settle, case_transfer
from forms.tracking import COOKIE_NAME, COOKIE_SALT, SESSION_TTL, WRONG_PAIR, feedback_letter
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(portal):
    online = portal.gaoping.channels.get(is_online_form=True)
    return make_case(mechanism=portal.gaoping, actor=Actor.public("反映人（网上）"), channel=online)


@pytest.fixture
def track_url(portal):
    return portal.track.url


def tracked_number(client) -> str | None:
    """The case number the browser's signed tracking cookie proves, or None."""
    morsel = client.cookies.get(COOKIE_NAME)
    if morsel is None or not morsel.value:
        return None
    request = HttpRequest()  # read back exactly as the site reads it
    request.COOKIES[COOKIE_NAME] = morsel.value
    return request.get_signed_cookie(COOKIE_NAME, default=None, salt=COOKIE_SALT,
                                     max_age=SESSION_TTL)


def later(seconds: float):
    """The clock `seconds` ahead (for the cookie's age)."""
    return mock.patch("django.core.signing.time.time", return_value=time.time() + seconds)


def _lookup(client, url, number, code, **extra):
    return client.post(url, {"action": "lookup", "number": number, "code": code}, **extra)


def _fed_back(case, portal, staff_of):
    office = Actor.staff(staff_of(portal.gaoping, "office"))
    tax = Actor.staff(staff_of(portal.gaoping, "tax"))
    case_classify(case=case, actor=office, tier=case.tier, reason="内部备注：反映人情绪激动，注意沟通")
    case = case_transfer(case=case, actor=office, lead_unit=portal.gaoping.units.get(code="tax"))
    case = case_receive(case=case, actor=tax)
    case = case_settle(case=case, actor=tax, method="correction",
                       result="经核查，滞纳金系单位逾期申报所致，已更正核定，由单位承担。")
    return case_feedback(case=case, actor=office, method="phone",
                         content="您反映的滞纳金问题已更正，个人无需承担。")


def test_right_pair_shows_status_unit_deadline_and_public_timeline_only(client, case, track_url,
                                                                        portal, staff_of):
    office = Actor.staff(staff_of(portal.gaoping, "office"))
    case_classify(case=case, actor=office, tier=case.tier, reason="内部备注：曾多次来访")
    response = _lookup(client, track_url, case.number, case.query_code)
    assert response.status_code == 302 and response.url == track_url
    assert case.query_code not in response.url
    page = client.get(track_url)
    html = page.content.decode()
    assert case.number in html and "已受理" in html and "正在确定由哪个部门办理" in html
    assert portal.gaoping.office_unit.name in html  # the unit answerable for it
    assert "转办剩余" in html or "转办今日到期" in html
    assert f"受理编号 {case.number}" in html  # the public text of the registration event
    assert "内部备注" not in html and "曾多次来访" not in html
    assert case.query_code not in html and case.complainant_id_number not in html
    assert "no-store" in page["Cache-Control"]
    assert 'name="action" value="rate"' not in html and 'value="object"' not in html


def test_wrong_code_and_unknown_number_get_the_same_message(client, case, track_url):
    wrong_code = _lookup(client, track_url, case.number, "AAAAAAAA").content.decode()
    unknown = _lookup(client, track_url, "GP-2099-999999", case.query_code).content.decode()
    for html in (wrong_code, unknown):
        assert WRONG_PAIR in html and case.number not in html.split("<form")[0]
    assert tracked_number(client) is None


def test_lookup_forgives_case_and_full_width_input(client, case, track_url):
    number = case.number.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-"})
    _lookup(client, track_url, f" {number} ", case.query_code.lower())
    assert tracked_number(client) == case.number


def test_failed_lookups_are_rate_limited_per_address(client, case, track_url):
    for _ in range(10):
        _lookup(client, track_url, case.number, "WRONG000")
    response = _lookup(client, track_url, case.number, case.query_code)
    assert response.status_code == 429
    assert "查询次数过多" in response.content.decode()
    assert tracked_number(client) is None
    ok = _lookup(client, track_url, case.number, case.query_code, REMOTE_ADDR="10.9.8.7")
    assert ok.status_code == 302


def test_the_session_expires_and_leaving_forgets_the_case(client, case, track_url):
    _lookup(client, track_url, case.number, case.query_code)
    with later(SESSION_TTL - 60):  # still within 30 minutes: shown, and the clock restarts
        assert case.number in client.get(track_url).content.decode()
    with later(2 * SESSION_TTL - 90):  # 29.5 minutes after that visit
        assert case.number in client.get(track_url).content.decode()
    with later(3 * SESSION_TTL):
        assert "请输入受理回执上的受理编号和查询码" in client.get(track_url).content.decode()
    assert tracked_number(client) is None
    _lookup(client, track_url, case.number, case.query_code)
    client.post(track_url, {"action": "leave"})
    assert tracked_number(client) is None


def test_result_and_feedback_show_once_fed_back_and_the_complainant_rates_once(
        client, case, track_url, portal, staff_of):
    case = _fed_back(case, portal, staff_of)
    _lookup(client, track_url, case.number, case.query_code)
    html = client.get(track_url).content.decode()
    assert "已更正核定，由单位承担" in html and "个人无需承担" in html
    assert 'value="rate"' in html and 'value="object"' in html
    assert "反映人情绪激动" not in html
    assert feedback_letter(case) is None and "下载" not in html  # none issued yet

    response = client.post(track_url, {"action": "rate", "rate-satisfaction": "satisfied",
                                       "rate-comment": "办得快"}, follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.FOLLOWED_UP and case.satisfaction == "satisfied"
    html = response.content.decode()
    assert "感谢您的评价" in html and "已回访：满意" in html and 'value="rate"' not in html

    again = client.post(track_url, {"action": "rate", "rate-satisfaction": "unsatisfied"})
    assert "您已经评价过，不能重复评价" in again.content.decode()
    case.refresh_from_db()
    assert case.satisfaction == "satisfied"


def test_the_complainant_may_object_with_a_reason(client, case, track_url, portal, staff_of):
    case = _fed_back(case, portal, staff_of)
    _lookup(client, track_url, case.number, case.query_code)
    empty = client.post(track_url, {"action": "object", "object-reason": ""})
    assert "请说明对处理结果的异议。" in empty.content.decode()
    response = client.post(track_url, {"action": "object", "object-reason": "更正金额仍不对。"},
                           follow=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.OBJECTED and case.objection_reason == "更正金额仍不对。"
    html = response.content.decode()
    assert "您的异议已提交" in html and 'value="object"' not in html


def test_actions_the_status_does_not_allow_are_refused_with_the_services_message(
        client, case, track_url):
    _lookup(client, track_url, case.number, case.query_code)
    html = client.post(track_url, {"action": "object", "object-reason": "不服"}).content.decode()
    assert "当前状态为“已受理”，不能提出异议。" in html
    html = client.post(track_url, {"action": "rate", "rate-satisfaction": "satisfied"}).content.decode()
    assert "不能回访" in html
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_actions_without_a_verified_case_go_back_to_the_lookup(client, case, track_url):
    response = client.post(track_url, {"action": "object", "object-reason": "不服"}, follow=True)
    assert "查询已超时" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACCEPTED


def test_the_receipt_lets_the_person_follow_the_case_without_typing_the_code(
        client, portal, form_url, valid_data, track_url):
    client.post(form_url, valid_data())
    case = Case.objects.get()
    assert case.number in client.get(track_url).content.decode()


def test_a_forged_or_tampered_tracking_cookie_proves_nothing(client, case, track_url):
    client.cookies[COOKIE_NAME] = case.number  # unsigned: anyone could write a case number
    html = client.get(track_url).content.decode()
    assert "请输入受理回执上的受理编号和查询码" in html and "no-store" in client.get(track_url)["Cache-Control"]
    _lookup(client, track_url, case.number, case.query_code)
    other = make_case(mechanism=case.mechanism)
    signed = client.cookies[COOKIE_NAME].value
    client.cookies[COOKIE_NAME] = signed.replace(case.number, other.number)
    assert other.number not in client.get(track_url).content.decode()
    assert tracked_number(client) is None
