"""The admin: templates editable, the queue read-only with masked numbers and a retry action."""

import pytest
from django.test import Client

from notifications.models import MessageTemplate, Outbox
from notifications.services import notification_enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_default_templates_exist_and_are_editable(admin):
    template = MessageTemplate.objects.get(event="acknowledgement", channel="sms")
    assert "{{ query_code }}" in template.body
    assert admin.get("/admin/notifications/messagetemplate/").status_code == 200
    url = f"/admin/notifications/messagetemplate/edit/{template.pk}/"
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"subject": "", "body": "编号 {{ number }}", "is_active": "on"})
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "编号 {{ number }}"
    broken = admin.post(url, {"subject": "", "body": "{% if %}", "is_active": "on"})
    assert broken.status_code == 200 and "模板语法错误" in broken.content.decode()


def test_outbox_list_masks_numbers_and_failed_rows_can_be_retried(admin):
    row = notification_enqueue(event="transfer", channel="sms", recipient="13912345678", body="x")
    Outbox.objects.filter(pk=row.pk).update(status="failed", attempts=8, last_error="HTTP 500")
    html = admin.get("/admin/notifications/outbox/").content.decode()
    assert "139****5678" in html and "13912345678" not in html
    retry = f"/admin/notifications/outbox/{row.pk}/retry/"
    assert retry in html
    assert admin.get(retry).status_code == 200  # a confirmation page
    assert admin.post(retry).status_code == 302
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 0


def test_staff_without_superuser_cannot_manage(gaoping, staff):
    client = Client()
    client.force_login(staff(gaoping, "office"))
    assert client.get("/admin/notifications/outbox/").status_code in (302, 403)
    row = notification_enqueue(event="t", channel="sms", recipient="13912345678", body="x")
    Outbox.objects.filter(pk=row.pk).update(status="failed")
    assert client.post(f"/admin/notifications/outbox/{row.pk}/retry/").status_code in (302, 403)
    row.refresh_from_db()
    assert row.status == "failed"


def test_the_hook_is_registered_once():
    from cases.services.core import EVENT_HOOKS
    from notifications.rules import on_timeline_event

    assert EVENT_HOOKS.count(on_timeline_event) == 1
