"""审计日志: the office's and superusers' read-only view of AuditEvent. No edit, no delete."""

from __future__ import annotations

from datetime import datetime, time

from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from security.forms import AuditFilterForm
from security.selectors import audit_events_visible, audit_may_view
from security.views import forbidden

PER_PAGE = 50


def _bound(day, end: bool):
    moment = datetime.combine(day, time.max if end else time.min)
    return timezone.make_aware(moment, timezone.get_current_timezone())


def audit_filter(queryset, data: dict):
    if data.get("action"):
        queryset = queryset.filter(action=data["action"])
    if data.get("user"):
        queryset = queryset.filter(username__icontains=data["user"].strip())
    if data.get("date_from"):
        queryset = queryset.filter(at__gte=_bound(data["date_from"], end=False))
    if data.get("date_to"):
        queryset = queryset.filter(at__lte=_bound(data["date_to"], end=True))
    return queryset


def _case_link(event) -> str:
    if event.target_type is None or event.target_type.app_label != "cases" \
            or event.target_type.model != "case":
        return ""
    try:
        return reverse("cases_case_modeladmin_inspect", args=[event.target_id])
    except NoReverseMatch:
        return ""


def audit_index(request):
    if not audit_may_view(request.user):
        return forbidden(request, "只有专班办公室、审计管理员和超级管理员可以查看审计日志。")
    form = AuditFilterForm(request.GET or None)
    queryset = audit_events_visible(request.user)
    if form.is_bound and form.is_valid():
        queryset = audit_filter(queryset, form.cleaned_data)
    page = Paginator(queryset.order_by("-at", "-id"), PER_PAGE).get_page(request.GET.get("p"))
    rows = [{"event": e, "case_url": _case_link(e)} for e in page.object_list]
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(request, "security/audit_index.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "site_history_url": reverse("wagtailadmin_reports:site_history"),
    })
