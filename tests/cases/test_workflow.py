"""Cases walk every path of the lifecycle table, for both seed mechanisms and a third one."""

import pytest

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Case, CaseStatus, TimelineEvent
from cases.policy import allowed_transitions
from cases.services import closing, handling
from cases.services.intake import case_register
from cases.services.mechanisms import mechanism_load
from cases.services.meetings import meeting_record, meeting_schedule
from tests.cases.conftest import at
from tests.cases.test_mechanisms import THIRD_CITY

pytestmark = pytest.mark.django_db


def statuses(case: Case) -> list[str]:
    return list(case.events.exclude(to_status="").values_list("to_status", flat=True))


def test_gaoping_general_case_from_hotline_to_archive(gaoping, staff, register):
    petition = Actor.staff(staff(gaoping, "petition"))
    tax = Actor.staff(staff(gaoping, "tax"))
    case = register(gaoping, petition)
    assert case.number.startswith("GP-") and case.status == CaseStatus.ACCEPTED
    assert case.tier.name == "一般事项" and case.accepting_unit.code == "petition"
    assert case.transfer_due is not None and case.running_stage == "transfer"

    case = handling.case_transfer(case=case, actor=petition, lead_unit=gaoping.units.get(code="tax"))
    assert case.status == CaseStatus.TRANSFERRED and case.lead_unit.code == "tax"
    case = handling.case_receive(case=case, actor=tax)
    assert case.status == CaseStatus.IN_PROGRESS and case.running_stage == "settle"
    case = handling.case_settle(case=case, actor=tax, method="mediation",
                                result="经调解，单位承担滞纳金。", agreement="单位于10日内缴清滞纳金。")
    assert case.settled_by_unit.code == "tax" and case.due_date is None
    # 首问负责: the accepting unit (信访) feeds back, not the handling unit.
    with pytest.raises(CaseError, match="无权"):
        closing.case_feedback(case=case, actor=tax, method="phone", content="已处理")
    case = closing.case_feedback(case=case, actor=petition, method="phone",
                                 content="经调解，滞纳金由单位承担。", employer_content="请按协议缴纳。")
    case = closing.case_follow_up(case=case, actor=petition, satisfaction="satisfied")
    case = closing.case_archive(case=case, actor=petition)
    assert case.status == CaseStatus.ARCHIVED and case.archive_number
    assert statuses(case) == ["accepted", "transferred", "in_progress", "settled", "fed_back",
                              "followed_up", "archived"]
    # Archived is read-only: nothing may run from it, for anyone.
    assert allowed_transitions(petition, case) == []
    assert allowed_transitions(Actor.staff(staff(gaoping, "office")), case) == []


def test_simple_case_settled_on_the_spot(gaoping, staff, register):
    window = Actor.staff(staff(gaoping, "tax"))
    case = register(gaoping, window, channel=gaoping.channels.get(code="service-hall"))
    case = closing.case_settle_on_spot(case=case, actor=window, result="当场解释滞纳金政策，缴费人认可。",
                                       feedback_method="oral")
    assert case.status == CaseStatus.FED_BACK
    assert case.tier.name == "简易事项" and case.fed_back_at and case.settled_by_unit.code == "tax"
    assert [e.action for e in case.events.all()] == ["register", "classify", "settle_on_spot"]
    closing.case_archive(case=case, actor=window)


