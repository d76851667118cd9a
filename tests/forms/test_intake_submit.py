"""Submitting the intake form: one transaction, one case per token, extra fields on the case."""

import random
import re

import pytest
from django.core.exceptions import ValidationError

from cases.confcache import config_changed
from cases.errors import CaseError
from cases.identity import make_credit_code
from cases.models import Attachment, Case, TimelineEvent
from forms.models import IntakeFormField, IntakeFormPage, IntakeReceipt
from tests.forms.conftest import jpeg_bytes, upload

pytestmark = pytest.mark.django_db


def test_form_page_shows_the_core_with_labels_and_a_one_time_token(client, portal, form_url):
    response = client.get(form_url)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("complainant_name", "complainant_id_number", "complainant_phone", "category",
                 "facts", "request", "people_count", "attachments", "privacy_consent"):
        assert f'for="id_{name}"' in html, name
    assert re.search(r'name="submission_token" value="[A-Za-z0-9_-]{20,}"', html)
    assert "个人信息处理说明" in html and portal.gaoping.office_name in html
    # Only this mechanism's active categories are offered.
    assert "滞纳金加收" in html and "医疗保险" not in html
    assert "no-store" in response["Cache-Control"]
    assert "https://" not in html.split("<body")[0]


def test_valid_submission_registers_the_case_and_shows_the_receipt(client, portal, form_url,
                                                                   valid_data):
    data = valid_data(attachments=[upload("欠费通知.jpg", jpeg_bytes(), "image/jpeg")])
    response = client.post(form_url, data)
    assert response.status_code == 200
    case = Case.objects.get()
    html = response.content.decode()
    assert case.number in html and case.query_code in html
    assert "打印回执" in html and "no-store" in response["Cache-Control"]
    assert f'href="{form_url}">反映其他事项</a>' in html  # back to an empty form
    assert case.channel.is_online_form and case.mechanism == portal.gaoping
    assert case.accepting_unit.is_office and case.accepted_by is None
    assert case.complainant_name == "李秀英" and case.people_count == 3
    assert case.category.code == "late-fee" and case.employer_name == "高平市鑫源煤业有限公司"
    assert case.attachments.count() == 1
    assert case.extra["source"] == "online_form"
    assert case.extra["privacy_consent"]["notice"]
    assert IntakeReceipt.objects.get().case == case
    event = TimelineEvent.objects.get(case=case)
    assert event.is_public and case.number in event.public_text and event.actor_label == "反映人（网上）"


def test_employer_submission_checks_the_credit_code(client, portal, form_url, valid_data):
    code = make_credit_code(random.Random(3))
    response = client.post(form_url, valid_data(complainant_type="employer",
                                                complainant_name="高平市宏达建材有限公司",
                                                complainant_id_number=code.lower()))
    assert response.status_code == 200
    case = Case.objects.get()
    assert case.complainant_type == "employer" and case.complainant_id_number == code


def test_the_same_form_posted_twice_creates_one_case_with_the_same_number(client, portal,
                                                                           form_url, valid_data):
    data = valid_data()
    first = client.post(form_url, data).content.decode()
    second = client.post(form_url, data).content.decode()
    case = Case.objects.get()
    assert case.number in first and case.number in second
    assert case.query_code in second
    assert IntakeReceipt.objects.count() == 1


def test_an_old_repost_names_the_case_but_not_its_query_code(client, portal, form_url,
                                                             valid_data):
    from datetime import timedelta

    from django.utils import timezone

    data = valid_data()
    client.post(form_url, data)
    IntakeReceipt.objects.update(created_at=timezone.now() - timedelta(days=2))
    html = client.post(form_url, data).content.decode()
    case = Case.objects.get()
    assert case.number in html and case.query_code not in html
    assert "已经提交过" in html


def test_a_new_form_gets_a_new_token_so_a_second_complaint_is_a_second_case(
        client, portal, form_url, valid_data):
    client.post(form_url, valid_data(submission_token="a" * 32))
    client.post(form_url, valid_data(submission_token="b" * 32, facts="另一件事：" + "单位未缴费" * 3))
    assert Case.objects.count() == 2


def test_a_field_staff_added_in_the_editor_ends_up_on_the_case(client, portal, form_url,
                                                               valid_data):
    page = portal.form_page
    field = IntakeFormField.objects.create(page=page, label="工作单位所在乡镇", field_type="singleline",
                                           required=True, sort_order=0)
    IntakeFormField.objects.create(page=page, label="是否已申请劳动仲裁", field_type="checkbox",
                                   required=False, sort_order=5)
    html = client.get(form_url).content.decode()
    assert "工作单位所在乡镇" in html
    name = f"extra_{field.clean_name}"
    missing = client.post(form_url, valid_data())
    assert "这个字段是必填项" in missing.content.decode() or "必填" in missing.content.decode()
    assert not Case.objects.exists()
    client.post(form_url, valid_data(**{name: "米山镇"}))
    answers = {item["label"]: item["value"] for item in Case.objects.get().extra["fields"]}
    assert answers["工作单位所在乡镇"] == "米山镇"
    assert answers["是否已申请劳动仲裁"] is False
    assert "方便联系的时间" in answers  # the demo's own extra field, left empty


def test_staff_fields_are_namespaced_so_a_label_cannot_shadow_the_core(client, portal, form_url,
                                                                       valid_data):
    IntakeFormField.objects.create(page=portal.form_page, label="facts", field_type="singleline",
                                   required=False)
    client.post(form_url, valid_data(extra_facts="补充"))
    case = Case.objects.get()
    assert case.facts.startswith("单位2025年")
    assert {"name": "facts", "label": "facts", "value": "补充"} in case.extra["fields"]


