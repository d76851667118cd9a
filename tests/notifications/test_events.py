"""Each case event queues exactly one message to the right person, in the event's transaction."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from cases.actors import Actor
from cases.models import CaseStatus
from cases.services.closing import case_feedback, case_follow_up
from cases.services.deadlines import deadlines_sweep
from cases.services.handling import (
    case_dispute_competence,
    case_pass_on,
    case_receive,
    case_settle,
    case_transfer,
)
from notifications.models import MessageTemplate, Outbox
from notifications.services import outbox_send_due

pytestmark = pytest.mark.django_db


def rows(**filters):
    return list(Outbox.objects.filter(**filters).order_by("id"))


def test_registration_queues_one_acknowledgement(gaoping, staff, register):
    case = register(gaoping, Actor.staff(staff(gaoping, "tax")))
    [row] = rows()
    assert (row.event, row.channel, row.recipient) == ("acknowledgement", "sms", case.complainant_phone)
    assert case.number in row.body and case.query_code in row.body
    assert "/track/" in row.body and row.body.startswith("【")
    assert row.case == case and row.status == "pending" and row.dedupe_key


def test_an_edited_message_text_is_used_from_the_next_message_on(gaoping, staff, register):
    clerk = Actor.staff(staff(gaoping, "tax"))
    register(gaoping, clerk)
    template = MessageTemplate.objects.get(event="acknowledgement", channel="sms")
    original = template.body
    template.body = "【高平】您的事项编号 {{ number }}，已受理。"
    template.save()
    second = register(gaoping, clerk)
    template.body = original
    template.save()
    third = register(gaoping, clerk)
    first_body, second_body, third_body = [row.body for row in rows()]
    assert second_body == f"【高平】您的事项编号 {second.number}，已受理。"
    assert third.query_code in third_body and first_body != second_body
    assert third_body.replace(third.number, "N").replace(third.query_code, "Q") == \
        first_body.replace(rows()[0].case.number, "N").replace(rows()[0].case.query_code, "Q")


def test_rolled_back_event_leaves_no_outbox_row(gaoping, staff, register):
    clerk = Actor.staff(staff(gaoping, "tax"))
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            register(gaoping, clerk)
            assert Outbox.objects.count() == 1  # written inside the transaction…
            raise RuntimeError("the request failed after registering")
    assert Outbox.objects.count() == 0  # …and gone with it


def test_landline_and_missing_phone_get_no_sms(gaoping, staff, register):
    clerk = Actor.staff(staff(gaoping, "tax"))
    register(gaoping, clerk, complainant_phone="0356-5221234")
    register(gaoping, clerk, complainant_phone="")
    assert Outbox.objects.count() == 0


def test_email_when_the_complainant_gave_one(gaoping, staff, register):
    register(gaoping, Actor.staff(staff(gaoping, "tax")), extra={"email": "lgf@example.com"})
    assert {(r.channel, r.event) for r in rows()} == {("sms", "acknowledgement"),
                                                     ("email", "acknowledgement")}
    email = rows(channel="email")[0]
    assert email.recipient == "lgf@example.com" and "受理编号" in email.subject


def test_transfer_pass_on_and_competence_notify_the_new_unit(gaoping, staff, register, liaisons):
    office = Actor.staff(staff(gaoping, "office"))
    case = register(gaoping, office)
    Outbox.objects.all().delete()
    case = case_transfer(case=case, actor=office, lead_unit=gaoping.units.get(code="hrss"))
    [row] = rows()
    assert (row.event, row.recipient) == ("transfer", liaisons["hrss"])
    assert case.number in row.body and "人力资源" in row.body
    hrss = Actor.staff(staff(gaoping, "hrss"))
    case = case_pass_on(case=case, actor=hrss, to_unit=gaoping.units.get(code="tax"),
                        reason="属于税务部门征收事项")
    assert rows(event="transfer")[-1].recipient == liaisons["tax"]
    tax = Actor.staff(staff(gaoping, "tax"))
    case = case_dispute_competence(case=case, actor=tax, reason="应由人社部门核定")
    from cases.services.handling import case_decide_competence

    case_decide_competence(case=case, actor=office, unit=gaoping.units.get(code="hrss"))
    assert [r.recipient for r in rows(event="transfer")] == [liaisons["hrss"], liaisons["tax"],
                                                             liaisons["hrss"]]


def test_a_unit_transferring_to_itself_is_not_texted(gaoping, staff, register, liaisons):
    tax = Actor.staff(staff(gaoping, "tax"))
    case = register(gaoping, tax)
    case_transfer(case=case, actor=tax, lead_unit=gaoping.units.get(code="tax"))
    assert rows(event="transfer") == []


def test_unit_without_liaison_phone_gets_nothing(gaoping, staff, register):
    office = Actor.staff(staff(gaoping, "office"))
    case = register(gaoping, office)
    case_transfer(case=case, actor=office, lead_unit=gaoping.units.get(code="hrss"))
    assert rows(event="transfer") == []


def test_a_unit_with_only_a_landline_is_not_texted(gaoping, staff, register, liaisons):
    hrss = gaoping.units.get(code="hrss")
    hrss.liaison_phone = "0356-5221234"
    hrss.save(update_fields=["liaison_phone"])
    office = Actor.staff(staff(gaoping, "office"))
    case_transfer(case=register(gaoping, office), actor=office, lead_unit=hrss)
    assert rows(event="transfer") == []
    tax = gaoping.units.get(code="tax")
    case_transfer(case=register(gaoping, office), actor=office, lead_unit=tax)
    assert [row.recipient for row in rows(event="transfer")] == [liaisons["tax"]]


def test_sweep_reminders_go_to_the_responsible_unit(gaoping, staff, register, liaisons):
    tax = Actor.staff(staff(gaoping, "tax"))
    case = register(gaoping, tax)
    result = deadlines_sweep(today=case.due_date + timedelta(days=30))
    assert result.overdue == 1
    [row] = rows(event="reminder")
    assert row.recipient == liaisons["tax"] and "已超期" in row.body and case.number in row.body
    deadlines_sweep(today=case.due_date + timedelta(days=30))  # idempotent: nothing new
    assert len(rows(event="reminder")) == 1


def test_feedback_sends_result_now_and_survey_later(gaoping, staff, register, memory_backend):
    office = Actor.staff(staff(gaoping, "office"))
    case = register(gaoping, office)
    case = case_transfer(case=case, actor=office, lead_unit=gaoping.units.get(code="tax"))
    tax = Actor.staff(staff(gaoping, "tax"))
    case = case_receive(case=case, actor=tax)
    case = case_settle(case=case, actor=tax, method="explanation", result="滞纳金由单位承担。")
    Outbox.objects.all().delete()
    case = case_feedback(case=case, actor=office, method="sms", content="经核实，滞纳金由单位承担。")
    result, survey = rows(event="result")[0], rows(event="survey")[0]
    assert Outbox.objects.count() == 2
    assert result.recipient == survey.recipient == case.complainant_phone
    assert "滞纳金由单位承担" in result.body and "/track/" in survey.body
    assert survey.next_attempt_at - result.next_attempt_at >= timedelta(hours=23)
    now = timezone.now()
    assert outbox_send_due(now=now).sent == 1
    case_follow_up(case=case, actor=Actor.public(), satisfaction="satisfied")
    later = outbox_send_due(now=now + timedelta(days=2))
    assert (later.sent, later.skipped) == (0, 1)  # rated already: the invitation is moot
    survey.refresh_from_db()
    assert survey.status == "skipped" and len(memory_backend.sent) == 1


def test_survey_is_sent_when_still_unrated(gaoping, staff, register, memory_backend):
    office = Actor.staff(staff(gaoping, "office"))
    case = register(gaoping, office)
    case = case_transfer(case=case, actor=office, lead_unit=gaoping.units.get(code="tax"))
    tax = Actor.staff(staff(gaoping, "tax"))
    case = case_settle(case=case_receive(case=case, actor=tax), actor=tax, method="explanation",
                       result="已解释。")
    case = case_feedback(case=case, actor=office, method="phone", content="已电话解释。")
    assert case.status == CaseStatus.FED_BACK
    outbox_send_due(now=timezone.now() + timedelta(days=2))
    assert [m.event for m in memory_backend.sent] == ["acknowledgement", "result", "survey"]


def test_edited_and_disabled_templates(gaoping, staff, register):
    clerk = Actor.staff(staff(gaoping, "tax"))
    template = MessageTemplate.objects.get(event="acknowledgement", channel="sms")
    template.body = "编号{{ number }}，查询码{{ query_code }}，{{ region }}。"
    template.save()
    case = register(gaoping, clerk)
    assert rows()[0].body == f"编号{case.number}，查询码{case.query_code}，高平市。"
    template.is_active = False
    template.save()
    register(gaoping, clerk)
    assert Outbox.objects.count() == 1


def test_missing_template_row_is_recreated_from_defaults(gaoping, staff, register):
    MessageTemplate.objects.all().delete()
    register(gaoping, Actor.staff(staff(gaoping, "tax")))
    assert Outbox.objects.count() == 1
    assert MessageTemplate.objects.filter(event="acknowledgement", channel="sms").exists()


def test_template_syntax_is_checked_on_save():
    from django.core.exceptions import ValidationError

    template = MessageTemplate(event="result", channel="sms", body="{% if %}")
    with pytest.raises(ValidationError) as excinfo:
        template.full_clean(validate_unique=False)
    assert "模板语法错误" in str(excinfo.value)
