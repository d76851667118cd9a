"""Low-code: staff add, reorder and relabel extra fields in Wagtail's page editor."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from cases.models import Case
from forms.models import IntakeFormPage

pytestmark = pytest.mark.django_db


def test_staff_add_reorder_and_relabel_fields_in_the_page_editor(client, admin_user, portal,
                                                                 form_url, valid_data):
    page = portal.form_page
    client.force_login(admin_user)
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    html = client.get(edit_url).content.decode()
    assert "固定字段由系统提供" in html and "补充字段" in html
    data = querydict_from_html(html, form_id="page-edit-form")
    assert data["form_fields-TOTAL_FORMS"] == "1"
    # Relabel the demo field, add one before it, publish.
    data["form_fields-0-label"] = "希望联系的时间"
    data["form_fields-0-ORDER"] = "2"
    data.update({
        "form_fields-TOTAL_FORMS": "2",
        "form_fields-1-id": "", "form_fields-1-label": "所在乡镇", "form_fields-1-help_text": "",
        "form_fields-1-required": "on", "form_fields-1-field_type": "singleline",
        "form_fields-1-choices": "", "form_fields-1-default_value": "", "form_fields-1-ORDER": "1",
        "action-publish": "publish",
    })
    response = client.post(edit_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = IntakeFormPage.objects.get(pk=page.pk)
    assert [f.label for f in page.form_fields.all()] == ["所在乡镇", "希望联系的时间"]

    client.logout()
    html = client.get(form_url).content.decode()
    assert html.index("所在乡镇") < html.index("希望联系的时间")
    town, time = page.form_fields.all()
    client.post(form_url, valid_data(**{f"extra_{town.clean_name}": "陈区镇",
                                        f"extra_{time.clean_name}": "工作日上午"}))
    assert Case.objects.get().extra["fields"] == [
        {"name": town.clean_name, "label": "所在乡镇", "value": "陈区镇"},
        {"name": time.clean_name, "label": "希望联系的时间", "value": "工作日上午"},
    ]


def test_the_editor_preview_shows_the_form_and_a_sample_receipt(client, admin_user, portal):
    client.force_login(admin_user)
    page = portal.form_page
    for mode in ("form", "landing"):
        url = reverse("wagtailadmin_pages:view_draft", args=[page.pk])
        response = client.get(url, {"mode": mode} if mode != "form" else {})
        assert response.status_code == 200
    assert "（预览）" in response.content.decode()
