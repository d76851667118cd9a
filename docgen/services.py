"""The document workflow: 拟稿 → 核稿 → 签发 → 印发, each step one service.

Every rendering is a new DocumentVersion; nothing is overwritten. The 文号 is taken at signing,
in the signing transaction, so abandoned drafts and failed signings leave no gap. Issuing
renders the final version (with the 印发 date) and freezes it.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from cases.actors import Actor
from cases.models import Case, Mechanism, Meeting
from docgen.contexts import DRAFT_NUMBER, Stamp, context_build, overrides_apply, overrides_clean
from docgen.errors import DocumentError
from docgen.models import CustomTemplate, Document, DocumentStatus, DocumentVersion
from docgen.numbering import document_number_take
from docgen.policy import document_refusal, draft_refusal, is_office, sign_refusal
from docgen.render import builtin_template_path, render_docx
from docgen.rules import CASE_KINDS
from docgen.supervision import period_parse
from docgen.variables import KIND_LABELS

EDITABLE_STATUSES = (DocumentStatus.DRAFTED, DocumentStatus.CHECKED)


def person_name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _staff_user(actor: Actor):
    if actor.kind != "staff" or actor.user is None:
        raise DocumentError("公文只能由工作人员办理。")
    return actor.user


def _save(document: Document, actor: Actor, reason: str) -> None:
    document._history_user = actor.history_user
    document._change_reason = reason
    document.save()


def _lock(document: Document) -> Document:
    # lock the document row only: PostgreSQL refuses FOR UPDATE on nullable outer joins
    return (Document.objects.select_for_update(of=("self",))
            .select_related("mechanism", "case", "meeting", "signer", "created_by")
            .get(pk=document.pk))


def active_template(*, mechanism: Mechanism, kind: str) -> CustomTemplate | None:
    return CustomTemplate.objects.filter(mechanism=mechanism, kind=kind, is_active=True).first()


def template_source(*, mechanism: Mechanism, kind: str):
    """(what render_docx opens, the custom template or None): the office's own one wins."""
    custom = active_template(mechanism=mechanism, kind=kind)
    if custom is None:
        return builtin_template_path(kind), None
    with custom.file.open("rb") as handle:
        return handle.read(), custom


def document_stamp(document: Document) -> Stamp:
    day = timezone.localdate(document.signed_at) if document.signed_at else None
    return Stamp(
        number=document.number or DRAFT_NUMBER,
        date=day,
        printed=timezone.localdate(document.issued_at) if document.issued_at else day,
        signer=person_name(document.signer),
        drafter=person_name(document.created_by),
    )


def document_context(document: Document) -> dict:
    """The context a rendering of ``document`` uses now: the record, the stamp, the edits."""
    context = context_build(kind=document.kind, case=document.case, meeting=document.meeting,
                            mechanism=document.mechanism, period=document.period,
                            party=document.party or "complainant", stamp=document_stamp(document))
    return overrides_apply(context, document.fields)


def _render_version(document: Document, *, actor: Actor, note: str,
                    is_final: bool = False) -> DocumentVersion:
    source, custom = template_source(mechanism=document.mechanism, kind=document.kind)
    data = render_docx(template=source, context=document_context(document))
    last = document.versions.aggregate(last=Max("version"))["last"] or 0
    version = DocumentVersion(
        document=document, version=last + 1, sha256=hashlib.sha256(data).hexdigest(),
        size=len(data), number=document.number, custom_template=custom, note=note,
        is_final=is_final, created_by=actor.history_user,
    )
    version.file.save("document.docx", ContentFile(data), save=False)
    version.save()
    return version


def _title(kind: str, *, case: Case | None, meeting: Meeting | None, period: str, party: str) -> str:
    label = KIND_LABELS[kind]
    if case is not None:
        return f"{case.number} {label}" + ("（致用人单位）" if party == "employer" else "")
    if meeting is not None:
        return f"{meeting.title}（{timezone.localtime(meeting.scheduled_at):%Y-%m-%d}）{label}"
    return f"{period_parse(period).label}逾期办理情况{label}"


