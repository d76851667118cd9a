"""An office's own templates: checked on upload (variables named), then used instead of the builtin."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document as Docx

from docgen.errors import DocumentError
from docgen.models import CustomTemplate
from docgen.services import (
    custom_template_deactivate,
    docgen_custom_template_upload,
    document_draft,
)
from tests.docgen.conftest import read_docx
from tests.docgen.test_templates import text_of

pytestmark = pytest.mark.django_db


def docx_with(*texts: str) -> bytes:
    doc = Docx()
    for text in texts:
        doc.add_paragraph(text)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


GOOD = docx_with("本办自定义转办单", "{{ doc_number }}", "{{ title }}",
                 "{{ recipient }}：请办理{{ case.number }}，牵头单位{{ case.lead_unit }}。",
                 "{%p if cc %}", "抄送：{{ cc|join('，') }}。", "{%p endif %}", "{{ date_cn }}")


def test_an_accepted_template_lists_its_variables_and_is_used(records):
    mechanism = records.mechanism
    template = docgen_custom_template_upload(mechanism=mechanism, kind="transfer_notice",
                                             file=upload("我的转办单.docx", GOOD), actor=records.office)
    assert template.is_active and template.original_name == "我的转办单.docx"
    assert template.variables == ["case", "cc", "date_cn", "doc_number", "recipient", "title"]
    assert len(template.sha256) == 64

    doc = document_draft(kind="transfer_notice", actor=records.office, case=records.settled)
    version = doc.latest_version
    assert version.custom_template == template
    text = text_of(read_docx(version))
    assert "本办自定义转办单" in text and records.settled.number in text
    assert f"牵头单位{records.settled.lead_unit.name}" in text
    # other kinds and the other mechanism keep the builtin
    ack = document_draft(kind="acknowledgement", actor=records.office, case=records.settled)
    assert ack.latest_version.custom_template is None

    # a second upload replaces the first: one active template per mechanism and kind
    second = docgen_custom_template_upload(mechanism=mechanism, kind="transfer_notice",
                                           file=upload("v2.docx", GOOD), actor=records.office)
    template.refresh_from_db()
    assert second.is_active and not template.is_active
    assert CustomTemplate.objects.filter(mechanism=mechanism, kind="transfer_notice",
                                         is_active=True).count() == 1
    custom_template_deactivate(template=second, actor=records.office)
    back = document_draft(kind="transfer_notice", actor=records.office, case=records.settled)
    assert back.latest_version.custom_template is None
    assert "本办自定义转办单" not in text_of(read_docx(back.latest_version))


@pytest.mark.parametrize("texts, named", [
    (("{{ title }}", "{{ complainant_address }}"), "“complainant_address”"),
    (("{{ case.complainant_id_number }}",), "字段“complainant_id_number”"),
    (("{{ meeting.title }}",), "“meeting”"),
])
def test_a_template_with_an_unknown_variable_is_refused_naming_it(records, texts, named):
    with pytest.raises(DocumentError) as excinfo:
        docgen_custom_template_upload(mechanism=records.mechanism, kind="transfer_notice",
                                      file=upload("bad.docx", docx_with(*texts)), actor=records.office)
    error = excinfo.value
    assert any(named in message for message in error.errors)
    assert named in error.message and error.field == "file"
    assert error.errors[-1].startswith("转办单可用的变量：")
    assert not CustomTemplate.objects.exists()


def test_a_template_that_fails_to_render_is_refused(records):
    with pytest.raises(DocumentError, match="试渲染失败"):
        docgen_custom_template_upload(mechanism=records.mechanism, kind="minutes",
                                      file=upload("x.docx", docx_with("{{ doc_number + 1 }}")),
                                      actor=records.office)
    with pytest.raises(DocumentError, match="语法错误"):
        docgen_custom_template_upload(mechanism=records.mechanism, kind="minutes",
                                      file=upload("x.docx", docx_with("{% if title %}")),
                                      actor=records.office)


def test_only_the_office_uploads_and_only_docx(records):
    with pytest.raises(DocumentError, match="只有机制办公室"):
        docgen_custom_template_upload(mechanism=records.mechanism, kind="minutes",
                                      file=upload("t.docx", GOOD), actor=records.clerk)
    with pytest.raises(DocumentError, match=r"\.docx"):
        docgen_custom_template_upload(mechanism=records.mechanism, kind="minutes",
                                      file=upload("t.doc", GOOD), actor=records.office)
    with pytest.raises(DocumentError, match="无法读取"):
        docgen_custom_template_upload(mechanism=records.mechanism, kind="minutes",
                                      file=upload("t.docx", b"not a zip"), actor=records.office)
