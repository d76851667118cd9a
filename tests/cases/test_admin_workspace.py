"""The staff workspace, as a clerk of one unit, a clerk of another, the office and a leader."""

import io

import pandas as pd
import pytest
from django.urls import reverse

from cases.actors import Actor
from cases.models import Case, CaseStatus
from cases.services import handling

pytestmark = pytest.mark.django_db

LEDGER = "/admin/cases/case/"


def inspect_url(case):
    return reverse("cases_case_modeladmin_inspect", args=[case.pk])


@pytest.fixture
def setup(gaoping, yuanjiang, staff, leader, register):
    petition = staff(gaoping, "petition")
    case = register(gaoping, Actor.staff(petition), complainant_name="王建国")
    case = handling.case_transfer(case=case, actor=Actor.staff(petition),
                                  lead_unit=gaoping.units.get(code="tax"))
    other = register(gaoping, Actor.staff(staff(gaoping, "hrss")), complainant_name="赵丽华",
                     employer_name="高平市泫氏建筑有限公司")
    far = register(yuanjiang, Actor.staff(staff(yuanjiang, "tax")), complainant_name="孙明",
                   channel=yuanjiang.channels.get(code="hotline-12345"))
    return {"case": case, "other": other, "far": far, "petition": petition,
            "tax": staff(gaoping, "tax"), "police": staff(gaoping, "police"),
            "office": staff(gaoping, "office"), "leader": leader(gaoping)}


def numbers_listed(client, user, query=""):
    client.force_login(user)
    response = client.get(LEDGER + query)
    assert response.status_code == 200
    html = response.content.decode()
    return {n for n in Case.objects.values_list("number", flat=True) if n in html}, html


def test_ledger_shows_each_user_only_what_the_policy_allows(client, setup):
    s = setup
    assert numbers_listed(client, s["tax"])[0] == {s["case"].number}
    assert numbers_listed(client, s["police"])[0] == set()
    assert numbers_listed(client, s["office"])[0] == {s["case"].number, s["other"].number}
    assert numbers_listed(client, s["leader"])[0] == {s["case"].number, s["other"].number}
    listed, html = numbers_listed(client, s["tax"])
    assert "王*" in html and "王建国" not in html  # masked in the list
    assert "办理期限" in html


def test_ledger_search_routes_identifiers_to_exact_matches(client, setup):
    s = setup
    office = s["office"]
    assert numbers_listed(client, office, f"?q={s['case'].number}")[0] == {s["case"].number}
    assert numbers_listed(client, office, f"?q={s['other'].complainant_id_number}")[0] == {s["other"].number}
    assert numbers_listed(client, office, f"?q={s['other'].complainant_phone}")[0] == {s["other"].number}
    assert numbers_listed(client, office, "?q=泫氏建筑")[0] == {s["other"].number}
    assert numbers_listed(client, office, "?q=赵丽")[0] == {s["other"].number}
    # Two characters (PostgreSQL: the character-pair index): anywhere in the name, contiguous.
    assert numbers_listed(client, office, "?q=丽华")[0] == {s["other"].number}
    assert numbers_listed(client, office, "?q=建筑")[0] == {s["other"].number}
    assert numbers_listed(client, office, "?q=赵华")[0] == set()
    assert numbers_listed(client, office, "?q=丽")[0] == {s["other"].number}
    assert numbers_listed(client, office, "?status=transferred")[0] == {s["case"].number}


