"""Deliberation meetings in the admin: schedule with the cases due, then record the outcome."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Case, Mechanism, Meeting
from cases.policy import membership
from cases.services.meetings import cases_due_for_deliberation, meeting_record, meeting_schedule


def _office_mechanisms(user) -> list[Mechanism]:
    m = membership(user)
    queryset = Mechanism.objects.filter(is_active=True)
    if not m.is_superuser:
        queryset = queryset.filter(pk__in=m.office_mechanism_ids)
    return list(queryset.order_by("slug"))


class ScheduleForm(forms.Form):
    title = forms.CharField(label="会议名称", required=False, max_length=120)
    scheduled_at = forms.DateTimeField(label="会议时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label="地点", max_length=120)
    chair = forms.CharField(label="主持人", max_length=60)
    cases = forms.ModelMultipleChoiceField(label="列入议题的事项", queryset=Case.objects.none(), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, mechanism: Mechanism, **kwargs):
        super().__init__(*args, **kwargs)
        due = cases_due_for_deliberation(mechanism).select_related("category")
        self.fields["cases"].queryset = due
        self.fields["cases"].initial = list(due.values_list("pk", flat=True))
        self.fields["cases"].label_from_instance = (
            lambda c: f"{c.number} {c.category.name}（会商期限 {c.deliberate_due or '—'}）")


def meeting_schedule_view(request):
    mechanisms = _office_mechanisms(request.user)
    if not mechanisms:
        raise PermissionDenied("只有机制办公室可以组织会商。")
    slug = request.GET.get("mechanism") or request.POST.get("mechanism")
    mechanism = next((m for m in mechanisms if m.slug == slug), mechanisms[0])
    form = ScheduleForm(request.POST or None, mechanism=mechanism)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = meeting_schedule(mechanism=mechanism, actor=Actor.staff(request.user),
                                       scheduled_at=d["scheduled_at"], place=d["place"], chair=d["chair"],
                                       title=d["title"], cases=list(d["cases"]))
        except CaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"已安排“{meeting.title}”，议题 {meeting.items.count()} 件。")
            return redirect("cases_admin:meeting_record", pk=meeting.pk)
    return TemplateResponse(request, "cases/admin/meeting_schedule.html",
                            {"form": form, "mechanism": mechanism, "mechanisms": mechanisms})


def meeting_record_view(request, pk: int):
    meeting = get_object_or_404(Meeting.objects.select_related("mechanism"), pk=pk)
    if meeting.mechanism not in _office_mechanisms(request.user):
        raise Http404("没有找到该会议。")
    items = list(meeting.items.select_related("case", "case__category"))
    errors = None
    values = {"attendees": meeting.attendees, "absentees": meeting.absentees,
              "observers": meeting.observers, "summary": meeting.summary}
    decisions = {item.case_id: item.decision for item in items}
    if request.method == "POST":
        values = {key: request.POST.get(key, "") for key in values}
        decisions = {item.case_id: request.POST.get(f"decision-{item.case_id}", "") for item in items}
        try:
            meeting_record(meeting=meeting, actor=Actor.staff(request.user), decisions=decisions, **values)
        except CaseError as error:
            errors = error.message
        else:
            messages.success(request, "会商情况已记录，各事项的会商意见已写入办理记录。")
            return redirect("cases_admin:meeting_record", pk=meeting.pk)
    rows = [{"item": item, "decision": decisions.get(item.case_id, "")} for item in items]
    return TemplateResponse(request, "cases/admin/meeting_record.html", {
        "meeting": meeting, "rows": rows, "values": values, "errors": errors,
        "now": timezone.now(),
    }, status=400 if errors else 200)
