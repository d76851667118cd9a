"""The admin: drafting from the case page, the buttons, downloads only for those who may see."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from docx import Document as Docx

from docgen.models import CustomTemplate, Document, DocumentStatus
from docgen.services import document_check, document_draft, document_issue, document_sign
from tests.docgen.test_custom_templates import GOOD, docx_with
from tests.docgen.test_templates import text_of

pytestmark = pytest.mark.django_db


def inspect_url(document) -> str:
    return reverse("docgen_document_modeladmin_inspect", args=[document.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_draft_from_the_case_page_then_check_sign_issue_with_buttons(client, records):
    client.force_login(records.office.user)
    case_page = "/admin/cases/case/inspect/1/"
    response = client.post(reverse("docgen:draft"), {"kind": "feedback_letter", "party": "employer",
                                                     "case_id": records.settled.pk, "next": case_page})
    document = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == inspect_url(document)
    assert document.party == "employer" and document.status == DocumentStatus.DRAFTED

    page = client.get(inspect_url(document))
    assert page.status_code == 200
    html = page.content.decode()
    assert "核稿" in html and "下载 Word" in html and "签发" not in html.split("版本")[0].split("docgen-actions")[-1]

    for action, status in (("check", "checked"), ("sign", "signed"), ("issue", "issued")):
        response = client.post(reverse("docgen:action", args=[document.pk, action]), follow=True)
        document.refresh_from_db()
        assert document.status == status, messages_of(response)
    assert any("已印发" in m for m in messages_of(response))
    assert document.number.endswith("1号")

    # a refused action shows the service's message
    response = client.post(reverse("docgen:action", args=[document.pk, "sign"]), follow=True)
    assert any("不能再签发" in m for m in messages_of(response))


def test_a_refused_draft_shows_the_reason_and_goes_back(client, records):
    client.force_login(records.office.user)
    response = client.post(reverse("docgen:draft"), {"kind": "feedback_letter", "case_id": records.decided.pk,
                                                     "next": "/admin/somewhere/"}, follow=False)
    assert response.status_code == 302 and response["Location"] == "/admin/somewhere/"
    response = client.get("/admin/")
    assert not Document.objects.exists()
    response = client.post(reverse("docgen:draft"), {"kind": "feedback_letter", "case_id": records.decided.pk,
                                                     "next": "https://evil.example/"})
    assert response["Location"] == reverse("docgen_document_modeladmin_index")


def test_downloads_are_attachments_and_404_for_others(client, records, staff):
    document = document_draft(kind="transfer_notice", actor=records.office, case=records.settled)
    version = document.latest_version
    url = reverse("docgen:download", args=[version.pk])

    client.force_login(records.handler.user)  # the lead unit sees the case
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"].lower()
    data = b"".join(response.streaming_content)
    assert records.settled.number in text_of(Docx(BytesIO(data)))

    client.force_login(staff(records.mechanism, "police"))  # sees nothing of this case
    assert client.get(url).status_code == 404
    assert client.get(inspect_url(document)).status_code == 404
    assert client.post(reverse("docgen:action", args=[document.pk, "check"])).status_code == 404
    assert client.post(reverse("docgen:draft"), {"kind": "acknowledgement",
                                                 "case_id": records.settled.pk}).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the admin login


def test_the_document_list_shows_only_what_the_user_may_see(client, records, staff):
    document_draft(kind="transfer_notice", actor=records.office, case=records.settled)
    document_draft(kind="minutes", actor=records.office, meeting=records.meeting)
    index = reverse("docgen_document_modeladmin_index")
    client.force_login(records.office.user)
    assert client.get(index).context["result_count"] == 2
    client.force_login(records.handler.user)
    assert client.get(index).context["result_count"] == 1
    client.force_login(staff(records.mechanism, "police"))
    assert client.get(index).context["result_count"] == 0


def test_edit_form_keeps_record_values_live_and_saves_edits(client, records):
    document = document_draft(kind="handling_opinion", actor=records.office, case=records.decided)
    client.force_login(records.office.user)
    url = reverse("docgen:edit", args=[document.pk])
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items()}
    data["opinion"] = "会议议定：由人社局牵头，十日内办结。"
    response = client.post(url, data)
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.fields == {"opinion": "会议议定：由人社局牵头，十日内办结。"}
    assert document.versions.count() == 2
    document = document_check(document=document, actor=records.office)
    document = document_sign(document=document, actor=records.office)
    response = client.get(url, follow=True)
    assert any("不能修改" in m for m in messages_of(response))


def test_download_and_preview_of_the_issued_version(client, records, monkeypatch):
    office = records.office
    document = document_draft(kind="acknowledgement", actor=office, case=records.settled)
    document = document_issue(document=document_sign(document=document_check(document=document, actor=office),
                                                      actor=office), actor=office)
    client.force_login(office.user)
    monkeypatch.setattr("docgen.views.docx_to_pdf", lambda data: b"%PDF-1.4 fake")
    response = client.get(reverse("docgen:preview", args=[document.final_version.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"

    import shutil

    monkeypatch.undo()
    monkeypatch.setattr(shutil, "which", lambda name: None)
    response = client.get(reverse("docgen:preview", args=[document.final_version.pk]))
    assert response.status_code == 503 and "未安装 LibreOffice" in response.content.decode()


def test_the_case_page_snippet_lists_documents_and_draft_buttons(records, staff):
    document_draft(kind="acknowledgement", actor=records.office, case=records.settled)
    request = RequestFactory().get("/admin/cases/case/inspect/1/")
    request.user = records.clerk.user
    html = render_to_string("docgen/includes/case_documents.html",
                            {"case": records.settled, "documents": [], "request": request})
    assert "受理回执" in html and "拟稿" in html and "下载第1版" in html
    assert 'name="kind" value="feedback_letter"' in html and 'value="employer"' in html
    assert 'name="kind" value="handling_opinion"' not in html  # not deliberated
    assert reverse("docgen:draft") in html

    request.user = staff(records.mechanism, "police")
    html = render_to_string("docgen/includes/case_documents.html",
                            {"case": records.settled, "documents": [], "request": request})
    assert "下载第" not in html and "为本事项生成公文" not in html and "本事项尚未生成公文" in html


def test_variables_reference_page(client, records):
    client.force_login(records.clerk.user)
    response = client.get(reverse("docgen:variables"))
    html = response.content.decode()
    assert response.status_code == 200
    for needle in ("受理回执", "通报", "case.deadline_cn", "rows[].unit", "发文字号", "高征争转〔2026〕7号"):
        assert needle in html
    from wagtail.admin.menu import admin_menu

    request = RequestFactory().get("/admin/")
    request.user = records.clerk.user
    labels = [item.label for item in admin_menu.menu_items_for_request(request)]
    assert "公文变量说明" in labels and "公文" in labels
    request.user = records.office.user
    [group] = [i for i in admin_menu.menu_items_for_request(request) if i.label == "公文"]
    assert {"发文登记簿", "拟制纪要/通报", "自定义模板"} <= {i.label for i in group.menu.menu_items_for_request(request)}


def test_template_upload_page_accepts_and_refuses_naming_the_variable(client, records):
    client.force_login(records.office.user)
    url = reverse("docgen:template_upload")
    bad = SimpleUploadedFile("bad.docx", docx_with("{{ case.complainant_address }}"))
    response = client.post(url, {"mechanism": records.mechanism.pk, "kind": "transfer_notice", "file": bad})
    assert response.status_code == 200
    problems = response.context["problems"]
    assert "变量“case”没有字段“complainant_address”。" in problems
    assert "complainant_address" in response.content.decode()
    good = SimpleUploadedFile("good.docx", GOOD)
    response = client.post(url, {"mechanism": records.mechanism.pk, "kind": "transfer_notice", "file": good})
    assert response.status_code == 302
    assert CustomTemplate.objects.get().is_active

    client.force_login(records.clerk.user)
    response = client.get(url)  # Wagtail turns PermissionDenied into a redirect with a message
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_register_page_and_office_drafts(client, records):
    client.force_login(records.office.user)
    response = client.post(reverse("docgen:office_draft"),
                           {"which": "notice", "mechanism": records.mechanism.pk, "period": records.period})
    notice = Document.objects.get(kind="supervision_notice")
    assert response["Location"] == inspect_url(notice)
    response = client.post(reverse("docgen:office_draft"), {"which": "minutes", "meeting": records.meeting.pk})
    minutes = Document.objects.get(kind="minutes")
    office = records.office
    document_issue(document=document_sign(document=document_check(document=minutes, actor=office),
                                          actor=office), actor=office)
    response = client.get(reverse("docgen:register"))
    assert response.status_code == 200 and minutes.title in response.content.decode()
    assert [r.kind for r in response.context["rows"]] == ["minutes"]
    response = client.post(reverse("docgen:office_draft"),
                           {"which": "notice", "mechanism": records.mechanism.pk, "period": "2026/10"})
    assert "格式不对" in response.content.decode()
    client.force_login(records.clerk.user)
    assert client.get(reverse("docgen:office_draft"))["Location"] == "/admin/"


def test_the_case_page_includes_the_documents_panel(client, records):
    document_draft(kind="acknowledgement", actor=records.office, case=records.settled)
    client.force_login(records.clerk.user)
    response = client.get(reverse("cases_case_modeladmin_inspect", args=[records.settled.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "docgen-case-documents" in html and "下载第1版" in html and "为本事项生成公文" in html


def test_the_recorded_meeting_page_drafts_its_minutes(client, records):
    client.force_login(records.office.user)
    page = client.get(reverse("cases_admin:meeting_record", args=[records.meeting.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "拟制会议纪要" in html and reverse("docgen:draft") in html
    response = client.post(reverse("docgen:draft"), {"kind": "minutes", "meeting_id": records.meeting.pk})
    document = Document.objects.get(kind="minutes")
    assert response["Location"] == inspect_url(document) and document.meeting == records.meeting
