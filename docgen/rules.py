"""Which document a record can have now: one table, asked by the services, the command and the
case page's buttons alike."""

from __future__ import annotations

from cases.models import Case, CaseStatus, ComplainantType, Mechanism, Meeting

S = CaseStatus
CASE_KINDS = ("acknowledgement", "transfer_notice", "handling_opinion", "feedback_letter")
AFTER_SETTLEMENT = frozenset({S.SETTLED, S.FED_BACK, S.FOLLOWED_UP, S.OBJECTED, S.GUIDED, S.ARCHIVED})
AFTER_DECISION = frozenset({S.DELIBERATED, S.OPINION_ISSUED, S.REPORTED_UP, *AFTER_SETTLEMENT})


def _case_refusal(kind: str, case: Case, party: str) -> str | None:
    if case.status == S.MERGED:
        return "该事项已合并至其他事项，不再单独制发公文。"
    if kind == "acknowledgement":
        return None
    if kind == "transfer_notice":
        if not case.lead_unit_id or not case.transferred_at:
            return "该事项尚未转办，不能生成转办单。"
        return None
    if kind == "handling_opinion":
        if case.status not in AFTER_DECISION or not (case.opinion or "").strip():
            return "该事项尚未形成会商意见，不能生成书面处理意见。"
        return None
    if kind == "feedback_letter":
        if case.status not in AFTER_SETTLEMENT:
            return "该事项尚未办结，不能生成反馈函。"
        if party not in ("complainant", "employer"):
            return "反馈函的致送对象只能是反映人或用人单位。"
        if party == "employer":
            if case.complainant_type == ComplainantType.EMPLOYER:
                return "反映人即用人单位，请生成致反映人的反馈函。"
            if not case.employer_name.strip():
                return "该事项未登记涉及的用人单位，不能生成致用人单位的反馈函。"
        return None
    return f"“{kind}”不是针对单个事项的公文。"


def kind_refusal(kind: str, *, case: Case | None = None, meeting: Meeting | None = None,
                 mechanism: Mechanism | None = None, period: str = "",
                 party: str = "complainant") -> str | None:
    """Why ``kind`` cannot be made from these records now (Chinese), or None."""
    if kind in CASE_KINDS:
        if case is None:
            return "请指定争议事项。"
        return _case_refusal(kind, case, party)
    if kind == "minutes":
        if meeting is None:
            return "请指定会商会议。"
        if meeting.status != Meeting.Status.HELD:
            return "会议尚未记录会商情况，不能生成会议纪要。"
        return None
    if kind == "supervision_notice":
        if mechanism is None:
            return "请指定机制。"
        if not period:
            return "请指定通报期间，如 2026-10 或 2026-Q3。"
        return None
    return f"未知的公文种类：{kind}"


def case_draftable(case: Case) -> list[tuple[str, str]]:
    """(kind, party) pairs the case can have a document of now, in the order of the loop."""
    out = []
    for kind in CASE_KINDS:
        parties = ("complainant", "employer") if kind == "feedback_letter" else ("complainant",)
        out += [(kind, party) for party in parties if _case_refusal(kind, case, party) is None]
    return out
