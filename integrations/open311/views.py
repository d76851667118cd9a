"""Open311 GeoReport v2 (/open311/v2/): dispute categories as services, cases as requests.

Reads are public, as the spec allows, and carry no personal data: no name, phone or address of
the complainant ever; the description only to a key that may touch the case, and shortened.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from cases.errors import CaseError
from cases.models import Case, Channel, DisputeCategory, Mechanism, TimelineEvent
from integrations.errors import has_unusable_text
from integrations.keys import api_key_authenticate
from integrations.open311.render import Open311Error, error_response, respond, w3c
from integrations.ratelimit import client_address, rate_limit_hit
from integrations.selectors import CLOSED_STATUSES
from integrations.services import case_register_via_api

DESCRIPTION_LIMIT = 200
DEFAULT_SPAN = timedelta(days=90)
MIN_YEAR, MAX_YEAR = 1900, 9000
# case_register's field names → the Open311 parameter the client sent
PARAM_OF = {"complainant_name": "last_name", "complainant_phone": "phone", "facts": "description",
            "complainant_address": "address_string", "category": "service_code",
            "channel_ticket": "channel_ticket"}


def open311_view(view):
    """Turns Open311Error into the spec's error list, in the requested format."""
    @wraps(view)
    def wrapper(request, *args, fmt: str = "json", **kwargs):
        try:
            _refuse_unusable_text(request, kwargs)
            return view(request, *args, fmt=fmt, **kwargs)
        except (RequestDataTooBig, TooManyFieldsSent):
            # Django's own answer would be an HTML page; clients parse the spec's error list.
            return error_response(fmt, Open311Error(413, "请求内容过大，请精简后重试。"))
        except Open311Error as exc:
            return error_response(fmt, exc)
    return wrapper


def _refuse_unusable_text(request, path_values: dict) -> None:
    """NUL in a parameter would reach the database and fail there (PostgreSQL refuses it)."""
    params = [*request.GET.lists(), *(request.POST.lists() if request.method == "POST" else [])]
    params += [(name, [value]) for name, value in path_values.items()]
    for name, values in params:
        if has_unusable_text(name) or any(has_unusable_text(str(v)) for v in values):
            shown = name if not has_unusable_text(name) else "参数名"
            raise Open311Error(400, f"{shown}：含有不允许的控制字符（NUL），请删除后重试。")


def _key(request, params, *, required: bool):
    raw = params.get("api_key", "").strip()
    if not raw:
        if required:
            raise Open311Error(403, "请提供 api_key。")
        return None
    key = api_key_authenticate(raw)
    if key is None:
        raise Open311Error(403, "api_key 无效或已吊销。")
    return key


def _throttle(request, key) -> None:
    if key is not None:
        wait = rate_limit_hit(bucket=f"key:{key.pk}", limit=key.rate_per_minute)
    else:
        wait = rate_limit_hit(bucket=f"open311:{client_address(request)}",
                              limit=getattr(settings, "ONESTOP_OPEN311_ANON_RATE_PER_MINUTE", 60))
    if wait is not None:
        raise Open311Error(429, f"请求过于频繁，请 {wait} 秒后再试。", retry_after=wait)


def _jurisdiction(params, key) -> Mechanism:
    slug = params.get("jurisdiction_id", "").strip()
    if key is not None:
        if slug and slug != key.mechanism.slug:
            raise Open311Error(400, f"jurisdiction_id（{slug}）与 api_key 所属机制不一致。")
        return key.mechanism
    active = Mechanism.objects.filter(is_active=True).order_by("slug")
    if slug:
        mechanism = active.filter(slug=slug).first()
        if mechanism is None:
            raise Open311Error(404, f"未找到 jurisdiction_id：{slug}")
        return mechanism
    found = list(active[:2])
    if not found:
        raise Open311Error(404, "本系统尚未启用任何争议处置机制。")
    if len(found) > 1:
        slugs = "、".join(active.values_list("slug", flat=True))
        raise Open311Error(400, f"本系统服务多个机制，请提供 jurisdiction_id（可选：{slugs}）。")
    return found[0]


