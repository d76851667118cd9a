"""From the record to the context contract of ``docgen.variables`` for each kind.

The builders read cases, meetings and mechanisms and return exactly the variables the contract
lists (``fit_contract``). What the workflow adds — the 文号, the dates, the signer — comes in a
``Stamp``; what a clerk edited comes later as overrides (``overrides_apply``).

Identity rule: ID numbers and phones appear only masked, also inside free text; a letter to the
employer carries nothing of the complainant's identity at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from cases.calendar import add_workdays
from cases.clocks import approved_extension_days
from cases.identity import mask_credit_code, mask_mobile, mask_resident_id
from cases.models import Case, ComplainantType, DocumentNumbering, Mechanism, Meeting, TierDeadline
from docgen.errors import DocumentError
from docgen.render import cn_date
from docgen.rules import kind_refusal
from docgen.supervision import period_parse, supervision_rows
from docgen.variables import KIND_LABELS, VARIABLES, fit_contract

DRAFT_NUMBER = "（签发后编号）"  # drafts carry no number: 文号 are taken at signing
SUMMARY_CHARS = 80

# What a clerk may edit per kind (only those the kind's contract lists apply).
_EDITABLE = (
    "title", "recipient", "cc", "sender", "contact_person", "contact_phone", "query_method",
    "case.deadline_cn", "case.deadline_workdays", "meeting.title", "meeting.name",
    "meeting.place", "meeting.chair", "meeting.attendees", "meeting.absentees",
    "meeting.observers", "opinion", "minutes_number", "meeting_date_cn", "result",
    "reconsideration_body", "court", "guidance_unit", "period_label", "rectify_deadline_cn",
)


@dataclass(frozen=True)
class Stamp:
    """What the workflow puts on a rendering."""

    number: str = DRAFT_NUMBER
    date: date | None = None  # 成文日期; today when None
    printed: date | None = None  # 印发日期; the 成文日期 when None
    signer: str = ""
    drafter: str = ""


def editable_fields(kind: str) -> dict[str, str]:
    return {name: VARIABLES[kind][name] for name in _EDITABLE if name in VARIABLES[kind]}


# --- identity ------------------------------------------------------------------------------

_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_CREDIT_CODE = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_inline(text: str) -> str:
    """Mask ID numbers, credit codes and mobiles typed inside free text (facts, results)."""
    text = _RESIDENT_ID.sub(lambda m: mask_resident_id(m.group()), text or "")
    text = _CREDIT_CODE.sub(lambda m: mask_credit_code(m.group()), text)
    return _MOBILE.sub(lambda m: mask_mobile(m.group()), text)


def _id_masked(case: Case) -> str:
    if not case.complainant_id_number:
        return ""
    if case.complainant_type == ComplainantType.INDIVIDUAL:
        return mask_resident_id(case.complainant_id_number)
    return mask_credit_code(case.complainant_id_number)


def _without_complainant(text: str, case: Case) -> str:
    """For the employer: the complainant's name, ID and phone never appear, not even masked."""
    for secret in (case.complainant_id_number, case.complainant_phone):
        if secret:
            text = text.replace(secret, "")
    if case.complainant_name.strip():
        text = text.replace(case.complainant_name.strip(), "反映人")
    return mask_inline(text)


# --- shared pieces --------------------------------------------------------------------------


def _issuer(mechanism: Mechanism, kind: str) -> str:
    numbering = DocumentNumbering.objects.filter(mechanism=mechanism, kind=kind).first()
    if numbering is not None and numbering.issuer:
        return numbering.issuer
    if kind == "minutes":
        return f"{mechanism.coordinating_body}会议纪要"
    if kind == "supervision_notice":
        return f"{mechanism.document_issuer}文件"
    return mechanism.document_issuer


def _head(kind: str, mechanism: Mechanism, stamp: Stamp) -> dict:
    day = stamp.date or timezone.localdate()
    office = mechanism.office_unit
    return {
        "issuer": _issuer(mechanism, kind),
        "doc_number": stamp.number,
        "sender": mechanism.document_issuer,
        "date_cn": cn_date(day),
        "printed_by": mechanism.document_issuer,
        "printed_date_cn": cn_date(stamp.printed or day),
        "cc": [],
        "contact_person": stamp.drafter,
        "contact_phone": office.liaison_phone if office else "",
        "signer": stamp.signer,
        # the body a case is referred to: 工作专班 (高平), 联席会议 (沅江)
        "forum": mechanism.forum_body or mechanism.forum_name,
    }


def _settle_deadline(case: Case) -> tuple[date | None, int | None]:
    """The handling unit's deadline and its length: stored once signed for; before that, the
    tier's settle clock counted from the transfer date (the unit receives the notice then)."""
    rule = None
    if case.tier_id:
        rule = TierDeadline.objects.filter(tier_id=case.tier_id, stage="settle").first()
    days = rule.workdays + approved_extension_days(case).get("settle", 0) if rule else None
    if case.settle_due:
        return case.settle_due, days
    if rule is not None:
        start = case.received_at or case.transferred_at or case.accepted_at
        return add_workdays(timezone.localdate(start), days), days
    return case.due_date or case.deliberate_due, None


