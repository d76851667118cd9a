"""The ledger (台账): the case list every clerk works from.

Stock modeladmin counts three times per request and searches with unindexed LIKE; this view
counts once, routes searches that look like a case number, ID number, credit code or phone to
exact matches on indexed columns (blind indexes for the encrypted ones), and limits the rows by
the one permission policy.
"""

from __future__ import annotations

import json
import re

from django.contrib.admin import SimpleListFilter
from django.db import connection, connections
from django.db.models import Func, Q, Subquery, TextField
from django.db.models.functions import Cast, Upper
from django.utils import timezone
from django.utils.html import format_html
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.helpers.search import BaseSearchHandler
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView

from cases.admin_views.case_page import CaseInspectView
from cases.clocks import clock_label, clock_state
from cases.identity import (
    looks_like_credit_code,
    looks_like_mobile,
    looks_like_resident_id,
    mask_name,
    normalize_credit_code,
    normalize_mobile,
    normalize_resident_id,
)
from cases.models import Case, DeadlineState
from cases.policy import can_view, membership, visible_cases
from security.crypto import blind_index

CASE_NUMBER_RE = re.compile(r"^[A-Z]{1,10}-\d{4}-\d{6}$")


class LedgerSearchHandler(BaseSearchHandler):
    """Exact, index-backed matches for identifiers; a name or employer substring otherwise."""

    show_search_form = True

    def search_queryset(self, queryset, search_term, **kwargs):
        term = search_term.strip()
        if not term:
            return queryset
        upper = term.upper()
        if CASE_NUMBER_RE.match(upper):
            return queryset.filter(number=upper)
        # ID numbers and phones are encrypted: they are found through their blind indexes.
        if looks_like_resident_id(term) or looks_like_credit_code(term):
            candidates = {normalize_resident_id(term), normalize_credit_code(term)}
            return queryset.filter(
                Q(complainant_id_number_hash__in={blind_index(c) for c in candidates})
                | Q(employer_credit_code__in=candidates))
        if looks_like_mobile(term):
            return queryset.filter(complainant_phone_hash=blind_index(normalize_mobile(term)))
        return queryset.filter(substring_match(queryset, term))


def substring_match(queryset, term: str) -> Q:
    """Name or employer containing the term. On PostgreSQL a two-character term (most Chinese
    names) goes through the character-pair indexes of migration 0008 first; longer terms use the
    trigram indexes that serve icontains directly (0003)."""
    contains = Q(complainant_name__icontains=term) | Q(employer_name__icontains=term)
    if len(term) != 2 or connections[queryset.db].vendor != "postgresql":
        return contains
    from django.contrib.postgres.fields import ArrayField
    from django.contrib.postgres.lookups import DataContains

    def has_pair(column: str) -> DataContains:
        pairs = Func(Upper(Cast(column, TextField())), function="onestop_bigrams",
                     output_field=ArrayField(TextField()))
        return DataContains(pairs, [term.upper()])

    # The pair index finds the rows; "contains" is then exact for a two-character term.
    return Q(has_pair("complainant_name")) | Q(has_pair("employer_name"))


class DeadlineFilter(SimpleListFilter):
    title = "办理期限"
    parameter_name = "deadline"

    def lookups(self, request, model_admin):
        return [("overdue", "已超期"), ("warned", "临期"), ("today", "今日到期"), ("running", "计时中")]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        value = self.value()
        if value == "overdue":
            return queryset.filter(due_date__lt=today)
        if value == "warned":
            return queryset.filter(warn_date__lte=today, due_date__gte=today)
        if value == "today":
            return queryset.filter(due_date=today)
        if value == "running":
            return queryset.exclude(due_date=None)
        return queryset


class CasePermissionHelper(PermissionHelper):
    """Everything here asks cases.policy; Django model permissions play no part."""

    def user_can_list(self, user):
        return membership(user).is_staff_of_anything

    def user_can_create(self, user):
        return False  # registration goes through the staff intake screen

    def user_can_inspect_obj(self, user, obj):
        return can_view(user, obj)

    def user_can_edit_obj(self, user, obj):
        return False  # every change is a workflow transition on the case page

    def user_can_delete_obj(self, user, obj):
        return False


class CaseButtonHelper(ButtonHelper):
    def get_buttons_for_obj(self, obj, exclude=None, classnames_add=None, classnames_exclude=None):
        # One button per row keeps the list light (performance.md: per-row dropdowns cost).
        return [self.inspect_button(obj.pk, classnames_add=classnames_add)]

    def get_primary_button(self, obj):
        # Rows come from visible_cases already; asking the policy again costs a query per row.
        return self.inspect_button(obj.pk)

    def inspect_button(self, pk, classnames_add=None, classnames_exclude=None):
        button = super().inspect_button(pk, classnames_add, classnames_exclude)
        button["label"] = "办理"
        return button


# Exact counts up to this many rows; beyond it the planner's estimate ("共约 N 件"), so a
# ledger page costs the same at ten thousand cases as at a million.
COUNT_CAP = 5000


def planner_rows(queryset) -> int | None:
    """PostgreSQL's estimate of the rows a queryset returns, from EXPLAIN (no scan)."""
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])


