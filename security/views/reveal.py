"""查看完整信息: the case page once more, unmasked, for this response only, and audited first."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from cases.admin_views.case_page import case_page_context, personal_fields
from cases.policy import visible_cases
from security.models import AuditAction
from security.selectors import personal_data_may_reveal
from security.services import audit_record
from security.views import forbidden


@require_POST
def case_reveal(request, pk: int):
    # Not visible: 404 as on the case page; visible but not permitted: 403.
    case = get_object_or_404(visible_cases(request.user).select_related(
        "mechanism", "channel", "accepting_unit", "accepted_by", "category", "tier", "lead_unit",
        "settled_by_unit", "duplicate_of"), pk=pk)
    if not personal_data_may_reveal(request.user):
        return forbidden(request, "您没有查看完整个人信息的权限。如工作需要，请向专班办公室申请。")
    fields = [name for name, value in personal_fields(case).items() if value]
    # Recorded before the values leave the server: no record, no reveal.
    audit_record(action=AuditAction.REVEAL, request=request, obj=case, detail={"fields": fields})
    context = case_page_context(request, case, revealed=True)
    return TemplateResponse(request, "cases/admin/case_page.html", context)
