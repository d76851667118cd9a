"""`manage.py render_document` (a preview from the records) and the PDF preview."""

from __future__ import annotations

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from docx import Document as Docx

from docgen import preview
from docgen.models import Document, DocumentVersion
from docgen.render import builtin_template_path
from tests.docgen.test_templates import text_of

pytestmark = pytest.mark.django_db


def run(*args) -> list[str]:
    out = StringIO()
    call_command("render_document", *args, stdout=out)
    return out.getvalue().strip().splitlines()


@pytest.mark.parametrize("kind", ["acknowledgement", "transfer_notice", "handling_opinion",
                                  "feedback_letter", "minutes", "supervision_notice"])
def test_every_kind_renders_to_a_file_without_records(records, tmp_path, kind):
    ref = {"minutes": str(records.meeting.pk), "supervision_notice": records.period,
           "handling_opinion": records.decided.number}.get(kind, records.settled.number)
    extra = ["--mechanism", records.mechanism.slug] if kind == "supervision_notice" else []
    target = tmp_path / "out" / f"{kind}.docx"
    lines = run(kind, ref, "--output", str(target), *extra)
    assert lines[-1] == str(target)
    text = text_of(Docx(str(target)))
    assert "（签发后编号）" in text and records.mechanism.region in text
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()


def test_the_employer_letter_from_the_command(records, tmp_path):
    target = tmp_path / "employer.docx"
    run("feedback_letter", records.settled.number.lower(), "--party", "employer", "--output", str(target))
    text = text_of(Docx(str(target)))
    assert records.settled.complainant_name not in text and records.settled.employer_name in text


@pytest.mark.parametrize("args, message", [
    (["memo", "X", "--output", "a.docx"], "未知的公文种类"),
    (["transfer_notice", "GP-2026-999999", "--output", "a.docx"], "没有受理编号"),
    (["minutes", "abc", "--output", "a.docx"], "没有编号为"),
    (["supervision_notice", "2026-10", "--output", "a.docx"], "--mechanism"),
    (["supervision_notice", "2026-10", "--mechanism", "nowhere", "--output", "a.docx"], "没有标识"),
    (["supervision_notice", "2026/10", "--mechanism", "gaoping", "--output", "a.docx"], "格式不对"),
    (["acknowledgement", "GP-2026-000001", "--output", "a.pdf"], ".docx"),
])
def test_errors_are_command_errors_in_chinese(gaoping, args, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        run(*args)


def test_a_case_that_is_not_ready_is_refused(records, tmp_path):
    with pytest.raises(CommandError, match="尚未办结"):
        run("feedback_letter", records.decided.number, "--output", str(tmp_path / "a.docx"))


def test_preview_without_libreoffice_says_so(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert not preview.preview_available()
    with pytest.raises(preview.PreviewUnavailable, match="未安装 LibreOffice"):
        preview.docx_to_pdf(b"whatever")


def test_preview_timeout_is_reported(monkeypatch):
    import subprocess

    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(cmd="soffice", timeout=1)

    monkeypatch.setattr(preview, "soffice_path", lambda: "/usr/bin/soffice")
    monkeypatch.setattr(subprocess, "run", slow)
    with pytest.raises(preview.PreviewUnavailable, match="超时"):
        preview.docx_to_pdf(b"x", timeout=1)


def test_a_real_pdf_conversion():
    if not preview.preview_available():
        pytest.skip("本机未安装 LibreOffice（soffice），跳过真实的 PDF 转换测试。")
    from docgen.render import render_docx
    from docgen.variables import sample_context

    data = render_docx(template=builtin_template_path("acknowledgement"),
                       context=sample_context("acknowledgement"))
    pdf = preview.docx_to_pdf(data)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
