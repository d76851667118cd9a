"""Channel API routes. Each one: find what the key may touch, call one service, shape the reply."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Status

from cases.models import Case, DisputeCategory
from integrations import selectors
from integrations.errors import has_unusable_text
from integrations.schemas import (
    CaseIn,
    CaseReceipt,
    CaseStatusOut,
    CategoryOut,
    ErrorOut,
    UpdateIn,
)
from integrations.services import (
    case_register_via_api,
    case_update_via_api,
    category_for_key,
    channel_for_key,
)

router = Router(tags=["事项"])

ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 429: ErrorOut}


def _receipt(case: Case, created: bool) -> dict:
    return {"number": case.number, "query_code": case.query_code, "status": case.status,
            "status_label": case.get_status_display(), "created": created}


def _status(case: Case) -> dict:
    return {
        "number": case.number, "channel_ticket": case.channel_ticket, "status": case.status,
        "status_label": case.get_status_display(), "status_text": selectors.status_text(case),
        "category": case.category.code, "category_name": case.category.name,
        "responsible_unit": selectors.responsible_unit_name(case),
        "accepted_at": case.accepted_at, "due_date": case.due_date, "updated_at": case.updated_at,
        "timeline": [{"at": e.at, "text": e.public_text} for e in selectors.public_events(case)],
    }


def _case_or_404(request: HttpRequest, number: str) -> Case:
    # A number holding NUL matches no case; asking the database would fail instead (PostgreSQL).
    case = None if has_unusable_text(number) else selectors.case_for_key(key=request.auth,
                                                                         number=number)
    if case is None:
        raise Http404
    return case


@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, operation_id="category_list",
            summary="本机制的争议类别（登记时 category 填其代码）")
def category_list(request: HttpRequest):
    return list(DisputeCategory.objects.filter(mechanism=request.auth.mechanism, is_active=True)
                .order_by("sort_order", "id").values("code", "name", "description"))


@router.post("/cases", response={201: CaseReceipt, 200: CaseReceipt, **ERRORS},
             operation_id="case_create", summary="登记事项（按渠道工单号幂等）")
def case_create(request: HttpRequest, payload: CaseIn):
    """新登记返回 201；同一渠道工单号再次提交返回 200 和原事项，不重复登记。"""
    key = request.auth
    channel = channel_for_key(key=key, code=payload.channel)
    category = category_for_key(key=key, code=payload.category)
    extra = {"email": payload.complainant_email.strip()} if payload.complainant_email.strip() else {}
    case, created = case_register_via_api(
        key=key, channel=channel, category=category, channel_ticket=payload.channel_ticket,
        complainant_type=payload.complainant_type, complainant_name=payload.complainant_name,
        complainant_id_number=payload.complainant_id_number,
        complainant_phone=payload.complainant_phone,
        complainant_address=payload.complainant_address, employer_name=payload.employer_name,
        employer_credit_code=payload.employer_credit_code, facts=payload.facts,
        request=payload.request, people_count=payload.people_count, extra=extra,
    )
    return Status(201 if created else 200, _receipt(case, created))


@router.get("/cases/{number}", response={200: CaseStatusOut, **ERRORS}, operation_id="case_read",
            summary="查询事项状态和公开办理记录")
def case_read(request: HttpRequest, number: str):
    return _status(_case_or_404(request, number))


@router.post("/cases/{number}/updates", response={200: CaseStatusOut, **ERRORS},
             operation_id="case_update", summary="回传跟进说明、回访满意度或异议")
def case_update(request: HttpRequest, number: str, payload: UpdateIn):
    case = _case_or_404(request, number)
    case = case_update_via_api(key=request.auth, case=case, kind=payload.kind, text=payload.text,
                               satisfaction=payload.satisfaction or "")
    case.refresh_from_db()
    return _status(case)