def test_special_case_through_deliberation_reopened_after_unsatisfied_follow_up(gaoping, staff, register):
    tax = Actor.staff(staff(gaoping, "tax"))
    hrss = Actor.staff(staff(gaoping, "hrss"))
    office = Actor.staff(staff(gaoping, "office"))
    case = register(gaoping, tax, category=gaoping.categories.get(code="benefits"))
    case = handling.case_transfer(case=case, actor=tax, lead_unit=gaoping.units.get(code="hrss"))
    case = handling.case_receive(case=case, actor=hrss)
    case = handling.case_escalate(case=case, actor=hrss, reason="涉及统模式前历史欠费，本部门无法办结。")
    assert case.status == CaseStatus.ESCALATED and case.tier.name == "特殊事项"
    assert case.running_stage == "deliberate" and case.deliberate_due

    meeting = meeting_schedule(mechanism=gaoping, actor=office, scheduled_at=at("2026-11-25 09:00"),
                               place="税务局三楼会议室", chair="常务副市长", cases=[case])
    with pytest.raises(CaseError, match="会商意见"):
        meeting_record(meeting=meeting, actor=office, attendees="税务局、人社局")
    meeting_record(meeting=meeting, actor=office, attendees="市政府办公室 李某，税务局 张某，人社局 王某",
                   absentees="公安局 赵某", decisions={case.pk: "由人社局核定补缴金额，税务局据此征收。"})
    case.refresh_from_db()
    assert case.status == CaseStatus.DELIBERATED and "人社局核定" in case.opinion
    case = handling.case_issue_opinion(case=case, actor=office, lead_unit=gaoping.units.get(code="hrss"))
    case = handling.case_settle(case=case, actor=hrss, method="correction", result="已重新核定补缴金额。")
    case = closing.case_feedback(case=case, actor=tax, method="written", content="已重新核定。")
    case = closing.case_follow_up(case=case, actor=Actor.public(), satisfaction="unsatisfied",
                                  comment="金额仍有误")
    with pytest.raises(CaseError, match="不能回访"):
        closing.case_follow_up(case=case, actor=Actor.public(), satisfaction="satisfied")
    case = closing.case_reopen(case=case, actor=office, note="复核补缴基数")
    assert case.status == CaseStatus.IN_PROGRESS and case.satisfaction == ""
    assert case.lead_unit.code == "hrss" and case.received_at
    # 高平's 特殊事项 sets no settle clock, so none runs (configuration, not code).
    assert case.settle_due is None and case.running_stage == ""


def test_report_up_needs_an_escalation_body(gaoping, yuanjiang, staff, register):
    office = Actor.staff(staff(gaoping, "office"))
    case = register(gaoping, office, tier=gaoping.tiers.get(code="special"))
    case = handling.case_escalate(case=case, actor=office, reason="涉及人数多")
    with pytest.raises(CaseError, match="没有可提请处理的上级机构"):
        handling.case_report_up(case=case, actor=office, reason="需上级协调")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ESCALATED

    center = Actor.staff(staff(yuanjiang, "center"))
    major = register(yuanjiang, center, tier=yuanjiang.tiers.get(code="major"),
                     channel=yuanjiang.channels.get(code="hotline-12345"), people_count=45,
                     risk_group=True)
    major = handling.case_escalate(case=major, actor=center, reason="涉及45名职工，易引发舆情")
    assert major.status == CaseStatus.ESCALATED
    assert major.events.filter(action="escalate_at_intake").exists()
    major = handling.case_report_up(case=major, actor=center, reason="需益阳市领导小组统筹")
    assert major.status == CaseStatus.REPORTED_UP
    public = major.events.get(action="report_up").public_text
    assert "益阳市争议一体化处置机制领导小组" in public
    major = handling.case_record_decision(case=major, actor=center, decision="益阳市领导小组意见：分期补缴。")
    major = handling.case_issue_opinion(case=major, actor=center, lead_unit=yuanjiang.units.get(code="tax"))
    major = handling.case_settle(case=major, actor=Actor.staff(staff(yuanjiang, "tax")),
                                 method="back_payment", result="单位分期补缴。")
    assert major.status == CaseStatus.SETTLED