def _service(category: DisputeCategory, mechanism: Mechanism) -> dict:
    return {
        "service_code": category.code, "service_name": category.name,
        "description": category.description or category.name, "metadata": False,
        "type": "realtime", "keywords": f"社会保险费,征缴争议,{category.name}",
        "group": mechanism.region,
    }


@require_GET
@open311_view
def services(request, *, fmt: str):
    key = _key(request, request.GET, required=False)
    _throttle(request, key)
    mechanism = _jurisdiction(request.GET, key)
    categories = DisputeCategory.objects.filter(mechanism=mechanism, is_active=True)
    return respond(fmt, "services", [_service(c, mechanism) for c in
                                     categories.order_by("sort_order", "id")])


@require_GET
@open311_view
def service_definition(request, code: str, *, fmt: str):
    key = _key(request, request.GET, required=False)
    _throttle(request, key)
    mechanism = _jurisdiction(request.GET, key)
    if not DisputeCategory.objects.filter(mechanism=mechanism, code=code, is_active=True).exists():
        raise Open311Error(404, f"未找到 service_code：{code}")
    # metadata is false for every service: there are no extra attributes to describe.
    return respond(fmt, "service_definition", [])


def _request_row(case: Case, key, status_notes: str | None) -> dict:
    description = None
    if key is not None and key.may_touch(case):
        facts = " ".join(case.facts.split())
        description = facts if len(facts) <= DESCRIPTION_LIMIT else facts[:DESCRIPTION_LIMIT] + "……"
    unit = case.lead_unit or case.accepting_unit
    return {
        "service_request_id": case.number,
        "status": "closed" if case.status in CLOSED_STATUSES else "open",
        "status_notes": status_notes or None,
        "service_name": case.category.name, "service_code": case.category.code,
        "description": description,
        "agency_responsible": unit.name if unit else None,
        "service_notice": None,
        "requested_datetime": w3c(case.accepted_at), "updated_datetime": w3c(case.updated_at),
        "expected_datetime": w3c(case.due_date),
        "address": case.mechanism.region,  # the region only: the complainant's address is private
        "address_id": None, "zipcode": None, "lat": None, "long": None, "media_url": None,
    }


def _with_notes(queryset):
    latest = (TimelineEvent.objects.filter(case=OuterRef("pk"), is_public=True)
              .exclude(public_text="").order_by("-at", "-id").values("public_text")[:1])
    return (queryset.select_related("mechanism", "category", "lead_unit", "accepting_unit")
            .annotate(latest_public_text=Subquery(latest)))


