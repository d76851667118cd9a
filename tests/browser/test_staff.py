"""Staff in the Wagtail admin at 1366×768: the hotline clerk registers a 12345 call and transfers
it; the handling unit signs for it and settles it and the accepting unit feeds back; the office
escalates a case, holds the deliberation, and drafts and downloads the minutes and the written
handling opinion."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.actors import Actor
from cases.models import Case, CaseStatus, Meeting
from tests.browser.conftest import docx_text

pytestmark = pytest.mark.browser

FACTS = "来电人称2025年3月起单位未按时申报，税务部门向其加收滞纳金，认为不应由个人承担。"


def act(j, transition: str, fields: dict[str, str], *, select: dict[str, str] | None = None):
    """On the case page: open the transition's panel, fill it in and submit it."""
    page = j.page
    page.locator(f"form[action$='/do/{transition}/']").locator("xpath=..").locator("summary").click()
    for name, value in fields.items():
        page.fill(f"#id_{transition}-{name}", value)
    for name, label in (select or {}).items():
        page.select_option(f"#id_{transition}-{name}", label=label)
    j.submit(page.locator(f"form[action$='/do/{transition}/'] button[type=submit]"))


def open_from_ledger(j, case: Case):
    """What staff do: the 争议台账 menu, then the case number in the list."""
    page = j.page
    with page.expect_navigation():
        page.locator("#wagtail-sidebar").get_by_role("link", name="争议台账").click()
    j.see("争议台账", case.number)
    with page.expect_navigation():
        page.get_by_role("link", name=case.number).first.click()
    j.see(case.number, "办理记录", "修改历史")


def _registered(mechanism, clerk, **overrides) -> Case:
    from tests.factories import make_case

    values = dict(mechanism=mechanism, actor=Actor.staff(clerk),
                  channel=mechanism.channels.get(code="hotline-12345"), channel_ticket="GP12345-0815",
                  accepting_unit=mechanism.units.get(code="gov-office"), complainant_name="周建华",
                  category=mechanism.categories.get(code="late-fee"),
                  tier=mechanism.tiers.get(code="general"), facts=FACTS)
    values.update(overrides)
    return make_case(**values)


def test_12345_call_registered_transferred_signed_for_settled_and_fed_back(world, person,
                                                                            journey):
    """Journey 2 (the hotline clerk) and journey 3 (the tax bureau, then the clerk again) on
    the same case, as it happens: one database flush for both."""
    person("gov-office", "gp_hotline", "王芳")
    person("tax", "gp_tax", "钱伟")
    hotline = journey("2-hotline-registers-and-transfers")
    page = hotline.page
    hotline.login("gp_hotline", "王芳")
    hotline.shot("dashboard")

    with page.expect_navigation():
        page.locator("#wagtail-sidebar").get_by_role("link", name="登记争议").click()
    hotline.see("登记争议", "受理渠道", "热线/转办工单号")
    page.select_option("#id_channel", label="12345政务服务便民热线")
    page.select_option("#id_accepting_unit", label="高平市人民政府办公室")
    page.fill("#id_complainant_name", "周建华")
    page.fill("#id_complainant_phone", "13903561234")
    page.select_option("#id_category", label="滞纳金加收")
    page.fill("#id_facts", FACTS)
    page.fill("#id_request", "请求核实并免除个人承担的滞纳金。")
    page.select_option("#id_tier", label="一般事项")
    hotline.shot("call-typed-in")

    # The hotline's ticket number is required for a 12345 call; nothing typed is lost.
    hotline.submit("button[name=submit][value=save]")
    hotline.see("登记未完成", "“12345政务服务便民热线”转来的事项请填写工单号。")
    assert page.input_value("#id_complainant_name") == "周建华"
    assert Case.objects.count() == 0
    hotline.shot("ticket-missing")

    page.fill("#id_channel_ticket", "GP12345-20261130-0815")
    hotline.submit("button[name=submit][value=check]")
    hotline.see("未发现同一反映人或同一单位同类的近期事项。")
    hotline.submit("button[name=submit][value=save]")
    case = Case.objects.get()
    hotline.see(f"已登记，受理编号 {case.number}，查询码 {case.query_code}。", "已受理",
                "12345政务服务便民热线，工单号 GP12345-20261130-0815",
                "高平市人民政府办公室（首问负责）")
    hotline.shot("registered")

    act(hotline, "transfer", {"note": "请税务局核实滞纳金加收依据。"},
        select={"lead_unit": "国家税务总局高平市税务局"})
    hotline.see(f"{case.number}：已转办。", "已转办待签收", "已转交国家税务总局高平市税务局办理")
    hotline.shot("transferred")
    case.refresh_from_db()
    assert case.status == CaseStatus.TRANSFERRED and case.lead_unit.code == "tax"
    assert case.accepting_unit.code == "gov-office"

    # Journey 3: the tax bureau's clerk, at another desk.
    tax = journey("3-unit-signs-settles-feeds-back")
    tax.login("gp_tax", "钱伟")
    open_from_ledger(tax, case)
    tax.see("已转办待签收", "签收")
    tax.shot("case-to-sign-for")

    act(tax, "receive", {"note": "已安排征收科核查。"})
    tax.see(f"{case.number}：已签收。", "办理中", "国家税务总局高平市税务局已签收，正在办理")
    tax.shot("signed-for")

    act(tax, "settle", {"result": "经核查，该单位逾期申报系系统故障所致，滞纳金已予更正，个人无需承担。"},
        select={"method": "更正核定"})
    tax.see(f"{case.number}：已办结。", "已办结", "更正核定：经核查")
    tax.shot("settled")

    # Back at the hotline (首问负责): the clerk who took the call feeds the result back.
    hotline.continue_in(tax)
    open_from_ledger(hotline, case)
    hotline.see("已办结", "反馈结果")
    act(hotline, "feedback", {"content": "已电话告知来电人：滞纳金已更正，个人无需承担。"},
        select={"method": "电话"})
    hotline.see(f"{case.number}：已记录反馈。", "已反馈", "已向您反馈处理结果", "已电话告知来电人")
    hotline.shot("fed-back")
    case.refresh_from_db()
    assert case.status == CaseStatus.FED_BACK and case.settled_by_unit.code == "tax"


