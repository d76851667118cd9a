"""Admin views: statistics and supervision, warnings, typical cases. Registered in
analytics/wagtail_hooks.py; every view asks analytics.policy first."""

from __future__ import annotations

from functools import wraps
from io import BytesIO

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from analytics.charts import chart_png, data_uri
from analytics.errors import AnalyticsError
from analytics.forms import AcknowledgeForm, FilterForm, TypicalCaseForm
from analytics.models import TypicalCase
from analytics.policy import analytics_mechanisms, may_manage, may_view_analytics
from analytics.report import SECTIONS, analysis_report_docx, figures_xlsx, report_title
from analytics.selectors import typical_cases_in, typical_cases_visible, warnings_visible
from analytics.services import typical_case_mark, warning_acknowledge
from analytics.statistics import figures_compute
from analytics.typical import typical_cases_docx
from cases.actors import Actor
from cases.models import Case

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def refusing(view):
    """A refusal is a 403 page here; Wagtail would turn PermissionDenied into a redirect home."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return TemplateResponse(request, "analytics/admin/forbidden.html",
                                    {"message": str(exc) or "您无权执行此操作。"}, status=403)
    return wrapped


def _viewer(request) -> list:
    """The mechanisms the user may read; 403 for anyone who is neither office nor leader."""
    if not may_view_analytics(request.user):
        raise PermissionDenied("只有机制办公室、领导可以查看统计分析。")
    return list(analytics_mechanisms(request.user))


def _filters(request):
    mechanisms = _viewer(request)
    form = FilterForm(request.GET, mechanisms=mechanisms, today=timezone.localdate())
    slug = form.data.get("mechanism")
    mechanism = next((m for m in mechanisms if m.slug == slug), None)
    if mechanism is None:
        raise Http404("没有找到该机制，或您无权查看。")
    return form, mechanism, mechanisms


@refusing
def statistics_view(request):
    form, mechanism, mechanisms = _filters(request)
    context = {"form": form, "mechanism": mechanism, "mechanisms": mechanisms, "sections": []}
    period = form.resolved
    if period is not None:
        figures = figures_compute(mechanism=mechanism, period=period)
        for heading, keys in SECTIONS:
            blocks = []
            for key in keys:
                table = figures.table(key)
                png = chart_png(table)
                blocks.append({"table": table, "rows": table.display_rows(),
                               "chart": data_uri(png) if png else ""})
            context["sections"].append({"heading": heading, "blocks": blocks})
        query = request.GET.copy()
        query["mechanism"] = mechanism.slug
        context.update(figures=figures, period=period, title=report_title(figures),
                       query=query.urlencode())
    return TemplateResponse(request, "analytics/admin/statistics.html", context)


@refusing
def statistics_download(request, fmt: str):
    form, mechanism, _ = _filters(request)
    period = form.resolved
    if period is None:
        raise Http404("统计期间格式不对。")
    figures = figures_compute(mechanism=mechanism, period=period)
    buffer = BytesIO()
    if fmt == "xlsx":
        figures_xlsx(figures=figures, output=buffer)
        name, content_type = f"{report_title(figures)}.xlsx", XLSX
    else:
        analysis_report_docx(figures=figures, output=buffer,
                             typical=typical_cases_in(mechanism=mechanism, period=period))
        name, content_type = f"{report_title(figures)}.docx", DOCX
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, filename=name, content_type=content_type)


@refusing
def warnings_view(request):
    mechanisms = _viewer(request)
    state = request.GET.get("state", "open")
    mechanism = next((m for m in mechanisms if m.slug == request.GET.get("mechanism")), None)
    queryset = warnings_visible(request.user, mechanism=mechanism, state=state)
    page = Paginator(queryset, 30).get_page(request.GET.get("p"))
    return TemplateResponse(request, "analytics/admin/warnings.html", {
        "page": page, "state": state, "mechanism": mechanism, "mechanisms": mechanisms})


@refusing
@require_http_methods(["GET", "POST"])
def warning_view(request, pk: int):
    _viewer(request)
    warning = get_object_or_404(warnings_visible(request.user, state="all"), pk=pk)
    can_manage = warning.is_open and may_manage(request.user, warning.mechanism_id)
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied("只有机制办公室人员可以处理预警。")
        if form.is_valid():
            try:
                warning_acknowledge(warning=warning, actor=Actor.staff(request.user),
                                    note=form.cleaned_data["note"])
            except AnalyticsError as error:
                form.add_error("note" if error.field == "note" else None, error.message)
            else:
                messages.success(request, "预警已处理。")
                return redirect("analytics_admin:warnings")
    cases = warning.cases.select_related("category", "lead_unit").order_by("accepted_at")
    return TemplateResponse(request, "analytics/admin/warning.html", {
        "warning": warning, "cases": cases, "form": form, "can_manage": can_manage},
        status=400 if form.errors else 200)


@refusing
def typical_list_view(request):
    mechanisms = _viewer(request)
    mechanism = next((m for m in mechanisms if m.slug == request.GET.get("mechanism")), None)
    page = Paginator(typical_cases_visible(request.user, mechanism=mechanism), 30).get_page(
        request.GET.get("p"))
    default = mechanism or (mechanisms[0] if mechanisms else None)
    return TemplateResponse(request, "analytics/admin/typical_list.html", {
        "page": page, "mechanisms": mechanisms, "mechanism": mechanism, "default": default,
        "year": timezone.localdate().year})


@refusing
def typical_download(request):
    form, mechanism, _ = _filters(request)
    period = form.resolved
    if period is None:
        raise Http404("统计期间格式不对。")
    buffer = BytesIO()
    typical_cases_docx(mechanism=mechanism, period=period, output=buffer,
                       cases=typical_cases_in(mechanism=mechanism, period=period))
    buffer.seek(0)
    return FileResponse(buffer, as_attachment=True, content_type=DOCX,
                        filename=f"{mechanism.region}典型案例汇编（{period.label}）.docx")


@refusing
@require_http_methods(["GET", "POST"])
def typical_mark_view(request, case_pk: int):
    case = get_object_or_404(Case.objects.select_related("mechanism", "category"), pk=case_pk)
    if not may_manage(request.user, case.mechanism_id):
        raise PermissionDenied("只有机制办公室人员可以标记典型案例。")
    existing = TypicalCase.objects.filter(case=case).first()
    initial = ({"title": existing.title, "summary": existing.summary, "lessons": existing.lessons}
               if existing else {})
    form = TypicalCaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            typical_case_mark(case=case, actor=Actor.staff(request.user), **form.cleaned_data)
        except AnalyticsError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, f"{case.number} 已标记为典型案例。")
            return redirect("analytics_admin:typical_list")
    return TemplateResponse(request, "analytics/admin/typical_mark.html", {
        "case": case, "form": form, "existing": existing}, status=400 if form.errors else 200)
