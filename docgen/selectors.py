"""Reads: the register of issued documents (发文登记簿) and a case's documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from cases.models import Case
from docgen.models import Document, DocumentStatus, DocumentVersion, Party
from docgen.policy import visible_documents
from docgen.variables import KIND_LABELS


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


@dataclass(frozen=True)
class RegisterRow:
    document_id: int
    version_id: int
    kind: str
    kind_label: str
    number: str
    title: str
    subject: str  # case number, meeting, or period
    version: int
    signer: str
    signed_at: datetime | None
    issued_by: str
    issued_at: datetime | None
    sha256: str


def document_register(*, user, mechanism=None, kind: str = "", year: int | None = None) -> list[RegisterRow]:
    """Issued documents the user may see, newest first, with their frozen version (2 queries)."""
    finals = DocumentVersion.objects.filter(is_final=True)
    queryset = (visible_documents(user).filter(status=DocumentStatus.ISSUED)
                .select_related("case", "meeting", "signer", "issued_by")
                .prefetch_related(Prefetch("versions", queryset=finals, to_attr="finals"))
                .order_by("-issued_at", "-id"))
    if mechanism is not None:
        queryset = queryset.filter(mechanism=mechanism)
    if kind:
        queryset = queryset.filter(kind=kind)
    if year:
        queryset = queryset.filter(number_year=year)
    rows = []
    for doc in queryset:
        if not doc.finals:
            continue
        final = doc.finals[0]
        if doc.case_id:
            subject = doc.case.number
        elif doc.meeting_id:
            subject = str(doc.meeting)
        else:
            subject = doc.period
        rows.append(RegisterRow(
            document_id=doc.pk, version_id=final.pk, kind=doc.kind, kind_label=KIND_LABELS[doc.kind],
            number=doc.number, title=doc.title, subject=subject, version=final.version,
            signer=_name(doc.signer), signed_at=doc.signed_at, issued_by=_name(doc.issued_by),
            issued_at=doc.issued_at, sha256=final.sha256,
        ))
    return rows


def case_documents(*, case: Case, user) -> list[Document]:
    """The case's documents the user may see, each with ``current`` — the issued version when
    there is one, otherwise the newest — for the case page's download links."""
    documents = list(visible_documents(user, case.documents.all())
                     .prefetch_related("versions").order_by("created_at", "id"))
    for doc in documents:
        versions = list(doc.versions.all())
        doc.current = next((v for v in versions if v.is_final), versions[-1] if versions else None)
    return documents


def issued_feedback_letter(*, case: Case) -> DocumentVersion | None:
    """The frozen file of the newest 反馈函 issued to the complainant of ``case`` — what the
    public tracking page offers. Drafts, signed-but-unissued letters and the employer's letter
    never qualify."""
    return (DocumentVersion.objects
            .filter(is_final=True, document__case=case, document__kind="feedback_letter",
                    document__party=Party.COMPLAINANT, document__status=DocumentStatus.ISSUED)
            .select_related("document")
            .order_by("-document__issued_at", "-document_id")
            .first())
