"""What an outside system may do: register a case (idempotent by its own ticket), and relay
updates. Both end in the case engine's services, acting as the API client."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Case, Channel, ComplainantType, DisputeCategory
from cases.services.closing import case_follow_up, case_object
from cases.services.core import lock_case, record_event
from cases.services.intake import DuplicateTicket, case_register
from integrations.models import ApiKey

UPDATE_KINDS = ("note", "follow_up", "objection")


def relay_actor(key: ApiKey) -> Actor:
    """The complainant's own rating or objection, relayed by the channel that took the call.
    cases.policy gives API clients no role on a registered case, so the relay acts with the
    complainant's ("public") role and is labelled with the client's name."""
    return Actor(kind="public", label=f"{Actor.api(key.name).label}（转达反映人意见）")


def channel_for_key(*, key: ApiKey, code: str | None) -> Channel:
    if key.channel_id is not None:
        if code and code != key.channel.code:
            raise CaseError(f"本密钥只能使用渠道“{key.channel.code}”。", field="channel")
        return key.channel
    if not code:
        raise CaseError("请提供受理渠道代码。", field="channel")
    channel = Channel.objects.filter(mechanism=key.mechanism, code=code, is_active=True).first()
    if channel is None:
        raise CaseError(f"未知的受理渠道代码：{code}", field="channel")
    return channel


def category_for_key(*, key: ApiKey, code: str, field: str = "category") -> DisputeCategory:
    category = DisputeCategory.objects.filter(mechanism=key.mechanism, code=(code or "").strip(),
                                              is_active=True).first()
    if category is None:
        raise CaseError(f"未知的争议类别代码：{code}", field=field)
    return category


def _existing(channel: Channel, ticket: str) -> Case | None:
    return Case.objects.filter(channel=channel, channel_ticket=ticket).first() if ticket else None


@transaction.atomic
def case_register_via_api(*, key: ApiKey, channel: Channel, category: DisputeCategory,
                          channel_ticket: str, complainant_name: str, facts: str,
                          complainant_type: str = ComplainantType.INDIVIDUAL,
                          request: str = "", complainant_id_number: str = "",
                          complainant_phone: str = "", complainant_address: str = "",
                          employer_name: str = "", employer_credit_code: str = "",
                          people_count: int = 1, extra: dict | None = None) -> tuple[Case, bool]:
    """(case, created). The same ticket twice returns the first case and created=False."""
    ticket = channel_ticket.strip()
    found = _existing(channel, ticket)
    if found is not None:
        return found, False
    try:
        case = case_register(
            mechanism=key.mechanism, channel=channel, actor=Actor.api(key.name),
            complainant_type=complainant_type, complainant_name=complainant_name,
            category=category, facts=facts, request=request,
            complainant_id_number=complainant_id_number, complainant_phone=complainant_phone,
            complainant_address=complainant_address, employer_name=employer_name,
            employer_credit_code=employer_credit_code, people_count=people_count,
            channel_ticket=ticket, extra=extra or {},
        )
    except DuplicateTicket as exc:
        return exc.case, False
    except IntegrityError:
        # A concurrent twin committed first: case_register's savepoint is rolled back.
        found = _existing(channel, ticket)
        if found is None:
            raise
        return found, False
    return case, True


@transaction.atomic
def case_update_via_api(*, key: ApiKey, case: Case, kind: str, text: str = "",
                        satisfaction: str = "") -> Case:
    """note → an internal timeline entry; follow_up / objection → the complainant's rating or
    objection through the workflow (refused with a CaseError when the status does not allow it)."""
    text = (text or "").strip()
    if kind == "note":
        if not text:
            raise CaseError("请填写说明内容。", field="text")
        case = lock_case(case)
        record_event(case, action="api_note", actor=Actor.api(key.name), from_status=case.status,
                     note=text, data={"api_key": key.pk})
        return case
    if kind == "follow_up":
        if not satisfaction:
            raise CaseError("请提供满意度。", field="satisfaction")
        return case_follow_up(case=case, actor=relay_actor(key), satisfaction=satisfaction,
                              comment=text)
    if kind == "objection":
        return case_object(case=case, actor=relay_actor(key), reason=text)
    raise CaseError("未知的更新类型。", field="kind")