@transaction.atomic
def document_draft(*, kind: str, actor: Actor, case: Case | None = None,
                   meeting: Meeting | None = None, mechanism: Mechanism | None = None,
                   period: str = "", party: str = "complainant",
                   overrides: dict | None = None) -> Document:
    """拟稿: a new document and its first version, numbered "（签发后编号）"."""
    user = _staff_user(actor)
    if kind not in KIND_LABELS:
        raise DocumentError(f"未知的公文种类：{kind}", field="kind")
    mechanism = case.mechanism if case is not None else (
        meeting.mechanism if meeting is not None else mechanism)
    if mechanism is None:
        raise DocumentError("请指定机制。", field="mechanism")
    refusal = draft_refusal(user, kind=kind, case=case, meeting=meeting, mechanism=mechanism)
    if refusal:
        raise DocumentError(refusal)
    if kind == "supervision_notice":
        period = period_parse(period).code
    party = party if kind == "feedback_letter" else ""
    document = Document(
        mechanism=mechanism, kind=kind, case=case if kind in CASE_KINDS else None,
        meeting=meeting if kind == "minutes" else None,
        period=period if kind == "supervision_notice" else "", party=party,
        title=_title(kind, case=case, meeting=meeting, period=period, party=party),
        fields=overrides_clean(kind, overrides), created_by=user,
    )
    _save(document, actor, f"拟稿：{KIND_LABELS[kind]}")
    _render_version(document, actor=actor, note="拟稿")
    return document


def _require_editable(document: Document, action: str) -> None:
    if document.status not in EDITABLE_STATUSES:
        raise DocumentError(f"公文已{document.get_status_display()}，不能{action}。")


@transaction.atomic
def document_edit(*, document: Document, actor: Actor, overrides: dict) -> Document:
    """Change the clerk's fields (a None value restores the record's own); a new version.
    An edit after 核稿 sends the draft back to 拟稿: what was checked has changed."""
    user = _staff_user(actor)
    document = _lock(document)
    _require_editable(document, "修改")
    refusal = document_refusal(user, document)
    if refusal:
        raise DocumentError(refusal)
    fields = dict(document.fields)
    for name in [n for n, v in overrides.items() if v is None]:
        fields.pop(name, None)
    fields.update(overrides_clean(document.kind, {n: v for n, v in overrides.items() if v is not None}))
    document.fields = fields
    document.status = DocumentStatus.DRAFTED
    document.checked_by, document.checked_at = None, None
    _save(document, actor, "修改拟稿")
    _render_version(document, actor=actor, note="修改")
    return document


@transaction.atomic
def document_check(*, document: Document, actor: Actor) -> Document:
    """核稿: the draft as it stands is checked; signing comes next."""
    user = _staff_user(actor)
    document = _lock(document)
    if document.status != DocumentStatus.DRAFTED:
        raise DocumentError(f"公文当前为“{document.get_status_display()}”，不能核稿。")
    refusal = document_refusal(user, document)
    if refusal:
        raise DocumentError(refusal)
    document.status = DocumentStatus.CHECKED
    document.checked_by, document.checked_at = user, timezone.now()
    _save(document, actor, "核稿")
    return document


@transaction.atomic
def document_sign(*, document: Document, actor: Actor) -> Document:
    """签发: takes the 文号 now and renders the numbered, signed version."""
    user = _staff_user(actor)
    document = _lock(document)
    if document.status != DocumentStatus.CHECKED:
        raise DocumentError("请先核稿再签发。" if document.status == DocumentStatus.DRAFTED
                            else f"公文已{document.get_status_display()}，不能再签发。")
    refusal = sign_refusal(user, document)
    if refusal:
        raise DocumentError(refusal)
    now = timezone.now()
    year = timezone.localdate(now).year
    seq, number = document_number_take(mechanism=document.mechanism, kind=document.kind, year=year)
    document.number, document.number_year, document.number_seq = number, year, seq
    document.signer, document.signed_at = user, now
    document.status = DocumentStatus.SIGNED
    _save(document, actor, f"签发，文号 {number}")
    _render_version(document, actor=actor, note="签发")
    return document


