"""Document views in the admin: draft, edit, 核稿/签发/印发 buttons, downloads and PDF preview.

Every view ends in one service call; a record the user may not see is a 404, not a hint.
Files leave private storage only through ``version_download`` and ``version_preview``.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Mechanism, Meeting
from cases.policy import visible_cases
from docgen.contexts import context_build
from docgen.forms import DraftEditForm
from docgen.models import Document, DocumentVersion
from docgen.policy import is_office, visible_documents
from docgen.preview import PreviewUnavailable, docx_to_pdf
from docgen.services import (
    EDITABLE_STATUSES,
    document_check,
    document_draft,
    document_edit,
    document_issue,
    document_regenerate,
    document_sign,
)
from docgen.variables import KIND_LABELS

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACTIONS = {
    "check": (document_check, "已核稿。"),
    "sign": (document_sign, "已签发，文号 {number}。"),
    "issue": (document_issue, "已印发，定稿已锁定。"),
    "regenerate": (document_regenerate, "已按最新记录重新生成一个新版本。"),
}


def document_url(document: Document) -> str:
    return reverse("docgen_document_modeladmin_inspect", args=[document.pk])


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return fallback


def _visible_document(request, pk: int) -> Document:
    queryset = visible_documents(request.user).select_related("mechanism", "case", "meeting")
    return get_object_or_404(queryset, pk=pk)


@require_POST
def draft(request):
    """POST kind and case_id (or meeting_id, or mechanism + period; party for 反馈函)."""
    kind = request.POST.get("kind", "")
    party = request.POST.get("party") or "complainant"
    if kind not in KIND_LABELS:
        raise Http404("没有这种公文。")
    subject: dict = {}
    if request.POST.get("case_id"):
        subject["case"] = get_object_or_404(visible_cases(request.user), pk=request.POST["case_id"])
    elif request.POST.get("meeting_id"):
        meeting = get_object_or_404(Meeting.objects.select_related("mechanism"), pk=request.POST["meeting_id"])
        if not is_office(request.user, meeting.mechanism):
            raise Http404("没有找到该会议。")
        subject["meeting"] = meeting
    else:
        mechanism = get_object_or_404(Mechanism, slug=request.POST.get("mechanism", ""))
        subject.update(mechanism=mechanism, period=request.POST.get("period", ""))
    fallback = reverse("docgen_document_modeladmin_index")
    try:
        document = document_draft(kind=kind, actor=Actor.staff(request.user), party=party, **subject)
    except CaseError as error:
        messages.error(request, error.message)
        return redirect(_back(request, fallback))
    messages.success(request, f"已拟稿：{document.title}。")
    return redirect(document_url(document))


@require_POST
def document_action(request, pk: int, action: str):
    document = _visible_document(request, pk)
    if action not in ACTIONS:
        raise Http404("没有这个操作。")
    service, done = ACTIONS[action]
    try:
        result = service(document=document, actor=Actor.staff(request.user))
    except CaseError as error:
        messages.error(request, error.message)
    else:
        number = result.number if isinstance(result, Document) else document.number
        messages.success(request, done.format(number=number))
    return redirect(_back(request, document_url(document)))


def document_edit_view(request, pk: int):
    document = _visible_document(request, pk)
    if document.status not in EDITABLE_STATUSES:
        messages.error(request, f"公文已{document.get_status_display()}，不能修改。")
        return redirect(document_url(document))
    try:
        defaults = context_build(kind=document.kind, case=document.case, meeting=document.meeting,
                                 mechanism=document.mechanism, period=document.period,
                                 party=document.party or "complainant")
    except CaseError as error:
        messages.error(request, error.message)
        return redirect(document_url(document))
    form = DraftEditForm(request.POST or None, kind=document.kind, defaults=defaults,
                         fields_now=document.fields)
    if request.method == "POST" and form.is_valid():
        try:
            document_edit(document=document, actor=Actor.staff(request.user), overrides=form.overrides())
        except CaseError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, "已保存修改，并生成了新版本。")
            return redirect(document_url(document))
    return TemplateResponse(request, "docgen/admin/document_edit.html",
                            {"document": document, "form": form, "back": document_url(document)})


def _visible_version(request, pk: int) -> DocumentVersion:
    version = get_object_or_404(DocumentVersion.objects.select_related("document"), pk=pk)
    if not visible_documents(request.user).filter(pk=version.document_id).exists():
        raise Http404("没有找到该公文。")
    return version


def download_name(version: DocumentVersion, suffix: str = "docx") -> str:
    document = version.document
    label = document.number or "草稿"
    return f"{document.title}_{label}_第{version.version}版.{suffix}".replace("/", "-")


def version_download(request, pk: int):
    version = _visible_version(request, pk)
    response = FileResponse(version.file.open("rb"), as_attachment=True,
                            filename=download_name(version), content_type=DOCX)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def version_preview(request, pk: int):
    version = _visible_version(request, pk)
    with version.file.open("rb") as handle:
        data = handle.read()
    try:
        pdf = docx_to_pdf(data)
    except PreviewUnavailable as error:
        return HttpResponse(error.message, status=503, content_type="text/plain; charset=utf-8")
    # inline: a preview is meant to be looked at in the browser; the .docx stays the record
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = "inline; filename*=UTF-8''preview.pdf"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