def _parse_when(params, name: str):
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_datetime(raw.replace(" ", "+"))  # a '+' in a query string arrives as a space
    except ValueError:  # well-formed but impossible: month 13, day 0, an offset of 25 hours
        value = None
    if value is None:
        raise Open311Error(400, f"{name} 格式应为 W3C 日期时间，如 2026-03-01T00:00:00+08:00。")
    # Years near 1 or 9999 overflow once shifted to UTC or by the default 90-day span.
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise Open311Error(400, f"{name} 超出可查询范围（{MIN_YEAR}—{MAX_YEAR} 年）。")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _filtered(params, mechanism: Mechanism):
    cases = Case.objects.filter(mechanism=mechanism)
    ids = [i.strip().upper() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:  # the spec: a list of ids overrides every other filter
        return cases.filter(number__in=ids)
    codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
    if codes:
        cases = cases.filter(category__code__in=codes)
    start, end = _parse_when(params, "start_date"), _parse_when(params, "end_date")
    if start is None and end is None:
        start = timezone.now() - DEFAULT_SPAN
    elif start is None:
        start = end - DEFAULT_SPAN
    cases = cases.filter(accepted_at__gte=start)
    if end is not None:
        cases = cases.filter(accepted_at__lte=end)
    statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
    if statuses - {"open", "closed"}:
        raise Open311Error(400, "status 只能为 open 或 closed（可用逗号分隔）。")
    if statuses == {"open"}:
        cases = cases.exclude(status__in=CLOSED_STATUSES)
    elif statuses == {"closed"}:
        cases = cases.filter(status__in=CLOSED_STATUSES)
    return cases


def _requests_get(request, fmt: str):
    key = _key(request, request.GET, required=False)
    _throttle(request, key)
    mechanism = _jurisdiction(request.GET, key)
    limit = getattr(settings, "ONESTOP_OPEN311_MAX_REQUESTS", 1000)
    cases = _with_notes(_filtered(request.GET, mechanism)).order_by("-accepted_at", "-id")[:limit]
    return respond(fmt, "service_requests",
                   [_request_row(c, key, c.latest_public_text) for c in cases])


def _complainant_name(params) -> str:
    return (params.get("last_name", "").strip() + params.get("first_name", "").strip()).strip()


def _channel(key) -> Channel:
    if key.channel_id is not None:
        return key.channel
    channel = (Channel.objects.filter(mechanism=key.mechanism, is_active=True, is_online_form=True)
               .order_by("sort_order", "id").first())
    if channel is None:
        raise Open311Error(400, "该 api_key 未限定受理渠道，本机制也没有网上受理渠道。")
    return channel


def _requests_post(request, fmt: str):
    params = request.POST
    key = _key(request, params, required=True)
    _throttle(request, key)
    mechanism = _jurisdiction(params, key)
    code = params.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "请提供 service_code。")
    category = DisputeCategory.objects.filter(mechanism=mechanism, code=code, is_active=True).first()
    if category is None:
        raise Open311Error(404, f"未找到 service_code：{code}")
    for name, label in (("description", "事项描述"), ("address_string", "反映人联系地址")):
        if not params.get(name, "").strip():
            raise Open311Error(400, f"请提供 {name}（{label}）。")
    if not _complainant_name(params):
        raise Open311Error(400, "请提供 last_name、first_name（反映人姓名）。")
    email = params.get("email", "").strip()
    try:
        case, created = case_register_via_api(
            key=key, channel=_channel(key), category=category,
            channel_ticket=params.get("channel_ticket", "")[:60],
            complainant_name=_complainant_name(params)[:100], facts=params["description"],
            complainant_phone=params.get("phone", ""),
            complainant_address=params["address_string"].strip()[:200],
            extra={"email": email[:120]} if email else {},
        )
    except CaseError as exc:
        where = PARAM_OF.get(exc.field or "", exc.field)
        raise Open311Error(400, f"{where}：{exc.message}" if where else exc.message) from exc
    notice = (f"您反映的事项已受理，受理编号 {case.number}，查询码 {case.query_code}。"
              "可凭受理编号和查询码查询办理进度。")
    return respond(fmt, "service_requests", [
        {"service_request_id": case.number, "service_notice": notice, "account_id": None}
    ], status=201 if created else 200)


@csrf_exempt  # outside systems authenticate with api_key, not a session
@require_http_methods(["GET", "POST"])
@open311_view
def requests(request, *, fmt: str):
    if request.method == "POST":
        return _requests_post(request, fmt)
    return _requests_get(request, fmt)


@require_GET
@open311_view
def request_detail(request, number: str, *, fmt: str):
    key = _key(request, request.GET, required=False)
    _throttle(request, key)
    mechanism = _jurisdiction(request.GET, key)
    case = _with_notes(Case.objects.filter(mechanism=mechanism, number=number.upper())).first()
    if case is None:
        raise Open311Error(404, f"未找到 service_request_id：{number}")
    return respond(fmt, "service_requests", [_request_row(case, key, case.latest_public_text)])
