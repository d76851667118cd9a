"""Attachments are served only through the permission-checked view."""

import hashlib

import pytest
from django.urls import reverse

from cases.actors import Actor
from cases.models import Attachment
from cases.services.handling import case_transfer
from tests.forms.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def attachment(client, portal, form_url, valid_data):
    client.post(form_url, valid_data(attachments=[upload("欠费通知.pdf", pdf_bytes())]))
    client.logout()
    return Attachment.objects.get()


def _url(attachment):
    return reverse("intake:attachment_download", args=[attachment.pk])


def test_the_office_staff_download_it_as_an_attachment(client, attachment, staff_of, portal):
    client.force_login(staff_of(portal.gaoping, "office"))
    response = client.get(_url(attachment))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    # the stored file: the upload rewritten without its metadata, same version and pages
    assert hashlib.sha256(body).hexdigest() == attachment.sha256 and body.startswith(b"%PDF-1.4")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_another_units_staff_get_404(client, attachment, staff_of, portal):
    client.force_login(staff_of(portal.gaoping, "finance"))
    assert client.get(_url(attachment)).status_code == 404
    client.force_login(staff_of(portal.yuanjiang, "center"))
    assert client.get(_url(attachment)).status_code == 404


def test_anonymous_visitors_get_404(client, attachment):
    assert client.get(_url(attachment)).status_code == 404
    assert client.get(reverse("intake:attachment_download", args=[999999])).status_code == 404


def test_the_lead_unit_may_download_once_the_case_is_transferred(client, attachment, staff_of,
                                                                 portal):
    tax = staff_of(portal.gaoping, "tax")
    client.force_login(tax)
    assert client.get(_url(attachment)).status_code == 404
    case_transfer(case=attachment.case, actor=Actor.staff(staff_of(portal.gaoping, "office")),
                  lead_unit=portal.gaoping.units.get(code="tax"))
    assert client.get(_url(attachment)).status_code == 200


def test_only_get_and_head(client, attachment, staff_of, portal):
    client.force_login(staff_of(portal.gaoping, "office"))
    assert client.post(_url(attachment)).status_code == 405