def test_yuanjiang_medical_dispute_goes_to_medical_insurance_bureau(yuanjiang, staff, register):
    petition = Actor.staff(staff(yuanjiang, "petition"))
    category = yuanjiang.categories.get(code="medical-insurance")
    case = register(yuanjiang, petition, category=category,
                    channel=yuanjiang.channels.get(code="petition-visit"))
    case = handling.case_classify(case=case, actor=petition, tier=yuanjiang.tiers.get(code="complex"),
                                  reason="涉及医保、税务两个部门")
    case = handling.case_transfer(case=case, actor=petition, lead_unit=category.default_lead_unit,
                                  co_units=[yuanjiang.units.get(code="tax")])
    assert case.lead_unit.short_name == "医保"
    assert list(case.co_units.values_list("code", flat=True)) == ["tax"]
    # The co-handling unit sees the case; the joint tier gives 10 working days to settle.
    tax = staff(yuanjiang, "tax")
    from cases.policy import visible_cases

    assert visible_cases(tax).filter(pk=case.pk).exists()
    medical = Actor.staff(staff(yuanjiang, "medical"))
    case = handling.case_receive(case=case, actor=medical)
    assert case.settle_due is not None


def test_pass_on_cannot_be_refused_and_competence_disputes_go_to_the_office(gaoping, staff, register):
    petition = Actor.staff(staff(gaoping, "petition"))
    tax = Actor.staff(staff(gaoping, "tax"))
    hrss = Actor.staff(staff(gaoping, "hrss"))
    office = Actor.staff(staff(gaoping, "office"))
    case = register(gaoping, petition)
    case = handling.case_transfer(case=case, actor=petition, lead_unit=gaoping.units.get(code="tax"))
    with pytest.raises(CaseError, match="移交理由"):
        handling.case_pass_on(case=case, actor=tax, to_unit=gaoping.units.get(code="hrss"), reason=" ")
    case = handling.case_pass_on(case=case, actor=tax, to_unit=gaoping.units.get(code="hrss"),
                                 reason="属于统模式前欠费核定，由人社局负责")
    assert case.lead_unit.code == "hrss" and case.status == CaseStatus.TRANSFERRED
    assert case.accepting_unit.code == "petition"  # the first hand keeps tracking
    names = {t.name for t in allowed_transitions(hrss, case)}
    assert "receive" in names and "dispute_competence" in names
    assert not names & {"refuse", "return", "transfer"}
    case = handling.case_dispute_competence(case=case, actor=hrss, reason="应由税务局核算")
    assert case.status == CaseStatus.COMPETENCE_DISPUTED
    with pytest.raises(CaseError, match="无权"):
        handling.case_decide_competence(case=case, actor=hrss, unit=gaoping.units.get(code="tax"))
    case = handling.case_decide_competence(case=case, actor=office, unit=gaoping.units.get(code="hrss"))
    assert case.status == CaseStatus.TRANSFERRED and case.lead_unit.code == "hrss"
    handling.case_receive(case=case, actor=hrss)


def test_objection_leads_to_rehandling_or_to_remedy_guidance(gaoping, staff, register):
    tax = Actor.staff(staff(gaoping, "tax"))
    case = register(gaoping, tax)
    case = handling.case_transfer(case=case, actor=tax, lead_unit=gaoping.units.get(code="tax"))
    assert case.status == CaseStatus.IN_PROGRESS  # own unit: signed for at once
    case = handling.case_settle(case=case, actor=tax, method="explanation", result="滞纳金依法加收。")
    case = closing.case_feedback(case=case, actor=tax, method="sms", content="滞纳金依法加收。")
    case = closing.case_object(case=case, actor=Actor.public(), reason="单位迟报不是我的责任")
    assert case.status == CaseStatus.OBJECTED
    case = closing.case_rehandle(case=case, actor=tax, note="核实单位申报时间")
    assert case.status == CaseStatus.IN_PROGRESS
    case = handling.case_settle(case=case, actor=tax, method="explanation", result="维持原处理。")
    case = closing.case_feedback(case=case, actor=tax, method="written", content="维持原处理。")
    case = closing.case_object(case=case, actor=Actor.public(), reason="仍不同意")
    case = closing.case_guide(case=case, actor=tax)
    assert "六十日" in case.remedy_guidance and "六个月" in case.remedy_guidance
    case = closing.case_archive(case=case, actor=tax)
    assert case.status == CaseStatus.ARCHIVED