def test_ledger_query_count_does_not_grow_with_rows(client, setup, gaoping, staff, register,
                                                     django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(setup["office"])
    with CaptureQueriesContext(connection) as few:
        client.get(LEDGER)
    clerk = Actor.staff(staff(gaoping, "petition"))
    for _ in range(12):
        register(gaoping, clerk)
    with CaptureQueriesContext(connection) as many:
        client.get(LEDGER)
    assert len(many) == len(few)
    counts = [q["sql"] for q in many.captured_queries if q["sql"].upper().startswith("SELECT COUNT")]
    assert len(counts) == 1, counts


def test_case_page_by_url_only_for_those_who_may_see_it(client, setup):
    s = setup
    for who, status in (("tax", 200), ("petition", 200), ("office", 200), ("leader", 200), ("police", 404)):
        client.force_login(s[who])
        assert client.get(inspect_url(s["case"])).status_code == status, who
    client.force_login(s["office"])
    assert client.get(inspect_url(s["far"])).status_code == 404


def test_case_page_offers_exactly_the_users_transitions_and_they_work(client, setup):
    s = setup
    url = reverse("cases_admin:transition", args=[s["case"].pk, "receive"])
    client.force_login(s["tax"])
    page = client.get(inspect_url(s["case"])).content.decode()
    assert "签收" in page and "移交" in page
    client.force_login(s["leader"])
    page = client.get(inspect_url(s["case"])).content.decode()
    assert "您当前没有可以执行的操作" in page
    assert client.post(url, {"receive-note": ""}).status_code == 400  # 当前状态/无权: refused, nothing changed
    assert Case.objects.get(pk=s["case"].pk).status == CaseStatus.TRANSFERRED
    client.force_login(s["police"])
    assert client.post(url, {"receive-note": ""}).status_code == 404
    client.force_login(s["tax"])
    response = client.post(url, {"receive-note": "已签收"})
    assert response.status_code == 302
    assert Case.objects.get(pk=s["case"].pk).status == CaseStatus.IN_PROGRESS


def test_an_invalid_transition_form_keeps_what_was_typed(client, setup):
    s = setup
    client.force_login(s["tax"])
    url = reverse("cases_admin:transition", args=[s["case"].pk, "settle"])
    handling.case_receive(case=s["case"], actor=Actor.staff(s["tax"]))
    response = client.post(url, {"settle-method": "mediation", "settle-result": "经调解达成一致",
                                 "settle-agreement": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "调解、和解结案须填写达成的协议内容" in html
    assert "经调解达成一致" in html
    assert Case.objects.get(pk=s["case"].pk).status == CaseStatus.IN_PROGRESS


def test_history_tab_shows_a_real_diff_after_an_edit(client, setup):
    s = setup
    client.force_login(s["tax"])
    client.post(reverse("cases_admin:transition", args=[s["case"].pk, "receive"]), {"receive-note": ""})
    html = client.get(inspect_url(s["case"])).content.decode()
    history = html[html.index('id="history"'):html.index('id="documents"')]
    assert "已转办待签收" in history and "办理中" in history  # status: from → to, as labels
    assert "gp_tax" in history and "签收" in history
    assert "国家税务总局高平市税务局" in history  # lead unit shown by name, not id


def test_excel_export_holds_exactly_the_filtered_rows(client, setup):
    client.force_login(setup["office"])
    response = client.get(LEDGER + "?status=accepted&export=xlsx")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    frame = pd.read_excel(io.BytesIO(body), header=2)
    assert list(frame["受理编号"]) == [setup["other"].number]
    assert frame.loc[0, "反映人"] == "赵**"
    assert "*" in str(frame.loc[0, "证件号码"])
    assert "台账" in pd.read_excel(io.BytesIO(body), header=None).iloc[0, 0]


def test_staff_intake_registers_and_transfers_on_one_screen(client, gaoping, staff):
    clerk = staff(gaoping, "petition")
    client.force_login(clerk)
    url = reverse("cases_admin:intake")
    assert client.get(url).status_code == 200
    data = {
        "mechanism": "gaoping", "channel": gaoping.channels.get(code="hotline-12345").pk,
        "channel_ticket": "GP12345-0001", "accepting_unit": gaoping.units.get(code="petition").pk,
        "complainant_type": "individual", "complainant_name": "李秀英",
        "complainant_id_number": "11010519491231002X", "complainant_phone": "13912345678",
        "category": gaoping.categories.get(code="refund").pk, "facts": "退费申请三个月未到账。",
        "people_count": "1", "action": "transfer", "lead_unit": gaoping.units.get(code="tax").pk,
        "submit": "save",
    }
    bad = dict(data, complainant_id_number="110105194912310021")
    response = client.post(url, bad)
    assert response.status_code == 200 and "校验位不正确" in response.content.decode()
    assert "退费申请三个月未到账。" in response.content.decode()
    assert not Case.objects.exists()
    response = client.post(url, data)
    case = Case.objects.get()
    assert response.status_code == 302 and case.status == CaseStatus.TRANSFERRED
    assert case.lead_unit.code == "tax" and case.channel_ticket == "GP12345-0001"
    check = client.post(url, dict(data, submit="check", channel_ticket="GP12345-0002"))
    assert case.number in check.content.decode()  # the same complainant: a possible duplicate


def test_staff_intake_settles_on_the_spot(client, gaoping, staff):
    client.force_login(staff(gaoping, "tax"))
    response = client.post(reverse("cases_admin:intake"), {
        "mechanism": "gaoping", "channel": gaoping.channels.get(code="service-hall").pk,
        "accepting_unit": gaoping.units.get(code="tax").pk, "complainant_type": "employer",
        "complainant_name": "高平市丹河商贸有限公司", "category": gaoping.categories.get(code="late-fee").pk,
        "facts": "询问滞纳金计算方法。", "people_count": "1", "action": "settle_on_spot",
        "result": "已当场解释滞纳金按日加收万分之五。", "feedback_method": "oral", "submit": "save",
    })
    assert response.status_code == 302
    assert Case.objects.get().status == CaseStatus.FED_BACK


def test_meetings_schedule_and_record(client, gaoping, staff, register):
    office = staff(gaoping, "office")
    case = register(gaoping, Actor.staff(office), tier=gaoping.tiers.get(code="special"))
    handling.case_escalate(case=case, actor=Actor.staff(office), reason="需集体商议")
    client.force_login(office)
    form = client.get(reverse("cases_admin:meeting_schedule")).content.decode()
    assert case.number in form
    response = client.post(reverse("cases_admin:meeting_schedule"), {
        "mechanism": "gaoping", "scheduled_at": "2026-11-26T09:30", "place": "税务局会议室",
        "chair": "常务副市长", "cases": [case.pk]})
    assert response.status_code == 302
    record_url = response["Location"]
    missing = client.post(record_url, {"attendees": "税务局 张某"})
    assert missing.status_code == 400 and case.number in missing.content.decode()
    client.post(record_url, {"attendees": "税务局 张某", f"decision-{case.pk}": "由税务局退还多收费款。"})
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DELIBERATED
    client.force_login(staff(gaoping, "tax"))
    assert client.get(record_url).status_code == 404


def test_dashboard_panels(client, setup):
    client.force_login(setup["tax"])
    html = client.get("/admin/").content.decode()
    assert "待签收" in html and "超期" in html
    client.force_login(setup["office"])
    html = client.get("/admin/").content.decode()
    assert "各单位办理情况" in html and "待会商事项" in html


def test_a_ledger_beyond_the_count_cap_says_about_how_many(client, setup, monkeypatch):
    from django.db import connection

    from cases.modeladmin import ledger

    monkeypatch.setattr(ledger, "COUNT_CAP", 1)
    listed, html = numbers_listed(client, setup["office"])
    assert listed == {setup["case"].number, setup["other"].number}  # the page itself is exact
    if connection.vendor == "postgresql":  # the planner's estimate instead of a full COUNT
        assert "共约" in html and "（估算）" in html
    else:  # SQLite deployments are county-sized: counted exactly
        assert "共约" not in html


def test_ledger_pages_hold_the_right_rows_newest_first(client, setup, gaoping, staff, register):
    from cases.modeladmin.ledger import CaseAdmin

    per_page = CaseAdmin.list_per_page
    clerk = Actor.staff(staff(gaoping, "petition"))
    for _ in range(per_page + 3):
        register(gaoping, clerk)
    ordered = list(Case.objects.filter(mechanism=gaoping).order_by("-accepted_at", "-pk")
                   .values_list("number", flat=True))
    first = numbers_listed(client, setup["office"])[0]
    second = numbers_listed(client, setup["office"], "?p=2")[0]
    assert first == set(ordered[:per_page])
    assert second == set(ordered[per_page:])
    filtered = numbers_listed(client, setup["office"], "?status=transferred&p=1")[0]
    assert filtered == {setup["case"].number}