def _expected_result_date(case: Case) -> date | None:
    """When the complainant will hear back: the tier's clocks added up from acceptance."""
    known = [d for d in (case.settle_due, case.deliberate_due, case.feedback_due) if d]
    if known:
        return max(known)
    if not case.tier_id:
        return case.due_date
    days = sum(case.tier.deadlines.values_list("workdays", flat=True))
    return add_workdays(timezone.localdate(case.accepted_at), days) if days else case.due_date


def case_fields(case: Case) -> dict:
    """Every case variable of the contract; each kind keeps the ones it lists."""
    co_units = "、".join(case.co_units.order_by("sort_order").values_list("name", flat=True))
    return {
        "number": case.number,
        "query_code": case.query_code,
        "accepted_date_cn": cn_date(case.accepted_at),
        "channel": case.channel.name,
        "complainant_name": case.complainant_name,
        "complainant_type": case.get_complainant_type_display(),
        "complainant_id_masked": _id_masked(case),
        "complainant_phone_masked": mask_mobile(case.complainant_phone) if case.complainant_phone else "",
        "category": case.category.name,
        "tier": case.tier.name if case.tier_id else "",
        "facts": mask_inline(case.facts),
        "request": mask_inline(case.request),
        "lead_unit": case.lead_unit.name if case.lead_unit_id else "",
        "co_units": co_units,
        "deadline_cn": "",
        "deadline_workdays": None,
    }


def _short(text: str, limit: int = SUMMARY_CHARS) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit].rstrip("，。；、 ") + "……"


# --- builders per kind ---------------------------------------------------------------------


def _acknowledgement(case: Case, stamp: Stamp) -> dict:
    fields = case_fields(case)
    fields["deadline_cn"] = cn_date(_expected_result_date(case))
    return {
        **_head("acknowledgement", case.mechanism, stamp),
        "title": "社会保险费征缴争议事项受理回执",
        "recipient": case.complainant_name,
        "case": fields,
        "query_method": f"“{settings.WAGTAIL_SITE_NAME}”网站“进度查询”栏目",
    }


def _transfer_notice(case: Case, stamp: Stamp) -> dict:
    fields = case_fields(case)
    due, days = _settle_deadline(case)
    fields.update(deadline_cn=cn_date(due), deadline_workdays=days)
    co_units = list(case.co_units.order_by("sort_order").values_list("name", flat=True))
    return {
        **_head("transfer_notice", case.mechanism, stamp),
        "title": "社会保险费征缴争议事项转办单",
        "recipient": fields["lead_unit"],
        "cc": co_units,
        "case": fields,
    }


def _meeting_title(meeting: Meeting) -> str:
    local = timezone.localtime(meeting.scheduled_at)
    ordinal = (Meeting.objects.filter(mechanism_id=meeting.mechanism_id,
                                      scheduled_at__year=local.year,
                                      scheduled_at__lte=meeting.scheduled_at)
               .exclude(status=Meeting.Status.CANCELLED).count())
    return f"{meeting.mechanism.forum_name}{local.year}年第{max(ordinal, 1)}次会议纪要"


def _minutes(meeting: Meeting, stamp: Stamp) -> dict:
    mechanism = meeting.mechanism
    items = []
    for item in meeting.items.select_related("case__category").order_by("sort_order", "id"):
        case = item.case
        items.append({
            "case_number": case.number,
            "summary": f"{case.complainant_name}反映{case.category.name}问题：{_short(mask_inline(case.facts))}",
            "decision": mask_inline(item.decision),
        })
    return {
        **_head("minutes", mechanism, stamp),
        "cc": [f"{mechanism.coordinating_body}各成员单位"],
        "meeting": {
            "title": _meeting_title(meeting),
            "name": meeting.title,
            "date_cn": cn_date(meeting.scheduled_at),
            "place": meeting.place,
            "chair": meeting.chair,
            "attendees": meeting.attendees,
            "absentees": meeting.absentees,
            "observers": meeting.observers,
            "items": items,
        },
    }


def deliberation_of(case: Case):
    """The held meeting item that decided this case, newest first (None when decided without)."""
    return (case.meeting_items.filter(meeting__status=Meeting.Status.HELD)
            .select_related("meeting").order_by("-meeting__scheduled_at").first())