def test_office_escalates_deliberates_and_downloads_the_documents(world, person, journey,
                                                                   tmp_path):
    from cases.services.handling import case_receive, case_transfer

    hotline = person("gov-office", "gp_hotline", "王芳")
    tax = person("tax", "gp_tax", "钱伟")
    person("office", "gp_office", "赵敏")
    case = _registered(world, hotline, complainant_name="吴秀兰", people_count=12,
                       facts="12名职工反映单位破产前欠缴社会保险费，税务、人社、法院意见不一。")
    case = case_transfer(case=case, actor=Actor.staff(hotline), lead_unit=world.units.get(code="tax"))
    case = case_receive(case=case, actor=Actor.staff(tax))

    j = journey("4-office-deliberates-and-documents")
    page = j.page
    j.login("gp_office", "赵敏")
    open_from_ledger(j, case)
    act(j, "escalate", {"reason": "涉及破产企业欠费，需税务、人社、法院共同研究。"})
    j.see(f"{case.number}：已提请会商。", "已提请会商", "已提请工作专班集体商议研究")
    j.shot("escalated")

    with page.expect_navigation():
        page.locator("#wagtail-sidebar").get_by_role("link", name="安排会商").click()
    j.see("安排会商", case.number)
    assert page.is_checked(f"input[name=cases][value='{case.pk}']")  # the cases due are ticked
    page.fill("#id_title", "2026年第12次集体商议")
    day = timezone.localdate() + timedelta(days=2)
    page.fill("#id_scheduled_at", f"{day:%Y-%m-%d}T09:30")
    page.fill("#id_place", "市税务局三楼会议室")
    page.fill("#id_chair", "常务副市长")
    j.shot("meeting-planned")
    j.submit(page.get_by_role("button", name="安排会商"))
    meeting = Meeting.objects.get()
    j.see("已安排“2026年第12次集体商议”，议题 1 件。",
          f"{day.year}年{day.month}月{day.day}日 09:30，市税务局三楼会议室")

    page.fill("#attendees", "税务局、人社局、法院、司法局")
    page.fill(f"#decision-{case.pk}", "由税务局牵头，人社局配合核定欠费金额，法院依破产程序申报债权。")
    j.shot("meeting-minutes-typed")
    j.submit(page.get_by_role("button", name="记录会商情况"))
    j.see("会商情况已记录，各事项的会商意见已写入办理记录。")
    meeting.refresh_from_db()
    case.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD and case.status == CaseStatus.DELIBERATED

    # 会议纪要: drafted from 公文 › 拟制纪要/通报, downloaded as Word.
    sidebar = page.locator("#wagtail-sidebar")
    sidebar.get_by_role("button", name="公文").click()
    with page.expect_navigation():
        sidebar.get_by_role("link", name="拟制纪要/通报").click()
    j.see("拟制会议纪要和通报")
    page.select_option("#id_meeting", index=1)
    j.submit(page.get_by_role("button", name="拟制会议纪要"))
    j.see("已拟稿", "会议纪要", "第1版")
    j.shot("minutes-drafted")
    minutes = _download(page, tmp_path)
    assert "2026年第12次集体商议" in minutes or "集体商议" in minutes
    assert "由税务局牵头" in minutes

    # 书面处理意见: issued on the case page, then drafted from its documents panel.
    j.goto(f"/admin/cases/case/inspect/{case.pk}/")
    act(j, "issue_opinion", {"opinion": "由税务局牵头，人社局配合核定欠费金额，法院依破产程序申报债权。"},
        select={"lead_unit": "国家税务总局高平市税务局"})
    j.see(f"{case.number}：已出具书面处理意见。", "已出具书面处理意见")
    j.shot("opinion-issued")
    j.submit(page.locator("#documents").get_by_role("button", name="书面处理意见"))
    j.see("已拟稿", "书面处理意见", case.number)
    j.shot("opinion-drafted")
    opinion = _download(page, tmp_path)
    assert case.number in opinion and "法院依破产程序申报债权" in opinion


def _download(page, folder) -> str:
    """Click 下载 Word on a document page; the file must be a .docx that python-docx opens."""
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word").first.click()
    download = info.value
    assert download.suggested_filename.endswith(".docx"), download.suggested_filename
    target = folder / download.suggested_filename
    download.save_as(target)
    return docx_text(target)
