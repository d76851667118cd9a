"""The admin pages: statistics for the office, leaders and superusers only; warnings and their
acknowledgement; typical cases marked by the office; the home panel and the case include."""

import io

import pandas as pd
import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from analytics.models import TypicalCase, Warning
from cases.actors import Actor

pytestmark = pytest.mark.django_db

STATS = "/admin/analytics/"


@pytest.fixture
def users(gaoping, yuanjiang, staff, leader, admin_user):
    return {"office": staff(gaoping, "office"), "leader": leader(gaoping),
            "clerk": staff(gaoping, "tax"), "other_office": staff(yuanjiang, "center"),
            "admin": admin_user}


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_statistics_page_for_the_office_with_tables_and_inline_charts(client, dataset, users):
    response = get(client, users["office"], STATS, mechanism="gaoping", period="2025-Q3")
    assert response.status_code == 200
    html = response.content.decode()
    assert "高平市社会保险费征缴争议处理情况分析（2025年第三季度）" in html
    assert "本期受理 <strong>4</strong> 件" in html
    assert html.count('src="data:image/png;base64,') >= 4  # drawn on the server, no CDN
    assert "滞纳金加收" in html and "督办情况" in html and "超期在办事项" in html
    assert dataset.c.number in html
    assert "<script src=\"http" not in html


@pytest.mark.parametrize("who,status", [("leader", 200), ("admin", 200), ("clerk", 403)])
def test_statistics_page_permissions(client, dataset, users, who, status):
    assert get(client, users[who], STATS, mechanism="gaoping").status_code == status


def test_another_mechanisms_office_cannot_read_ours(client, dataset, users):
    assert get(client, users["other_office"], STATS, mechanism="gaoping").status_code == 404
    assert get(client, users["other_office"], STATS).status_code == 200  # its own, by default


def test_periods_from_the_form(client, dataset, users):
    html = get(client, users["office"], STATS, mechanism="gaoping", start="2025-09-01",
               end="2025-09-30").content.decode()
    assert "2025年9月1日至2025年9月30日" in html and "本期受理 <strong>2</strong> 件" in html
    html = get(client, users["office"], STATS, mechanism="gaoping", period="2025-13").content.decode()
    assert "格式不对" in html


def test_downloads_carry_the_same_figures(client, dataset, users):
    client.force_login(users["leader"])
    response = client.get(reverse("analytics_admin:download", args=["xlsx"]),
                          {"mechanism": "gaoping", "period": "2025-Q3"})
    assert response.status_code == 200
    sheets = pd.read_excel(io.BytesIO(b"".join(response.streaming_content)), sheet_name=None)
    assert sheets["按月受理量"]["件数"].tolist() == [1, 1, 2]
    response = client.get(reverse("analytics_admin:download", args=["docx"]),
                          {"mechanism": "gaoping", "period": "2025-Q3"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"PK"
    client.force_login(users["clerk"])
    assert client.get(reverse("analytics_admin:download", args=["xlsx"])).status_code == 403


def test_warning_list_and_acknowledgement(client, gaoping, users, register):
    case = register(gaoping, Actor.staff(users["clerk"]), people_count=30)
    warning = Warning.objects.get()
    client.force_login(users["leader"])
    assert warning.message in client.get(reverse("analytics_admin:warnings")).content.decode()
    page = client.get(reverse("analytics_admin:warning", args=[warning.pk])).content.decode()
    assert case.number in page and "确认已处理" not in page  # leaders read only
    assert client.post(reverse("analytics_admin:warning", args=[warning.pk]),
                       {"note": "已知悉"}).status_code == 403
    client.force_login(users["office"])
    response = client.post(reverse("analytics_admin:warning", args=[warning.pk]), {"note": ""})
    assert response.status_code == 400
    response = client.post(reverse("analytics_admin:warning", args=[warning.pk]),
                           {"note": "已会同公安稳控"})
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.note == "已会同公安稳控" and warning.acknowledged_by == users["office"]
    assert warning.message not in client.get(reverse("analytics_admin:warnings")).content.decode()
    assert warning.message in client.get(reverse("analytics_admin:warnings"),
                                         {"state": "done"}).content.decode()
    client.force_login(users["clerk"])
    assert client.get(reverse("analytics_admin:warnings")).status_code == 403


def test_home_panel_shows_open_warnings_to_office_not_to_clerks(client, gaoping, users, register):
    register(gaoping, Actor.staff(users["clerk"]), people_count=30)
    client.force_login(users["office"])
    html = client.get("/admin/").content.decode()
    assert "高平市 · 风险预警" in html and "涉及 30 人" in html
    client.force_login(users["clerk"])
    assert "风险预警" not in client.get("/admin/").content.decode()


def test_case_include_shows_warnings_and_the_typical_mark(gaoping, users, register):
    case = register(gaoping, Actor.staff(users["clerk"]), people_count=30)
    request = RequestFactory().get("/")
    request.user = users["office"]
    html = render_to_string("analytics/includes/case_warnings.html", {"case": case}, request=request)
    assert "群体性争议" in html and "标记为典型案例" in html
    request.user = users["clerk"]
    html = render_to_string("analytics/includes/case_warnings.html", {"case": case}, request=request)
    assert "涉及 30 人" in html and "标记为典型案例" not in html


def test_typical_case_marking_refuses_personal_data(client, dataset, users):
    case = dataset.a
    url = reverse("analytics_admin:typical_mark", args=[case.pk])
    client.force_login(users["clerk"])
    assert client.get(url).status_code == 403
    client.force_login(users["office"])
    assert client.get(url).status_code == 200
    good = {"title": "职工对滞纳金有异议，核实后更正", "summary": "王某反映单位欠缴导致加收滞纳金。\n税务部门核实后更正。",
            "lessons": "单位欠费产生的滞纳金由单位承担。"}
    for field, bad in (("summary", f"{case.complainant_name}反映……"),
                       ("lessons", f"联系电话 {case.complainant_phone}"),
                       ("title", case.complainant_id_number)):
        response = client.post(url, {**good, field: bad})
        assert response.status_code == 400 and "脱敏" in response.content.decode()
    assert not TypicalCase.objects.exists()
    assert client.post(url, good).status_code == 302
    typical = TypicalCase.objects.get()
    assert typical.marked_by == users["office"] and typical.history.count() == 1
    client.post(url, {**good, "title": "滞纳金争议经核实更正"})
    assert TypicalCase.objects.get().title == "滞纳金争议经核实更正"
    assert typical.history.count() == 2
    listing = client.get(reverse("analytics_admin:typical_list")).content.decode()
    assert "滞纳金争议经核实更正" in listing
    response = client.get(reverse("analytics_admin:typical_download"),
                          {"mechanism": "gaoping", "period": "2025"})
    assert response.status_code == 200


def test_warning_rules_are_edited_by_the_office_only(client, gaoping, users):
    rule = gaoping.warning_rules.get(code="group-size")
    edit = f"/admin/analytics/warningrule/edit/{rule.pk}/"
    client.force_login(users["office"])
    assert client.get("/admin/analytics/warningrule/").status_code == 200
    response = client.post(edit, {"name": rule.name, "params": '{"min_people": 1}',
                                  "notify_police": "on", "is_active": "on"})
    assert response.status_code == 200 and "不能小于 2" in response.content.decode()
    response = client.post(edit, {"name": rule.name, "params": '{"min_people": 20}',
                                  "notify_police": "on", "is_active": "on"})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.params == {"min_people": 20} and rule.history.first().history_user == users["office"]
    client.force_login(users["other_office"])
    assert client.get(edit).status_code in (302, 403, 404)
