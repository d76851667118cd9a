"""check_template (what a clerk's uploaded template is checked for) and the filters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import BytesIO

import pytest
from docx import Document

from docgen.render import builtin_template_path, check_template, cn_date, cn_number
from docgen.variables import KIND_LABELS

KINDS = list(KIND_LABELS)


# --- check_template -----------------------------------------------------------------------


def _template_with(*texts: str) -> bytes:
    """A minimal template a clerk might upload: one paragraph per text."""
    doc = Document()
    for text in texts:
        doc.add_paragraph(text)
    buf = BytesIO()
    doc.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("kind", KINDS)
def test_builtin_templates_pass_the_check(kind):
    assert check_template(template=builtin_template_path(kind), kind=kind) == []


def test_check_accepts_a_small_valid_template():
    tpl = _template_with("{{ title }}", "{{ case.number }}：{{ case.facts }}",
                         "{%p if cc %}", "抄送：{{ cc|join('，') }}。", "{%p endif %}",
                         "{{ date_cn }}")
    assert check_template(template=tpl, kind="transfer_notice") == []


def test_check_refuses_an_unknown_variable():
    tpl = _template_with("{{ title }}", "{{ complainant_address }}")
    errors = check_template(template=BytesIO(tpl), kind="acknowledgement")
    assert errors[0] == "模板使用了受理回执不提供的变量“complainant_address”。"
    assert errors[-1].startswith("受理回执可用的变量：") and "doc_number" in errors[-1]


def test_check_reads_an_upload_stream_once():
    class Upload:  # like Django's UploadedFile: read() and seek(), no getvalue()
        def __init__(self, data):
            self._buf = BytesIO(data)
            self.read, self.seek = self._buf.read, self._buf.seek

    upload = Upload(builtin_template_path("minutes").read_bytes())
    upload.read()  # a form may have read it already
    assert check_template(template=upload, kind="minutes") == []


def test_check_refuses_an_unknown_field():
    errors = check_template(template=_template_with("{{ case.numbr }}"), kind="transfer_notice")
    assert errors[0] == "变量“case”没有字段“numbr”。"


def test_check_refuses_a_variable_of_another_kind():
    errors = check_template(template=_template_with("{{ meeting.title }}"),
                            kind="feedback_letter")
    assert any("“meeting”" in e for e in errors)


def test_check_refuses_a_template_that_fails_to_render():
    errors = check_template(template=_template_with("{{ doc_number + 1 }}"), kind="minutes")
    assert len(errors) == 1 and errors[0].startswith("用示例数据试渲染失败")


def test_check_refuses_a_missing_nested_value():
    errors = check_template(template=_template_with("{{ case.number.suffix.x }}"),
                            kind="transfer_notice")
    assert len(errors) == 1 and errors[0].startswith("用示例数据试渲染失败")


def test_check_reports_syntax_errors_in_chinese():
    errors = check_template(template=_template_with("{% if title %}没有结束"), kind="minutes")
    assert len(errors) == 1 and "语法错误" in errors[0]


def test_check_blocks_python_internals():
    tpl = _template_with("{{ title.__class__.__mro__ }}")
    errors = check_template(template=tpl, kind="acknowledgement")
    assert errors and "安全" in errors[0]


def test_check_refuses_a_file_that_is_not_docx():
    errors = check_template(template=b"PK\x03\x04 not really a zip", kind="minutes")
    assert errors == ["无法读取模板文件：请上传用 Word 或 WPS 保存的 .docx 文件。"]


def test_check_rejects_an_unknown_kind():
    with pytest.raises(KeyError):
        check_template(template=builtin_template_path("minutes"), kind="memo")


# --- filters ----------------------------------------------------------------------------


def test_cn_date():
    assert cn_date(date(2026, 3, 5)) == "2026年3月5日"
    assert cn_date(datetime(2026, 12, 31, 20, 0, tzinfo=UTC)) == "2027年1月1日"
    assert cn_date("2026-03-05") == "2026年3月5日"
    assert cn_date("2026年3月5日") == "2026年3月5日" and cn_date(None) == ""


@pytest.mark.parametrize("n,text", [(1, "一"), (10, "十"), (12, "十二"), (20, "二十"),
                                    (105, "一百零五"), (110, "一百一十"), (1005, "一千零五"),
                                    (10010, "一万零一十"), (0, "零")])
def test_cn_number(n, text):
    assert cn_number(n) == text