def ledger_count(queryset) -> tuple[int, bool]:
    """(count, is_estimate): exact when small, else the planner's estimate (never below the cap)."""
    capped = queryset.order_by()[: COUNT_CAP + 1].count()
    if capped <= COUNT_CAP:
        return capped, False
    estimate = planner_rows(queryset)
    if estimate is None:  # SQLite deployments are county-sized: count exactly
        return queryset.count(), False
    return max(estimate, capped), True


class LedgerIndexView(IndexView):
    sortable_by = ()  # sorting only on the indexed acceptance time
    def get_context_data(self, **kwargs):
        queryset = self.get_queryset()
        # Count once and hand that count to the paginator (stock modeladmin counts three times).
        result_count, is_estimate = ledger_count(queryset)
        paginator = self.paginator_class(queryset, self.items_per_page)
        paginator.count = result_count
        page_obj = paginator.get_page(self.page_num or 1)
        # The page's ids from a narrow index alone (an index-only scan that the planner prefers,
        # and that skips deep pages' earlier rows without reading them), then the 20 wide rows.
        # Selecting the wide rows directly made PostgreSQL walk the date index through 70,000
        # cases for a filter on old ones, and fetch every skipped row of page 500.
        start = page_obj.start_index() - 1 if result_count else 0
        ids = queryset.values("pk")[start:start + self.items_per_page]
        page_obj.object_list = queryset.filter(pk__in=Subquery(ids))
        context = {
            "view": self,
            "all_count": result_count,
            "result_count": result_count,
            "count_is_estimate": is_estimate,
            "paginator": paginator,
            "page_obj": page_obj,
            "elided_page_range": paginator.get_elided_page_range(page_obj.number),
            "object_list": page_obj.object_list,
            "user_can_create": False,
            "show_search": True,
            "today": timezone.localdate(),
            "export_query": self.request.GET.urlencode(),
        }
        context.update(kwargs)
        return super(IndexView, self).get_context_data(**context)


    def as_spreadsheet(self, queryset, spreadsheet_format):
        """Every export is the paper-ledger workbook, streamed from a temporary file."""
        from django.http import FileResponse

        from cases.ledger_export import ledger_xlsx_file
        from security.services import audit_record

        today = timezone.localdate()
        # Audited before the file is built: a bulk export of personal data is never unrecorded.
        audit_record(action="export", request=self.request,
                     detail={"query": self.request.GET.urlencode(), "rows": queryset.count()})
        handle = ledger_xlsx_file(queryset, title="社会保险费征缴争议受理台账")
        return FileResponse(handle, as_attachment=True, filename=f"争议台账-{today:%Y%m%d}.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


class CaseAdmin(ModelAdmin):
    model = Case
    menu_label = "争议台账"
    menu_icon = "list-ul"
    menu_order = 100
    list_per_page = 20
    index_view_class = LedgerIndexView
    index_template_name = "cases/admin/ledger.html"
    permission_helper_class = CasePermissionHelper
    button_helper_class = CaseButtonHelper
    search_handler_class = LedgerSearchHandler
    search_fields = ("number",)  # the handler decides how to search
    inspect_view_enabled = True
    inspect_view_class = CaseInspectView
    list_export = ("number",)  # enables ?export=xlsx; the layout is ledger_export's
    list_display = ("number", "accepted_display", "complainant_display", "category",
                    "tier", "lead_display", "status", "deadline_display")
    list_filter = ("status", DeadlineFilter, "tier", "category", "channel", "lead_unit",
                   "accepting_unit", "mechanism")
    list_select_related = ("category", "tier", "lead_unit", "mechanism")

    def get_queryset(self, request):
        queryset = Case.objects.select_related(*self.list_select_related).only(
            "pk", "number", "accepted_at", "complainant_name", "complainant_type", "status", "due_date", "warn_date",
            "due_provisional", "running_stage", "mechanism__id", "mechanism__region",
            "category__name", "tier__name", "lead_unit__short_name", "lead_unit__name",
        ).order_by("-accepted_at", "-pk")
        return visible_cases(request.user, queryset)

    def get_ordering(self, request):
        return ("-accepted_at", "-pk")

    def get_extra_attrs_for_row(self, obj, context):
        state, _ = clock_state(obj, context.get("today"))
        if state in (DeadlineState.OVERDUE, DeadlineState.WARNED):
            return {"class": f"ledger-{state}"}
        return {}

    def accepted_display(self, obj):
        return timezone.localtime(obj.accepted_at).strftime("%Y-%m-%d %H:%M")

    accepted_display.short_description = "受理时间"

    def complainant_display(self, obj):
        # Employers are named in full; only people are masked.
        if obj.complainant_type == "employer":
            return obj.complainant_name
        return mask_name(obj.complainant_name)

    complainant_display.short_description = "反映人"

    def lead_display(self, obj):
        return obj.lead_unit.short_name if obj.lead_unit_id else "—"

    lead_display.short_description = "承办单位"

    def deadline_display(self, obj):
        state, left = clock_state(obj)
        if state == DeadlineState.NONE:
            return "—"
        stage = obj.get_running_stage_display()
        short = f"{stage}超期{-left}日" if state == DeadlineState.OVERDUE else f"{stage}剩{left}日"
        css = {DeadlineState.OVERDUE: "ledger-badge-overdue", DeadlineState.WARNED: "ledger-badge-warned"}
        return format_html('<span class="w-status w-status--label {}" title="{}">{}</span>',
                           css.get(state, ""), clock_label(obj), short)

    deadline_display.short_description = "办理期限"
