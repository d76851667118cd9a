"""Closing the loop: on-the-spot settlement, feedback, follow-up, objection, re-handling, archive,
and merging duplicates."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import (
    Case,
    CaseStatus,
    FeedbackMethod,
    Satisfaction,
    SettlementMethod,
    Tier,
    Unit,
)
from cases.services.core import apply_transition, lock_case, record_event
from cases.services.handling import _handling_unit, _require, case_classify

REMEDY_GUIDANCE = (
    "如对处理结果仍有异议，可以自知道该行政行为之日起六十日内依法申请行政复议，"
    "或者自知道或者应当知道作出行政行为之日起六个月内依法向人民法院提起行政诉讼。"
    "司法行政部门可提供相关业务指导。"
)


@transaction.atomic
def case_settle_on_spot(*, case: Case, actor: Actor, result: str, feedback_method: str,
                        method: str = SettlementMethod.EXPLANATION) -> Case:
    """简易事项: settled by whoever took it, and the answer given there and then."""
    result = _require(result, "result", "请填写当场办结的处理结果。")
    if feedback_method not in FeedbackMethod.values:
        raise CaseError("请选择反馈方式。", field="feedback_method")
    if method not in SettlementMethod.values:
        raise CaseError("请选择处理方式。", field="method")
    case = lock_case(case)
    if not case.tier_id or case.tier.route != Tier.Route.ON_THE_SPOT:
        simple = case.mechanism.tiers.filter(route=Tier.Route.ON_THE_SPOT).order_by("sort_order").first()
        if simple is None:
            raise CaseError("本机制没有“当场办结”分级。")
        case = case_classify(case=case, actor=actor, tier=simple, reason="受理人员可当场办结")

    def change(c: Case, roles):
        now = timezone.now()
        c.settlement_method = method
        c.result = result
        c.settled_at = now
        c.settled_by_unit = c.accepting_unit
        c.lead_unit = c.accepting_unit
        c.feedback_method = feedback_method
        c.feedback_content = result
        c.fed_back_at = now

    return apply_transition(case, name="settle_on_spot", actor=actor, change=change, note=result)


@transaction.atomic
def case_feedback(*, case: Case, actor: Actor, method: str, content: str,
                  employer_content: str = "") -> Case:
    """反馈 to both parties, with one voice (统一口径)."""
    if method not in FeedbackMethod.values:
        raise CaseError("请选择反馈方式。", field="method")
    content = _require(content, "content", "请填写反馈内容。")

    def change(c: Case, roles):
        c.feedback_method = method
        c.feedback_content = content
        c.employer_feedback = employer_content.strip()
        c.fed_back_at = timezone.now()

    return apply_transition(case, name="feedback", actor=actor, change=change, note=content)


@transaction.atomic
def case_follow_up(*, case: Case, actor: Actor, satisfaction: str, comment: str = "") -> Case:
    if satisfaction not in Satisfaction.values:
        raise CaseError("请选择满意度。", field="satisfaction")

    def change(c: Case, roles):
        c.satisfaction = satisfaction
        c.follow_up_comment = comment.strip()
        c.followed_up_at = timezone.now()

    label = Satisfaction(satisfaction).label
    return apply_transition(case, name="follow_up", actor=actor, change=change,
                            note=f"{label}" + (f"：{comment.strip()}" if comment.strip() else ""),
                            public_values={"satisfaction": label})


@transaction.atomic
def case_object(*, case: Case, actor: Actor, reason: str) -> Case:
    reason = _require(reason, "reason", "请说明对处理结果的异议。")

    def change(c: Case, roles):
        c.objection_reason = reason

    return apply_transition(case, name="object", actor=actor, change=change, note=reason)


def _restart_handling(c: Case, lead_unit: Unit | None) -> None:
    if lead_unit is not None:
        c.lead_unit = _handling_unit(c, lead_unit)
    if c.lead_unit_id is None:
        c.lead_unit = c.accepting_unit
    c.received_at = timezone.now()
    c.settled_at = c.fed_back_at = c.followed_up_at = None
    c.satisfaction = ""
    c.follow_up_comment = ""


@transaction.atomic
def case_rehandle(*, case: Case, actor: Actor, note: str, lead_unit: Unit | None = None) -> Case:
    """异议 → 重新办理."""
    note = _require(note, "note", "请说明重新办理的要求。")
    return apply_transition(case, name="rehandle", actor=actor, note=note,
                            change=lambda c, roles: _restart_handling(c, lead_unit))


@transaction.atomic
def case_reopen(*, case: Case, actor: Actor, note: str, lead_unit: Unit | None = None) -> Case:
    """回访不满意 → 重新办理."""
    note = _require(note, "note", "请说明重新办理的要求。")
    return apply_transition(case, name="reopen", actor=actor, note=note,
                            change=lambda c, roles: _restart_handling(c, lead_unit))


@transaction.atomic
def case_guide(*, case: Case, actor: Actor, guidance: str = "") -> Case:
    """异议 → 告知行政复议（60日）/行政诉讼（6个月）途径, recorded on the case."""
    text = guidance.strip() or REMEDY_GUIDANCE

    def change(c: Case, roles):
        c.remedy_guidance = text

    return apply_transition(case, name="guide", actor=actor, change=change, note=text)


@transaction.atomic
def case_archive(*, case: Case, actor: Actor, archive_number: str = "") -> Case:
    """归档: the case becomes read-only (no transition leaves 已归档)."""
    def change(c: Case, roles):
        c.archive_number = archive_number.strip() or f"{c.year}-{c.mechanism.case_prefix}-{c.seq:06d}"
        c.archived_at = timezone.now()

    return apply_transition(case, name="archive", actor=actor, change=change)


@transaction.atomic
def case_merge(*, case: Case, actor: Actor, into: Case, note: str = "") -> Case:
    """合并: a repeat complaint joins the earlier case, which carries on."""
    into = lock_case(into)
    if into.pk == case.pk or into.mechanism_id != case.mechanism_id:
        raise CaseError("只能合并到本机制的另一件事项。", field="into")
    if into.status in (CaseStatus.MERGED, CaseStatus.ARCHIVED):
        raise CaseError(f"{into.number} 已{into.get_status_display()}，不能作为合并目标。", field="into")

    def change(c: Case, roles):
        c.duplicate_of = into

    case = apply_transition(case, name="merge", actor=actor, change=change,
                            note=note or f"合并至 {into.number}", public_values={"other": into.number},
                            data={"into": into.pk})
    case.related_cases.add(into)
    record_event(into, action="merged_in", actor=actor, note=f"{case.number} 已合并至本事项",
                 data={"case": case.pk})
    return case


@transaction.atomic
def case_link(*, case: Case, actor: Actor, other: Case, note: str = "") -> Case:
    """关联: related complaints stay separate cases but point at each other."""
    if other.pk == case.pk or other.mechanism_id != case.mechanism_id:
        raise CaseError("只能关联本机制的另一件事项。", field="other")
    case = apply_transition(case, name="link", actor=actor, note=note or f"关联 {other.number}",
                            data={"other": other.pk})
    case.related_cases.add(other)
    record_event(other, action="linked", actor=actor, note=f"与 {case.number} 关联",
                 data={"case": case.pk})
    return case
