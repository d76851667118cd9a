"""Admin pages around documents: the variables reference, the register, template upload, and
the office's own documents (会议纪要, 通报)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Mechanism
from cases.policy import membership
from docgen.contexts import editable_fields
from docgen.errors import DocumentError
from docgen.forms import MinutesDraftForm, SupervisionDraftForm, TemplateUploadForm
from docgen.models import CustomTemplate
from docgen.selectors import document_register
from docgen.services import (
    custom_template_deactivate,
    docgen_custom_template_upload,
    document_draft,
)
from docgen.variables import KIND_LABELS, VARIABLES, sample_context


def office_mechanisms(user):
    m = membership(user)
    queryset = Mechanism.objects.filter(is_active=True).order_by("slug")
    return queryset if m.is_superuser else queryset.filter(pk__in=m.office_mechanism_ids)


def _require_staff(user) -> None:
    if not membership(user).is_staff_of_anything:
        raise PermissionDenied("您不是任何机制的工作人员。")


def _get(context: dict, path: str):
    value = context
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _sample(context: dict, name: str) -> str:
    """An example value for the reference page: "rows[].unit" shows the first row's unit."""
    if "[]." in name:
        list_path, field = name.split("[].")
        items = _get(context, list_path) or []
        return str(items[0].get(field, "")) if items else ""
    value = _get(context, name)
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return "、".join(value)
        return f"（列表，示例中有{len(value)}项）"
    return "" if value is None else str(value)


def variables_reference(request):
    """Every variable each kind offers, with its meaning, an example, and whether clerks edit it."""
    _require_staff(request.user)
    kinds = []
    for kind, label in KIND_LABELS.items():
        sample = sample_context(kind)
        editable = editable_fields(kind)
        kinds.append({
            "kind": kind, "label": label,
            "rows": [{"name": name, "description": description, "example": _sample(sample, name),
                      "editable": name in editable}
                     for name, description in VARIABLES[kind].items()],
        })
    return TemplateResponse(request, "docgen/admin/variables.html", {"kinds": kinds})


def register_view(request):
    _require_staff(request.user)
    kind = request.GET.get("kind", "")
    year = request.GET.get("year", "")
    rows = document_register(user=request.user, kind=kind if kind in KIND_LABELS else "",
                             year=int(year) if year.isdigit() else None)
    return TemplateResponse(request, "docgen/admin/register.html", {
        "rows": rows, "kinds": KIND_LABELS.items(), "kind": kind, "year": year,
    })


def template_upload(request):
    mechanisms = office_mechanisms(request.user)
    if not mechanisms.exists():
        raise PermissionDenied("只有机制办公室可以上传公文模板。")
    form = TemplateUploadForm(request.POST or None, request.FILES or None, mechanisms=mechanisms)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            template = docgen_custom_template_upload(mechanism=d["mechanism"], kind=d["kind"],
                                                     file=d["file"], actor=Actor.staff(request.user))
        except DocumentError as error:
            problems = error.errors or [error.message]
        except CaseError as error:
            problems = [error.message]
        else:
            messages.success(request, f"模板已启用。它使用的变量：{'、'.join(template.variables) or '无'}。")
            return redirect(reverse("docgen_customtemplate_modeladmin_index"))
    return TemplateResponse(request, "docgen/admin/template_upload.html",
                            {"form": form, "problems": problems})


@require_POST
def template_deactivate(request, pk: int):
    template = get_object_or_404(CustomTemplate, pk=pk, mechanism__in=office_mechanisms(request.user))
    try:
        custom_template_deactivate(template=template, actor=Actor.staff(request.user))
    except CaseError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已停用，{template.get_kind_display()}恢复使用内置模板。")
    return redirect(reverse("docgen_customtemplate_modeladmin_index"))


def office_draft(request):
    """Drafts that belong to the office: minutes of a held meeting, a period's 通报."""
    from docgen.views import document_url

    mechanisms = office_mechanisms(request.user)
    if not mechanisms.exists():
        raise PermissionDenied("只有机制办公室可以拟制会议纪要和通报。")
    which = request.POST.get("which", "")
    minutes = MinutesDraftForm(request.POST if which == "minutes" else None, mechanisms=mechanisms)
    notice = SupervisionDraftForm(request.POST if which == "notice" else None, mechanisms=mechanisms)
    form = {"minutes": minutes, "notice": notice}.get(which)
    if request.method == "POST" and form is not None and form.is_valid():
        d = form.cleaned_data
        subject = ({"kind": "minutes", "meeting": d["meeting"]} if which == "minutes" else
                   {"kind": "supervision_notice", "mechanism": d["mechanism"], "period": d["period"]})
        try:
            document = document_draft(actor=Actor.staff(request.user), **subject)
        except CaseError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"已拟稿：{document.title}。")
            return redirect(document_url(document))
    return TemplateResponse(request, "docgen/admin/office_draft.html",
                            {"minutes_form": minutes, "notice_form": notice})
