"""Attachments are files, and files do not roll back: a registration whose transaction rolls
back must leave no file behind, and a committed one must keep its files."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from cases.models import Attachment, Case
from cases.services import intake
from cases.services.intake import NewAttachment
from tests.factories import make_case
from tests.forms.conftest import jpeg_bytes, pdf_bytes, upload

pytestmark = pytest.mark.django_db


def stored_files() -> set[Path]:
    root = Path(settings.PRIVATE_ROOT) / "attachments"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def files():
    return [NewAttachment(name="通知.jpg", content_type="image/jpeg", content=jpeg_bytes()),
            NewAttachment(name="合同.pdf", content_type="application/pdf", content=pdf_bytes())]


def test_a_failure_after_the_files_are_written_deletes_them(portal, monkeypatch):
    before = stored_files()

    def event_fails(*args, **kwargs):
        raise RuntimeError("测试：写时间线失败")

    monkeypatch.setattr(intake, "record_event", event_fails)
    with pytest.raises(RuntimeError):
        make_case(mechanism=portal.gaoping, attachments=files())
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == before


def test_an_enclosing_transaction_that_rolls_back_takes_the_files_with_it(portal):
    before = stored_files()
    with pytest.raises(RuntimeError), transaction.atomic():
        case = make_case(mechanism=portal.gaoping, attachments=files())
        assert len(stored_files() - before) == 2  # written, not yet committed
        raise RuntimeError("测试：外层事务回滚")
    assert not Case.objects.filter(pk=case.pk).exists()
    assert stored_files() == before


def test_committed_attachments_keep_their_files(portal, django_capture_on_commit_callbacks):
    before = stored_files()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            case = make_case(mechanism=portal.gaoping, attachments=files())
    new = stored_files() - before
    assert len(new) == 2
    for attachment in case.attachments.all():
        assert Path(attachment.file.path) in new
        with attachment.file.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == attachment.sha256


def test_a_rolled_back_form_submission_leaves_no_file(client, portal, valid_data, monkeypatch):
    import cases.services.intake as intake_services
    from forms.models import IntakeReceipt

    before = stored_files()
    real_insert = intake_services.case_insert_numbered

    def insert_then_fail(**kwargs):  # the last write: case, receipt and files are all written
        real_insert(**kwargs)
        raise RuntimeError("测试：登记最后一步失败")

    monkeypatch.setattr(intake_services, "case_insert_numbered", insert_then_fail)
    data = valid_data(attachments=[upload("欠费通知.jpg", jpeg_bytes(), "image/jpeg")])
    with pytest.raises(RuntimeError):
        client.post(portal.form_page.url, data)
    assert not Case.objects.exists() and not IntakeReceipt.objects.exists()
    assert stored_files() == before