def test_form_class_is_built_once_per_revision(portal):
    page = IntakeFormPage.objects.get(pk=portal.form_page.pk)
    first = page.get_form_class(cacheable=True)
    assert page.get_form_class(cacheable=True) is first
    IntakeFormField.objects.create(page=page, label="新字段", field_type="singleline")
    second = page.get_form_class(cacheable=True)
    assert second is not first and len(second.extra_fields) == len(first.extra_fields) + 1
    page.save_revision().publish()
    page.refresh_from_db()
    assert page.get_form_class(cacheable=True) is not second
    assert page.get_form_class(cacheable=False) is not page.get_form_class(cacheable=False)


def test_a_second_get_of_the_form_does_not_rebuild_it(client, portal, form_url):
    client.get(form_url)
    from forms import intake_form

    calls = []
    original = intake_form.IntakeFormBuilder.get_form_class

    def spy(self):
        calls.append(1)
        return original(self)

    intake_form.IntakeFormBuilder.get_form_class = spy
    try:
        client.get(form_url)
    finally:
        intake_form.IntakeFormBuilder.get_form_class = original
    assert calls == []


def test_honeypot_filled_creates_no_case(client, portal, form_url, valid_data):
    response = client.post(form_url, valid_data(homepage_url="http://spam.example"))
    assert response.status_code == 400
    assert not Case.objects.exists() and not IntakeReceipt.objects.exists()
    assert "提交未成功" in response.content.decode()


def test_submissions_are_rate_limited_per_address(client, portal, form_url, valid_data, settings):
    settings.INTAKE_RATE_LIMITS = {"submit": (2, 3600)}
    for i in range(2):
        assert client.post(form_url, valid_data(submission_token=f"{i}" * 30)).status_code == 200
    response = client.post(form_url, valid_data(submission_token="z" * 30))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Case.objects.count() == 2
    # Another address is not affected.
    other = client.post(form_url, valid_data(submission_token="y" * 30), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200 and Case.objects.count() == 3


def test_a_repost_gets_its_receipt_even_when_rate_limited_or_no_longer_valid(
        client, portal, form_url, valid_data, settings):
    """The person pressed "submit" again (or reloaded) after their complaint was registered:
    the answer is the same receipt, not "too many submissions" nor a form error."""
    settings.INTAKE_RATE_LIMITS = {"submit": (1, 3600)}
    data = valid_data()
    assert client.post(form_url, data).status_code == 200
    case = Case.objects.get()
    limited = client.post(form_url, data)
    assert limited.status_code == 200 and case.query_code in limited.content.decode()
    settings.INTAKE_RATE_LIMITS = {"submit": (100, 3600)}
    case.category.is_active = False  # withdrawn from the form since the first submission
    case.category.save()
    invalid = client.post(form_url, data)
    assert invalid.status_code == 200 and case.query_code in invalid.content.decode()
    assert Case.objects.count() == 1 and IntakeReceipt.objects.count() == 1


def test_a_database_failure_other_than_a_used_token_is_not_passed_off_as_a_repost(
        client, portal, form_url, valid_data, monkeypatch):
    """Only the receipt token's unique key means "this form was submitted before"; any other
    integrity failure is an error (logged, the person sees the error page), not a false
    "已经提交" or "正在提交" notice."""
    from django.db import IntegrityError

    import forms.services

    def fails(**kwargs):
        raise IntegrityError("NOT NULL constraint failed: intake_intakereceipt.token")

    monkeypatch.setattr(forms.services, "_register", fails)
    with pytest.raises(IntegrityError):
        client.post(form_url, valid_data())
    assert not Case.objects.exists()


def test_forwarded_for_is_trusted_only_behind_a_configured_proxy(rf, settings):
    from forms.abuse import client_address

    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    settings.INTAKE_TRUSTED_PROXY_HOPS = 0
    assert client_address(request) == "127.0.0.1"
    settings.INTAKE_TRUSTED_PROXY_HOPS = 1
    assert client_address(request) == "203.0.113.9"
    v6 = rf.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    settings.INTAKE_TRUSTED_PROXY_HOPS = 0
    assert client_address(v6) == "2001:db8:1:2::/64"


def test_a_refusal_inside_the_transaction_leaves_no_case_receipt_or_attachment(
        client, portal, form_url, valid_data, monkeypatch):
    from forms import services

    real = services.case_register_in_transaction

    def register_then_fail(**kwargs):
        real(**kwargs)
        raise CaseError("测试：服务拒绝。")

    monkeypatch.setattr(services, "case_register_in_transaction", register_then_fail)
    data = valid_data(attachments=[upload("a.jpg", jpeg_bytes(), "image/jpeg")])
    response = client.post(form_url, data)
    assert "测试：服务拒绝。" in response.content.decode()
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert not IntakeReceipt.objects.exists()
    # The same token works once the problem is gone (nothing of it was kept).
    monkeypatch.setattr(services, "case_register_in_transaction", real)
    data["attachments"] = [upload("a.jpg", jpeg_bytes(), "image/jpeg")]
    client.post(form_url, data)
    assert Case.objects.get().attachments.count() == 1


def test_closed_channel_shows_other_channels_instead_of_the_form(client, portal, form_url):
    portal.gaoping.channels.filter(is_online_form=True).update(is_active=False)
    config_changed()  # QuerySet.update sends no signal: the per-process caches must be told
    html = client.get(form_url).content.decode()
    assert "网上受理暂未开通" in html and "12345政务服务便民热线" in html
    assert 'name="complainant_name"' not in html


def test_one_intake_page_per_mechanism(portal):
    page = IntakeFormPage(title="重复", slug="again", mechanism=portal.gaoping)
    with pytest.raises(ValidationError) as excinfo:
        page.clean()
    assert "已有网上受理页面" in str(excinfo.value)
