"""The case page: every field, the timeline, field-level history, documents, and a small form
for exactly the transitions the current user may make now."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import select_template
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail_modeladmin.views import InspectView

from cases.actors import Actor
from cases.admin_forms import TRANSITION_FORMS
from cases.clocks import clock_label, clock_state
from cases.errors import CaseError
from cases.identity import mask_credit_code, mask_mobile, mask_resident_id
from cases.models import Case, ComplainantType, Extension
from cases.policy import allowed_transitions, can_view, case_roles, visible_cases
from cases.selectors import possible_duplicates
from security.selectors import personal_data_may_reveal

HIDDEN_HISTORY_FIELDS = {"id", "history_id", "history_date", "history_change_reason",
                         "history_type", "history_user", "updated_at", "created_at"}
# Shown masked until a permitted user presses 查看完整信息 (audited, security.views.reveal).
PERSONAL_FIELDS = ("complainant_id_number", "complainant_phone")


def personal_fields(case: Case) -> dict[str, str]:
    return {name: getattr(case, name) or "" for name in PERSONAL_FIELDS}


def mask_personal(case: Case, name: str, value) -> str:
    if not value:
        return ""
    if name == "complainant_phone":
        return mask_mobile(str(value))
    if case.complainant_type == ComplainantType.EMPLOYER:
        return mask_credit_code(str(value))
    return mask_resident_id(str(value))


def history_rows(case: Case, *, revealed: bool = False) -> list[dict]:
    """Newest first: who changed what, when, from → to (django-simple-history diffs), with
    choice labels and related names instead of raw codes and ids; personal fields masked
    unless revealed."""
    records = list(case.history.select_related("history_user").order_by("-history_date", "-history_id"))
    fields = {f.name: f for f in Case._meta.fields}
    diffs = []
    related_ids: dict[str, set] = {}
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = [c for c in record.diff_against(previous).changes if c.field not in HIDDEN_HISTORY_FIELDS] \
            if previous is not None else []
        for change in changes:
            field = fields.get(change.field)
            if field is not None and field.is_relation:
                related_ids.setdefault(change.field, set()).update(v for v in (change.old, change.new) if v)
        diffs.append((record, changes))
    names = {name: {obj.pk: str(obj) for obj in fields[name].related_model.objects.filter(pk__in=ids)}
             for name, ids in related_ids.items()}
    rows = []
    for record, changes in diffs:
        user = record.history_user
        rows.append({
            "at": record.history_date, "type": record.get_history_type_display(),
            "user": (user.get_full_name() or user.get_username()) if user else "（反映人或系统）",
            "reason": record.history_change_reason or "",
            "changes": [{"field": _label(fields, c.field),
                         "old": _shown(case, fields, names, c.field, c.old, revealed),
                         "new": _shown(case, fields, names, c.field, c.new, revealed)} for c in changes],
        })
    return rows


def _label(fields, name: str) -> str:
    return "协办单位" if name == "co_units" else str(fields[name].verbose_name) if name in fields else name


def _shown(case: Case, fields, names, name: str, value, revealed: bool) -> str:
    if name in PERSONAL_FIELDS and value and not revealed:
        return mask_personal(case, name, value)
    return _display(fields, names, name, value)


def _display(fields, names, name: str, value) -> str:
    if value in (None, "", []):
        return "（空）"
    field = fields.get(name)
    if isinstance(value, list):  # m2m history: through-row dicts
        from cases.models import Unit

        ids = [v.get("unit") for v in value if isinstance(v, dict)]
        return "、".join(Unit.objects.filter(pk__in=ids).values_list("short_name", flat=True)) or "（空）"
    if field is not None and field.is_relation:
        return names.get(name, {}).get(value, str(value))
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.get_internal_type() == "DateTimeField":
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def case_page_context(request, case: Case, *, bound: tuple[str, object] | None = None,
                      revealed: bool = False) -> dict:
    actor = Actor.staff(request.user)
    roles = case_roles(actor, case)
    forms = []
    pending = case.extensions.filter(status=Extension.Status.PENDING).exists()
    for transition in allowed_transitions(actor, case):
        form_class = TRANSITION_FORMS.get(transition.name)
        if form_class is None or (transition.name == "decide_extension" and not pending):
            continue
        if bound and bound[0] == transition.name:
            form = bound[1]
        else:
            form = form_class(case=case, prefix=transition.name)
        forms.append({"name": transition.name, "label": transition.label, "form": form,
                      "open": bool(bound and bound[0] == transition.name)})
    state, left = clock_state(case)
    duplicates = possible_duplicates(
        mechanism=case.mechanism, complainant_id_number=case.complainant_id_number,
        complainant_phone=case.complainant_phone, employer_credit_code=case.employer_credit_code,
        category=case.category, exclude_pk=case.pk, limit=5)
    documents_template = None
    try:
        documents_template = select_template(["docgen/includes/case_documents.html"]).template.name
    except Exception:  # noqa: BLE001 — the documents panel is optional until docgen provides it
        documents_template = None
    return {
        "case": case, "roles": roles, "transition_forms": forms,
        "clock_label": clock_label(case), "clock_state": state, "days_left": left,
        "events": case.events.select_related("unit").order_by("at", "id"),
        "history": history_rows(case, revealed=revealed),
        "personal": {name: value if revealed else mask_personal(case, name, value)
                     for name, value in personal_fields(case).items()},
        "revealed": revealed,
        "can_reveal": (not revealed and any(personal_fields(case).values())
                       and personal_data_may_reveal(request.user)),
        "attachments": case.attachments.all(),
        "extensions": case.extensions.select_related("requested_by", "decided_by"),
        "duplicates": [d for d in duplicates if can_view(request.user, d)],
        "co_units": list(case.co_units.all()),
        "documents_template": documents_template,
        "documents": list(case.documents.all()) if hasattr(case, "documents") else [],
        "today": timezone.localdate(),
    }


class CaseInspectView(InspectView):
    """Shown only to those the policy lets see the case; others get 404, not a hint."""

    def dispatch(self, request, *args, **kwargs):
        if not can_view(request.user, self.instance):
            raise Http404("没有找到该事项。")
        return super().dispatch(request, *args, **kwargs)

    def get_template_names(self):
        return ["cases/admin/case_page.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        case = Case.objects.select_related(
            "mechanism", "channel", "accepting_unit", "accepted_by", "category", "tier", "lead_unit",
            "settled_by_unit", "duplicate_of").get(pk=self.instance.pk)
        context.update(case_page_context(self.request, case))
        return context


@require_POST
def case_transition(request, pk: int, name: str):
    case = get_object_or_404(visible_cases(request.user).select_related(
        "mechanism", "channel", "accepting_unit", "category", "tier", "lead_unit"), pk=pk)
    form_class = TRANSITION_FORMS.get(name)
    if form_class is None:
        raise Http404("没有这个操作。")
    form = form_class(request.POST, case=case, prefix=name)
    if form.is_valid():
        try:
            form.perform(Actor.staff(request.user))
        except CaseError as error:
            if error.field and error.field in form.fields:
                form.add_error(error.field, error.message)
            else:
                form.add_error(None, error.message)
        else:
            messages.success(request, f"{case.number}：已{form.submit_label}。")
            return redirect("cases_case_modeladmin_inspect", instance_pk=case.pk)
    context = case_page_context(request, case, bound=(name, form))
    messages.error(request, "操作未完成，请检查下面标出的内容。")
    return TemplateResponse(request, "cases/admin/case_page.html", context, status=400)