@transaction.atomic
def document_issue(*, document: Document, actor: Actor) -> Document:
    """印发: renders the final version with the 印发 date; that file is never changed again."""
    user = _staff_user(actor)
    document = _lock(document)
    if document.status != DocumentStatus.SIGNED:
        raise DocumentError("公文签发后才能印发。" if document.status in EDITABLE_STATUSES
                            else "公文已印发。")
    if not is_office(user, document.mechanism):
        raise DocumentError("只有机制办公室可以印发公文。")
    document.issued_by, document.issued_at = user, timezone.now()
    document.status = DocumentStatus.ISSUED
    _save(document, actor, "印发")
    _render_version(document, actor=actor, note="印发定稿", is_final=True)
    return document


@transaction.atomic
def document_regenerate(*, document: Document, actor: Actor) -> DocumentVersion:
    """A new version from the record as it is now; an issued final version stays as it was."""
    user = _staff_user(actor)
    document = _lock(document)
    refusal = document_refusal(user, document)
    if refusal:
        raise DocumentError(refusal)
    return _render_version(document, actor=actor, note="重新生成")


# --- custom templates ----------------------------------------------------------------------

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024


def _read_upload(file) -> tuple[bytes, str]:
    if isinstance(file, (bytes, bytearray)):
        return bytes(file), "template.docx"
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(), getattr(file, "name", "") or "template.docx"


@transaction.atomic
def docgen_custom_template_upload(*, mechanism: Mechanism, kind: str, file, actor: Actor) -> CustomTemplate:
    """Check an office's .docx against ``kind``'s variables; if it passes it becomes active."""
    from docgen.render import check_template, template_variables

    user = _staff_user(actor)
    if not is_office(user, mechanism):
        raise DocumentError("只有机制办公室可以上传公文模板。")
    if kind not in KIND_LABELS:
        raise DocumentError(f"未知的公文种类：{kind}", field="kind")
    data, name = _read_upload(file)
    if not name.lower().endswith(".docx"):
        raise DocumentError("请上传 .docx 格式的 Word 文件。", field="file")
    if len(data) > MAX_TEMPLATE_BYTES:
        raise DocumentError("模板文件不能超过 5 MB。", field="file")
    errors = check_template(template=data, kind=kind)
    if errors:
        raise DocumentError("模板未通过检查：" + "".join(errors), field="file", errors=errors)
    for old in CustomTemplate.objects.select_for_update().filter(mechanism=mechanism, kind=kind,
                                                                 is_active=True):
        old.is_active = False
        old._history_user, old._change_reason = actor.history_user, "被新模板取代"
        old.save()
    template = CustomTemplate(
        mechanism=mechanism, kind=kind, original_name=name.rsplit("/", 1)[-1][:200],
        sha256=hashlib.sha256(data).hexdigest(), variables=sorted(template_variables(data)),
        uploaded_by=user, is_active=True,
    )
    template.file.save("template.docx", ContentFile(data), save=False)
    template._history_user, template._change_reason = actor.history_user, "上传模板"
    template.save()
    return template


@transaction.atomic
def custom_template_deactivate(*, template: CustomTemplate, actor: Actor) -> CustomTemplate:
    """Back to the built-in template for this kind."""
    user = _staff_user(actor)
    if not is_office(user, template.mechanism):
        raise DocumentError("只有机制办公室可以停用公文模板。")
    template.is_active = False
    template._history_user, template._change_reason = actor.history_user, "停用模板"
    template.save()
    return template

