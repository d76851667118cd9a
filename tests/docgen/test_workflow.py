"""拟稿 → 核稿 → 签发 → 印发: permissions, numbering, versions that are never overwritten."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from cases.actors import Actor
from cases.services.mechanisms import groups_ensure
from docgen.errors import DocumentError
from docgen.models import Document, DocumentCounter, DocumentStatus, DocumentVersion
from docgen.selectors import document_register
from docgen.services import (
    document_check,
    document_draft,
    document_edit,
    document_issue,
    document_regenerate,
    document_sign,
)
from tests.docgen.conftest import build_records, read_docx
from tests.docgen.test_templates import text_of

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _through(document, actor, *, issue=True):
    document = document_check(document=document, actor=actor)
    document = document_sign(document=document, actor=actor)
    return document_issue(document=document, actor=actor) if issue else document


def test_the_full_flow_numbers_at_signing_and_freezes_at_issue(records):
    office = records.office
    doc = document_draft(kind="transfer_notice", actor=records.clerk, case=records.settled)
    assert doc.status == DocumentStatus.DRAFTED and doc.number == ""
    assert doc.versions.count() == 1
    assert "（签发后编号）" in text_of(read_docx(doc.latest_version))

    doc = document_edit(document=doc, actor=records.clerk,
                        overrides={"contact_person": "赵丽娟", "contact_phone": "0356-5226012"})
    assert doc.versions.count() == 2 and doc.fields["contact_person"] == "赵丽娟"
    doc = document_check(document=doc, actor=office)
    assert doc.status == DocumentStatus.CHECKED and doc.checked_by == office.user
    doc = document_sign(document=doc, actor=office)
    prefix = "高征争转" if records.mechanism.slug == "gaoping" else "沅征争交"
    assert doc.number == f"{prefix}〔{YEAR}〕1号" and doc.status == DocumentStatus.SIGNED
    signed = doc.latest_version
    assert signed.version == 3 and signed.number == doc.number
    text = text_of(read_docx(signed))
    assert doc.number in text and "签发后编号" not in text and "赵丽娟" in text

    doc = document_issue(document=doc, actor=office)
    final = doc.final_version
    assert doc.status == DocumentStatus.ISSUED and final.is_final and final.version == 4
    frozen = (final.file.name, final.sha256, final.file.read())

    # regenerating makes a new version; the issued file stays exactly as it was
    newer = document_regenerate(document=doc, actor=office)
    assert newer.version == 5 and not newer.is_final
    final.refresh_from_db()
    with final.file.open("rb") as handle:
        assert (final.file.name, final.sha256, handle.read()) == frozen
    assert doc.final_version.pk == final.pk

    with pytest.raises(DocumentError, match="不能修改"):
        document_edit(document=doc, actor=office, overrides={"title": "改标题"})
    with pytest.raises(DocumentError, match="定稿不能修改"):
        final.note = "改"
        final.save()
    with pytest.raises(DocumentError, match="只增不删"):
        final.delete()
    assert doc.history.count() >= 5
    assert doc.history.first().history_change_reason == "印发"


def test_signing_needs_the_permission_and_the_office(records, staff):
    doc = document_draft(kind="acknowledgement", actor=records.clerk, case=records.settled)
    with pytest.raises(DocumentError, match="请先核稿"):
        document_sign(document=doc, actor=records.office)
    doc = document_check(document=doc, actor=records.clerk)
    # the clerk's unit may draft and check, but not sign
    with pytest.raises(DocumentError, match="没有签发公文的权限"):
        document_sign(document=doc, actor=records.clerk)
    # office staff, once the office took the permission off its group (only named people sign)
    from django.contrib.auth.models import Permission

    records.mechanism.office_unit.group.permissions.remove(
        Permission.objects.get(codename="sign_document"))
    groups_ensure(mechanism=records.mechanism)  # a reload does not put it back
    plain = Actor.staff(staff(records.mechanism, records.mechanism.office_unit.code, "plain_office"))
    with pytest.raises(DocumentError, match="没有签发公文的权限"):
        document_sign(document=doc, actor=plain)
    # the permission alone, outside the office, is not enough
    records.clerk.user.user_permissions.add(Permission.objects.get(codename="sign_document"))
    from django.contrib.auth import get_user_model

    clerk = Actor.staff(get_user_model().objects.get(pk=records.clerk.user.pk))
    with pytest.raises(DocumentError, match="只有机制办公室"):
        document_sign(document=doc, actor=clerk)
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.CHECKED and doc.number == ""
    assert not DocumentCounter.objects.exists()  # refused signings take no number
    doc = document_sign(document=doc, actor=records.office)
    assert doc.number.endswith(f"〔{YEAR}〕1号")


def test_the_office_group_signs_by_default_and_a_member_unit_clerk_cannot(records, staff):
    """Loading a mechanism lets its office (the director) sign; member units only draft and check."""
    office_user = staff(records.mechanism, records.mechanism.office_unit.code, "office_director")
    assert office_user.has_perm("docgen.sign_document")
    tax_clerk = staff(records.mechanism, "tax", "tax_clerk")
    assert not tax_clerk.has_perm("docgen.sign_document")
    doc = document_draft(kind="acknowledgement", actor=records.clerk, case=records.settled)
    doc = document_check(document=doc, actor=records.clerk)
    with pytest.raises(DocumentError, match="没有签发公文的权限"):
        document_sign(document=doc, actor=Actor.staff(tax_clerk))
    doc = document_sign(document=doc, actor=Actor.staff(office_user))
    assert doc.status == DocumentStatus.SIGNED and doc.signer == office_user
    assert doc.number.endswith(f"〔{YEAR}〕1号")


def test_drafting_needs_to_see_the_case_and_office_kinds_need_the_office(records, staff, django_user_model):
    other = Actor.staff(staff(records.mechanism, "finance"))  # sees neither case
    with pytest.raises(DocumentError, match="无权"):
        document_draft(kind="acknowledgement", actor=other, case=records.settled)
    with pytest.raises(DocumentError, match="只有机制办公室"):
        document_draft(kind="minutes", actor=records.clerk, meeting=records.meeting)
    with pytest.raises(DocumentError, match="只有机制办公室"):
        document_draft(kind="supervision_notice", actor=records.handler,
                       mechanism=records.mechanism, period=records.period)
    with pytest.raises(DocumentError, match="工作人员"):
        document_draft(kind="acknowledgement", actor=Actor.public(), case=records.settled)
    leader_user = django_user_model.objects.create(username="docs_leader")
    leader_user.groups.add(records.mechanism.leaders_group)
    with pytest.raises(DocumentError, match="无权"):  # leaders read, they do not draft
        document_draft(kind="acknowledgement", actor=Actor.staff(leader_user), case=records.settled)
    assert not Document.objects.exists()


def test_a_document_must_fit_the_case_status(records):
    fresh = records.decided  # deliberated, not settled
    with pytest.raises(DocumentError, match="尚未办结"):
        document_draft(kind="feedback_letter", actor=records.office, case=fresh)
    with pytest.raises(DocumentError, match="会商意见"):
        document_draft(kind="handling_opinion", actor=records.office, case=records.settled)
    with pytest.raises(DocumentError, match="格式不对"):
        document_draft(kind="supervision_notice", actor=records.office,
                       mechanism=records.mechanism, period="2026/10")
    with pytest.raises(DocumentError, match="不能修改"):
        document_draft(kind="acknowledgement", actor=records.office, case=fresh,
                       overrides={"doc_number": "伪造〔{YEAR}〕99号"})


def test_numbers_per_kind_and_year_and_abandoned_drafts_leave_no_gap(records):
    office = records.office
    abandoned = document_draft(kind="acknowledgement", actor=office, case=records.decided)
    first = _through(document_draft(kind="acknowledgement", actor=office, case=records.settled),
                     office, issue=False)
    other_kind = _through(document_draft(kind="transfer_notice", actor=office, case=records.settled),
                          office, issue=False)
    second = _through(document_draft(kind="acknowledgement", actor=office, case=records.settled),
                      office, issue=False)
    assert abandoned.number == ""
    assert [first.number_seq, second.number_seq, other_kind.number_seq] == [1, 2, 1]
    assert first.number.endswith(f"〔{YEAR}〕1号") and second.number.endswith(f"〔{YEAR}〕2号")
    assert "受" in first.number and ("转" in other_kind.number or "交" in other_kind.number)


def test_a_failed_render_at_signing_gives_the_number_back(records, monkeypatch):
    office = records.office
    doc = document_check(document=document_draft(kind="acknowledgement", actor=office,
                                                 case=records.settled), actor=office)

    def broken(**kwargs):
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr("docgen.services.render_docx", broken)
    with pytest.raises(RuntimeError):
        document_sign(document=doc, actor=office)
    monkeypatch.undo()
    doc.refresh_from_db()
    assert doc.status == DocumentStatus.CHECKED and doc.number == ""
    assert document_sign(document=doc, actor=office).number_seq == 1


def test_the_register_lists_issued_documents_the_user_may_see(records, staff):
    office = records.office
    issued = _through(document_draft(kind="feedback_letter", actor=office, case=records.settled), office)
    _through(document_draft(kind="minutes", actor=office, meeting=records.meeting), office)
    document_draft(kind="acknowledgement", actor=office, case=records.settled)  # a draft: not listed
    rows = document_register(user=office.user)
    assert len(rows) == 2
    row = next(r for r in rows if r.kind == "feedback_letter")
    assert row.number == issued.number and row.subject == records.settled.number
    assert row.version == issued.final_version.version and row.sha256 == issued.final_version.sha256
    assert row.signer and row.issued_at and row.issued_by
    # the tax unit handled the settled case: it sees that letter, not the minutes
    unit_rows = document_register(user=records.handler.user)
    assert [r.kind for r in unit_rows] == ["feedback_letter"]
    assert document_register(user=staff(records.mechanism, "police")) == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_signing_gives_20_distinct_gap_free_numbers(staff, register, signer):
    if connection.vendor != "postgresql":
        pytest.skip("并发文号测试需要 PostgreSQL（CI 在 PostgreSQL 上运行）；SQLite 由 IMMEDIATE 事务串行写入。")
    from cases.services.mechanisms import mechanism_load

    mechanism = mechanism_load(source="gaoping").mechanism
    records = build_records(mechanism, staff, register, signer(mechanism))
    office = records.office
    drafts = []
    for _ in range(20):
        doc = document_draft(kind="transfer_notice", actor=office, case=records.settled)
        drafts.append(document_check(document=doc, actor=office))
    errors: list[BaseException] = []
    barrier = threading.Barrier(5)

    def worker(chunk):
        try:
            barrier.wait()
            for doc in chunk:
                with transaction.atomic():
                    document_sign(document=doc, actor=office)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(drafts[i::5],)) for i in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    numbers = list(Document.objects.filter(kind="transfer_notice").values_list("number", flat=True))
    assert len(numbers) == len(set(numbers)) == 20
    seqs = sorted(Document.objects.filter(kind="transfer_notice").values_list("number_seq", flat=True))
    assert seqs == list(range(1, 21))
    assert {f"高征争转〔{YEAR}〕{n}号" for n in range(1, 21)} == set(numbers)
    assert DocumentVersion.objects.filter(document__kind="transfer_notice", note="签发").count() == 20