def _handling_opinion(case: Case, stamp: Stamp) -> dict:
    from docgen.models import Document  # the minutes' own 文号, once signed

    fields = case_fields(case)
    item = deliberation_of(case)
    day = stamp.date or timezone.localdate()
    due = case.settle_due or case.due_date or add_workdays(day, 10)
    fields["deadline_cn"] = cn_date(due)
    minutes_number, meeting_date = "", None
    if item is not None:
        meeting_date = item.meeting.scheduled_at
        minutes_number = (Document.objects.filter(meeting=item.meeting, kind="minutes")
                          .exclude(number="").values_list("number", flat=True).first() or "")
    else:
        decided = case.events.filter(action="record_decision").order_by("-at").first()
        meeting_date = decided.at if decided else None
    recipients = [fields["lead_unit"], *filter(None, fields["co_units"].split("、"))]
    return {
        **_head("handling_opinion", case.mechanism, stamp),
        "title": f"关于{case.number}争议事项的书面处理意见",
        "recipient": "、".join(filter(None, recipients)),
        "case": fields,
        "meeting_date_cn": cn_date(meeting_date),
        "minutes_number": minutes_number or "会议纪要另行印发",
        "opinion": mask_inline(case.opinion or (item.decision if item else "")),
    }


def _guidance_unit(mechanism: Mechanism) -> str:
    unit = mechanism.units.filter(code="justice", is_active=True).first()
    return unit.name if unit else ""


def _feedback_letter(case: Case, stamp: Stamp, party: str) -> dict:
    fields = case_fields(case)
    if case.settled_by_unit_id:
        fields["lead_unit"] = case.settled_by_unit.name
    employer = party == "employer"
    if employer:
        result = case.employer_feedback or case.feedback_content or case.result
        result = _without_complainant(result, case)
        recipient = case.employer_name
    else:
        result = mask_inline(case.feedback_content or case.result)
        recipient = case.complainant_name
    return {
        **_head("feedback_letter", case.mechanism, stamp),
        "title": "关于争议事项处理结果的反馈函",
        "recipient": recipient,
        "cc": [fields["lead_unit"]] if fields["lead_unit"] else [],
        "case": fields,
        "party": "用人单位" if employer else "反映人",
        "result": result,
        "reconsideration_body": f"{case.mechanism.region}人民政府",
        "court": "",
        "guidance_unit": _guidance_unit(case.mechanism),
    }


def _supervision_notice(mechanism: Mechanism, period: str, stamp: Stamp) -> dict:
    parsed = period_parse(period)
    day = stamp.date or timezone.localdate()
    rows, as_of = supervision_rows(mechanism=mechanism, period=parsed)
    return {
        **_head("supervision_notice", mechanism, stamp),
        "title": f"关于{parsed.label}社会保险费征缴争议事项逾期办理情况的通报",
        "recipient": f"{mechanism.coordinating_body}各成员单位",
        "period_label": parsed.label,
        "as_of_date_cn": cn_date(as_of),
        "rectify_deadline_cn": cn_date(add_workdays(day, 5)),
        "rows": rows,
    }


def context_build(*, kind: str, case: Case | None = None, meeting: Meeting | None = None,
                  mechanism: Mechanism | None = None, period: str = "",
                  party: str = "complainant", stamp: Stamp | None = None) -> dict:
    """The context of ``kind`` from the record; raises DocumentError when it cannot be built."""
    if kind not in KIND_LABELS:
        raise DocumentError(f"未知的公文种类：{kind}")
    stamp = stamp or Stamp()
    refusal = kind_refusal(kind, case=case, meeting=meeting, mechanism=mechanism,
                           period=period, party=party)
    if refusal:
        raise DocumentError(refusal)
    if kind == "minutes":
        values = _minutes(meeting, stamp)
    elif kind == "supervision_notice":
        values = _supervision_notice(mechanism, period, stamp)
    elif kind == "feedback_letter":
        values = _feedback_letter(case, stamp, party)
    else:
        values = {"acknowledgement": _acknowledgement, "transfer_notice": _transfer_notice,
                  "handling_opinion": _handling_opinion}[kind](case, stamp)
    return fit_contract(kind, values)


def overrides_clean(kind: str, overrides: dict | None) -> dict:
    """Checked overrides: known editable names only; cc becomes a list of names."""
    allowed = editable_fields(kind)
    cleaned = {}
    for name, value in (overrides or {}).items():
        if name not in allowed:
            raise DocumentError(f"“{KIND_LABELS[kind]}”不能修改“{name}”。可修改：{'、'.join(allowed)}。",
                                field=name)
        if name == "cc":
            items = value if isinstance(value, list) else re.split(r"[，,、\n]+", str(value or ""))
            cleaned[name] = [str(v).strip() for v in items if str(v).strip()]
        elif value is None:
            cleaned[name] = ""
        else:
            text = str(value).strip()
            if len(text) > 5000:
                raise DocumentError(f"“{allowed[name]}”过长（最多5000字）。", field=name)
            cleaned[name] = text
    return cleaned


def overrides_apply(context: dict, overrides: dict) -> dict:
    """Put a clerk's edits over the built context (dotted names reach into dicts)."""
    for name, value in overrides.items():
        head, _, field = name.partition(".")
        if field:
            context.setdefault(head, {})[field] = value
        else:
            context[head] = value
    return context