def test_merging_a_repeat_complaint(gaoping, staff, register):
    petition = Actor.staff(staff(gaoping, "petition"))
    first = register(gaoping, petition)
    second = register(gaoping, petition, complainant_id_number=first.complainant_id_number)
    from cases.selectors import possible_duplicates

    found = possible_duplicates(mechanism=gaoping, complainant_id_number=second.complainant_id_number,
                                exclude_pk=second.pk)
    assert found == [first]
    second = closing.case_merge(case=second, actor=petition, into=first)
    assert second.status == CaseStatus.MERGED and second.duplicate_of == first
    assert first.events.filter(action="merged_in").exists()


def test_linking_related_cases_keeps_both_open(gaoping, staff, register):
    petition = Actor.staff(staff(gaoping, "petition"))
    first, second = register(gaoping, petition), register(gaoping, petition)
    second = closing.case_link(case=second, actor=petition, other=first)
    assert second.status == first.status == CaseStatus.ACCEPTED
    assert list(first.related_cases.all()) == [second]
    assert first.events.filter(action="linked").exists()
    with pytest.raises(CaseError, match="另一件"):
        closing.case_link(case=second, actor=petition, other=second)


@pytest.mark.parametrize("attempt, message", [
    (lambda c, a: handling.case_receive(case=c, actor=a["hrss"]), "当前状态"),
    (lambda c, a: handling.case_settle(case=c, actor=a["petition"], method="other", result="x"), "当前状态"),
    (lambda c, a: closing.case_archive(case=c, actor=a["petition"]), "当前状态"),
    (lambda c, a: handling.case_transfer(case=c, actor=a["hrss"], lead_unit=c.mechanism.units.get(code="tax")), "无权"),
    (lambda c, a: closing.case_feedback(case=c, actor=a["petition"], method="phone", content="x"), "当前状态"),
    (lambda c, a: closing.case_object(case=c, actor=Actor.public(), reason="x"), "当前状态"),
    (lambda c, a: handling.case_transfer(case=c, actor=a["petition"], lead_unit=None), "承办单位"),
])
def test_illegal_transitions_are_refused_and_change_nothing(gaoping, staff, register, attempt, message):
    actors = {code: Actor.staff(staff(gaoping, code)) for code in ("petition", "hrss")}
    case = register(gaoping, actors["petition"])
    before = (Case.objects.get(pk=case.pk).status, case.history.count(), TimelineEvent.objects.count())
    with pytest.raises(CaseError, match=message):
        attempt(case, actors)
    after = (Case.objects.get(pk=case.pk).status, case.history.count(), TimelineEvent.objects.count())
    assert after == before


def test_third_mechanism_runs_its_own_tiers(tmp_path, staff, register):
    path = tmp_path / "testcounty.yaml"
    path.write_text(THIRD_CITY, encoding="utf-8")
    county = mechanism_load(source=str(path)).mechanism
    tax = Actor.staff(staff(county, "tax"))
    web = county.channels.get(code="web")
    case = case_register(mechanism=county, channel=web, actor=Actor.public("反映人（网上）"),
                         complainant_type="employer", complainant_name="测试县甲建筑有限公司",
                         category=county.categories.get(code="amount"), facts="缴费基数核定有误",
                         accepted_at=at("2025-09-30 10:00"))
    assert case.number == "TC-2025-000001" and case.accepting_unit.is_office
    assert case.tier.code == "fast"
    # Transfer within 2 working days of acceptance, across 国庆: 2025-10-10.
    assert str(case.transfer_due) == "2025-10-10"
    office = Actor.staff(staff(county, "office"))
    case = handling.case_transfer(case=case, actor=office, lead_unit=county.units.get(code="tax"))
    case = handling.case_receive(case=case, actor=tax)
    case = handling.case_escalate(case=case, actor=tax, reason="需会商")
    assert case.tier.code == "council" and case.deliberate_due  # 7 WD from escalation
    assert case.running_stage == "deliberate"
