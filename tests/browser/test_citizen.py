"""The complainant on a 375-px phone: files a complaint with a photo and tracks it (journey 1);
once the units have settled it and fed back, rates the result and objects to it from the
tracking page (journey 5). One test, one database flush: the same case all along."""

from __future__ import annotations

import random
import re

import pytest

from cases.actors import Actor
from cases.identity import make_mobile, make_resident_id
from cases.models import Case, CaseStatus
from tests.browser.conftest import photo_bytes

pytestmark = pytest.mark.browser


def test_citizen_files_and_tracks_a_complaint_then_rates_and_objects(world, journey, person):
    rng = random.Random(2026)
    j = journey("1-citizen-files-and-tracks", phone=True)
    page = j.goto("/")
    j.see("社会保险费征缴争议一站结", "最多诉一次")
    j.no_horizontal_scroll()
    j.shot("home")

    with page.expect_navigation():
        page.get_by_role("navigation", name="主导航").get_by_role("link", name="我要反映").click()
    # One city online: 我要反映 leads straight to its form.
    j.see("高平市·网上反映", "由高平市社会保险费征缴争议处置工作专班办公室受理", "个人信息处理说明",
          "反映人", "争议事项", "证明材料")
    j.no_horizontal_scroll()
    j.shot("empty-form")

    # Submitting with nothing filled in names what is missing, in Chinese, keeping the page.
    j.submit("form.intake-form button[type=submit]")
    j.see("请填写姓名或单位名称。", "请阅读并勾选同意《个人信息处理说明》后再提交。")
    assert Case.objects.count() == 0
    j.shot("errors-shown")

    page.get_by_label("个人", exact=True).check()
    j.see("姓名", "身份证号")  # the labels follow the chosen type
    page.fill("#id_complainant_name", "李秀英")
    page.fill("#id_complainant_id_number", make_resident_id(rng))
    page.fill("#id_complainant_phone", make_mobile(rng))
    page.fill("#id_employer_name", "高平市鑫源煤业有限公司")
    page.select_option("#id_category", label="滞纳金加收")
    page.fill("#id_facts", "单位2025年3月起未按时申报，税务部门加收滞纳金，本人认为不应由个人承担。")
    page.fill("#id_request", "请求核实并退还多收的滞纳金。")
    page.fill("#id_people_count", "3")
    page.locator("input[type=file][name=attachments]").set_input_files(files=[
        {"name": "滞纳金通知.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes("JPEG")}])
    page.locator("#id_privacy_consent").check()
    j.shot("filled-in")

    j.submit("form.intake-form button[type=submit]")
    j.see("网上受理回执", "您反映的事项已受理。", "1 个文件")
    number = page.locator("#case-number").inner_text().strip()
    code = page.locator("#query-code").inner_text().strip()
    case = Case.objects.get()
    assert (number, code) == (case.number, case.query_code)
    assert case.attachments.count() == 1 and case.channel.is_online_form
    j.see("李**")  # the receipt masks the name: it may be printed or photographed
    j.no_horizontal_scroll()
    j.shot("receipt")

    # 查看办理进度 on the receipt opens this case in the same browser session.
    with page.expect_navigation():
        page.get_by_role("link", name="查看办理进度").click()
    j.see(number, "当前状态：已受理", "您反映的事项已受理，正在确定由哪个部门办理。", "办理经过")
    j.shot("tracking-from-receipt")
    j.submit(page.get_by_role("button", name="退出查询"))
    j.see("请输入受理回执上的受理编号和查询码。")

    # Later, on any phone: the number and code as printed on the receipt.
    page.get_by_label("受理编号").fill(number)
    page.get_by_label("查询码").fill("WRONG123")
    j.submit("form.lookup button[type=submit]")
    j.see("受理编号或查询码不正确，请核对后重新输入。")
    j.shot("wrong-code")

    page.get_by_label("查询码").fill(code)
    j.submit("form.lookup button[type=submit]")
    j.see(number, "当前状态：已受理", re.compile("转办(剩余|今日到期)"), "办理经过")
    assert code not in page.url
    j.no_horizontal_scroll()
    j.shot("tracking")

    # Meanwhile, in the offices (journeys 2 and 3 do this in the browser).
    case = _settle_and_feed_back(case, world, person)
    assert case.status == CaseStatus.FED_BACK

    # Days later the citizen comes back, typing what the receipt says.
    j = journey("5-citizen-rates-and-objects", phone=True)
    page = j.goto("/track/")
    page.get_by_label("受理编号").fill(number.lower())  # typed in lower case on a phone
    page.get_by_label("查询码").fill(code)
    j.submit("form.lookup button[type=submit]")
    j.see("当前状态：已反馈", "处理结果", "滞纳金已更正核定", "评价办理情况", "对处理结果有异议")
    j.no_horizontal_scroll()
    j.shot("fed-back")

    # Submitting a rating without choosing says what is missing.
    j.submit(page.get_by_role("button", name="提交评价"))
    j.see("请选择满意程度。")
    j.shot("rating-missing")

    page.get_by_label("不满意").check()
    page.get_by_label("意见和建议").fill("退费时间太长，希望尽快退还。")
    j.submit(page.get_by_role("button", name="提交评价"))
    j.see("感谢您的评价。", "当前状态：已回访", "您的评价", "不满意")
    assert page.get_by_role("button", name="提交评价").count() == 0
    j.shot("rated")

    page.get_by_label("异议理由").fill("退还金额与本人计算的不一致，少退了2025年4月的滞纳金。")
    j.submit(page.get_by_role("button", name="提出异议"))
    j.see("您的异议已提交，我们将尽快处理并答复您。", "当前状态：有异议",
          "您对处理结果提出了异议，我们正在处理。")
    j.no_horizontal_scroll()
    j.shot("objected")

    case.refresh_from_db()
    assert case.status == CaseStatus.OBJECTED and case.satisfaction == "unsatisfied"
    assert "少退了2025年4月" in case.objection_reason
    assert re.search("提出了异议", " ".join(case.events.values_list("public_text", flat=True)))


def _settle_and_feed_back(case: Case, mechanism, person) -> Case:
    """The office transfers the online case to the tax bureau, which settles it; the office
    (the accepting unit of online cases) feeds back — through the services."""
    from cases.services.closing import case_feedback
    from cases.services.handling import case_receive, case_settle, case_transfer

    office = Actor.staff(person("office", "gp_office", "赵敏"))
    tax = Actor.staff(person("tax", "gp_tax", "钱伟"))
    case = case_transfer(case=case, actor=office, lead_unit=mechanism.units.get(code="tax"))
    case = case_receive(case=case, actor=tax)
    case = case_settle(case=case, actor=tax, method="correction",
                       result="经核查，滞纳金系单位逾期申报所致，已更正核定，个人部分不再加收。")
    return case_feedback(case=case, actor=office, method="phone",
                         content="已电话告知：滞纳金已更正核定，多收部分将在15个工作日内退还。")
