"""Who may see, draft, check, sign and issue documents — built on cases.policy.

Case documents follow the case: whoever works on a case (office, accepting, lead or co-handling
unit) may draft them; leaders only read. Minutes and supervision notices are the office's.
Signing needs the ``docgen.sign_document`` permission and the office role (or a superuser).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from cases.actors import Actor
from cases.models import Case, Mechanism, Meeting
from cases.policy import case_roles, membership, visible_cases
from docgen.models import Document
from docgen.variables import KIND_LABELS

WORKING_ROLES = frozenset({"office", "accepting", "lead", "co"})
OFFICE_KINDS = frozenset({"minutes", "supervision_notice"})


def is_office(user, mechanism: Mechanism | None) -> bool:
    m = membership(user)
    return bool(m.is_superuser or (mechanism is not None and mechanism.pk in m.office_mechanism_ids))


def draft_refusal(user, *, kind: str, case: Case | None = None, meeting: Meeting | None = None,
                  mechanism: Mechanism | None = None) -> str | None:
    """Why ``user`` may not draft (or edit, check, regenerate) this document, or None."""
    label = KIND_LABELS.get(kind, kind)
    if kind in OFFICE_KINDS:
        mechanism = meeting.mechanism if meeting is not None else mechanism
        return None if is_office(user, mechanism) else f"只有机制办公室可以拟制{label}。"
    if case is None:
        return "请指定争议事项。"
    if not case_roles(Actor.staff(user), case) & WORKING_ROLES:
        return f"您无权为该事项拟制{label}。"
    return None


def document_refusal(user, document: Document) -> str | None:
    return draft_refusal(user, kind=document.kind, case=document.case, meeting=document.meeting,
                         mechanism=document.mechanism)


def sign_refusal(user, document: Document) -> str | None:
    if user is None or not user.has_perm("docgen.sign_document"):
        return "您没有签发公文的权限（可签发公文）。"
    if not is_office(user, document.mechanism):
        return "只有机制办公室可以签发公文。"
    return None


def visible_documents(user, queryset: QuerySet[Document] | None = None) -> QuerySet[Document]:
    """Office and leaders: their mechanisms' documents; units: documents of cases they see."""
    queryset = Document.objects.all() if queryset is None else queryset
    m = membership(user)
    if m.is_superuser:
        return queryset
    if not m.is_staff_of_anything:
        return queryset.none()
    whole = m.office_mechanism_ids | m.leader_mechanism_ids
    condition = Q(mechanism_id__in=whole) if whole else Q(pk__in=[])
    if m.unit_ids:
        condition |= Q(case__in=visible_cases(user).values("pk"))
    return queryset.filter(condition)


def can_view_document(user, document: Document) -> bool:
    return visible_documents(user, Document.objects.filter(pk=document.pk)).exists()
