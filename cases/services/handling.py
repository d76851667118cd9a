"""Handling: classify, transfer, sign for, pass on, competence, extensions, escalation, settle."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Case, CaseStatus, Extension, Stage, Tier, Unit
from cases.policy import case_roles, require_transition
from cases.services.core import apply_transition, lock_case
from cases.workflow import RUNNING_STAGE


def _require(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise CaseError(message, field=field)
    return value


def _handling_unit(case: Case, unit: Unit | None, field: str = "lead_unit") -> Unit:
    if unit is None:
        raise CaseError("请选择承办单位。", field=field)
    if unit.mechanism_id != case.mechanism_id or not unit.is_active or not unit.handles_cases:
        raise CaseError(f"“{unit.name}”不是本机制的承办单位。", field=field)
    return unit


@transaction.atomic
def case_classify(*, case: Case, actor: Actor, tier: Tier, reason: str = "",
                  category=None, risk_group: bool | None = None,
                  risk_public_opinion: bool | None = None, risk_safety: bool | None = None) -> Case:
    if tier.mechanism_id != case.mechanism_id:
        raise CaseError("分级不属于本机制。", field="tier")
    if category is not None and category.mechanism_id != case.mechanism_id:
        raise CaseError("争议类别不属于本机制。", field="category")

    def change(c: Case, roles):
        c.tier = tier
        c.tier_reason = reason.strip()
        if category is not None:
            c.category = category
        for name, value in (("risk_group", risk_group), ("risk_public_opinion", risk_public_opinion),
                            ("risk_safety", risk_safety)):
            if value is not None:
                setattr(c, name, value)

    return apply_transition(case, name="classify", actor=actor, change=change,
                            note=f"分级为“{tier.name}”" + (f"，理由：{reason}" if reason else ""))


@transaction.atomic
def case_transfer(*, case: Case, actor: Actor, lead_unit: Unit, co_units: list[Unit] = (),
                  note: str = "") -> Case:
    """转办 to the competent unit. If the actor belongs to that unit, it signs for it at once."""
    lead_unit = _handling_unit(case, lead_unit)
    co_units = [_handling_unit(case, unit, "co_units") for unit in co_units if unit != lead_unit]

    def change(c: Case, roles):
        c.lead_unit = lead_unit
        c.transferred_at = timezone.now()
        c.received_at = None

    case = apply_transition(case, name="transfer", actor=actor, change=change, note=note,
                            public_values={"unit": lead_unit.name},
                            data={"lead_unit": lead_unit.pk, "co_units": [u.pk for u in co_units]})
    case._history_user = actor.history_user
    case._change_reason = "确定协办单位"
    case.co_units.set(co_units)
    if actor.kind == "staff" and "lead" in case_roles(actor, case):
        case = case_receive(case=case, actor=actor, note="本单位受理并办理")
    return case


@transaction.atomic
def case_receive(*, case: Case, actor: Actor, note: str = "") -> Case:
    def change(c: Case, roles):
        c.received_at = timezone.now()

    return apply_transition(case, name="receive", actor=actor, change=change, note=note)


@transaction.atomic
def case_pass_on(*, case: Case, actor: Actor, to_unit: Unit, reason: str) -> Case:
    """移交: a unit that is not competent passes the case on; the receiver cannot refuse it."""
    reason = _require(reason, "reason", "请说明移交理由。")
    to_unit = _handling_unit(case, to_unit, "to_unit")
    if to_unit.pk == case.lead_unit_id:
        raise CaseError("不能移交给本单位。", field="to_unit")
    from_unit = case.lead_unit

    def change(c: Case, roles):
        c.lead_unit = to_unit
        c.transferred_at = timezone.now()
        c.received_at = None

    return apply_transition(case, name="pass_on", actor=actor, change=change, note=reason,
                            public_values={"unit": to_unit.name},
                            data={"from_unit": from_unit.pk if from_unit else None, "to_unit": to_unit.pk})


@transaction.atomic
def case_dispute_competence(*, case: Case, actor: Actor, reason: str) -> Case:
    reason = _require(reason, "reason", "请说明对管辖有异议的理由。")
    return apply_transition(case, name="dispute_competence", actor=actor, note=reason)


@transaction.atomic
def case_decide_competence(*, case: Case, actor: Actor, unit: Unit, note: str = "") -> Case:
    unit = _handling_unit(case, unit, "unit")

    def change(c: Case, roles):
        c.lead_unit = unit
        c.transferred_at = timezone.now()
        c.received_at = None

    return apply_transition(case, name="decide_competence", actor=actor, change=change,
                            note=note or f"裁定由{unit.name}办理", public_values={"unit": unit.name})


@transaction.atomic
def case_extension_request(*, case: Case, actor: Actor, workdays: int, reason: str,
                           stage: str | None = None) -> Extension:
    reason = _require(reason, "reason", "请说明延期理由。")
    case = lock_case(case)
    require_transition(actor, case, "request_extension")
    stage = stage or RUNNING_STAGE.get(case.status)
    if stage not in Stage.values or not case.due_date or stage != case.running_stage:
        raise CaseError("当前没有可以延期的办理时限。", field="stage")
    if not 1 <= workdays <= 30:
        raise CaseError("延长的工作日应在 1 到 30 之间。", field="workdays")
    if case.extensions.filter(stage=stage, status=Extension.Status.PENDING).exists():
        raise CaseError("该环节已有待审批的延期申请。")
    extension = Extension(case=case, stage=stage, workdays=workdays, reason=reason,
                          requested_by=actor.history_user, requested_at=timezone.now())
    extension._history_user = actor.history_user
    extension._change_reason = "申请延期"
    extension.save()
    apply_transition(case, name="request_extension", actor=actor, lock=False,
                     note=f"申请{extension.get_stage_display()}环节延长 {workdays} 个工作日：{reason}",
                     data={"extension": extension.pk})
    return extension


@transaction.atomic
def case_extension_decide(*, extension: Extension, actor: Actor, approve: bool, note: str = "") -> Case:
    extension = Extension.objects.select_for_update().get(pk=extension.pk)
    if extension.status != Extension.Status.PENDING:
        raise CaseError("该延期申请已审批。")
    case = lock_case(extension.case)
    require_transition(actor, case, "decide_extension")
    extension.status = Extension.Status.APPROVED if approve else Extension.Status.REJECTED
    extension.decided_by = actor.history_user
    extension.decided_at = timezone.now()
    extension.decision_note = note.strip()
    extension._history_user = actor.history_user
    extension._change_reason = "审批延期"
    extension.save()
    verdict = "批准" if approve else "不批准"
    # apply_transition recomputes the clocks, which now include the approved days.
    return apply_transition(case, name="decide_extension", actor=actor, lock=False,
                            note=f"{verdict}延期 {extension.workdays} 个工作日" + (f"：{note}" if note else ""),
                            data={"extension": extension.pk, "approved": approve})


def _deliberation_tier(case: Case) -> Tier:
    if case.tier_id and case.tier.route == Tier.Route.DELIBERATION:
        return case.tier
    tier = case.mechanism.tiers.filter(route=Tier.Route.DELIBERATION).order_by("sort_order").first()
    if tier is None:
        raise CaseError("本机制没有配置会商分级。")
    return tier


@transaction.atomic
def case_escalate(*, case: Case, actor: Actor, reason: str) -> Case:
    """提请专班/联席会议: the handling unit cannot settle it (or it is major at intake)."""
    reason = _require(reason, "reason", "请说明提请会商的理由。")
    name = "escalate_at_intake" if case.status == CaseStatus.ACCEPTED else "escalate"

    def change(c: Case, roles):
        c.tier = _deliberation_tier(c)
        c.escalated_at = timezone.now()
        if c.lead_unit_id is None:
            c.lead_unit = c.mechanism.office_unit

    return apply_transition(case, name=name, actor=actor, change=change, note=reason)


@transaction.atomic
def case_record_decision(*, case: Case, actor: Actor, decision: str, meeting=None) -> Case:
    decision = _require(decision, "decision", "请填写会商意见。")

    def change(c: Case, roles):
        c.opinion = decision

    return apply_transition(case, name="record_decision", actor=actor, change=change,
                            note=decision, data={"meeting": meeting.pk if meeting else None})


@transaction.atomic
def case_issue_opinion(*, case: Case, actor: Actor, opinion: str = "", lead_unit: Unit | None = None) -> Case:
    """书面处理意见: the decision, finalised, goes to the unit that carries it out."""
    def change(c: Case, roles):
        if opinion.strip():
            c.opinion = opinion.strip()
        if not c.opinion:
            raise CaseError("请填写书面处理意见。", field="opinion")
        if lead_unit is not None:
            c.lead_unit = _handling_unit(c, lead_unit)

    return apply_transition(case, name="issue_opinion", actor=actor, change=change)


@transaction.atomic
def case_report_up(*, case: Case, actor: Actor, reason: str) -> Case:
    reason = _require(reason, "reason", "请说明提请上级处理的理由。")
    return apply_transition(case, name="report_up", actor=actor, note=reason)


@transaction.atomic
def case_settle(*, case: Case, actor: Actor, method: str, result: str, agreement: str = "") -> Case:
    """办结, saying how: the seeds ask to prefer mediation and settlement."""
    from cases.models import SettlementMethod

    if method not in SettlementMethod.values:
        raise CaseError("请选择处理方式。", field="method")
    result = _require(result, "result", "请填写处理结果。")
    if method in (SettlementMethod.MEDIATION, SettlementMethod.RECONCILIATION) and not agreement.strip():
        raise CaseError("调解、和解结案须填写达成的协议内容。", field="agreement")

    def change(c: Case, roles):
        c.settlement_method = method
        c.settlement_agreement = agreement.strip()
        c.result = result
        c.settled_at = timezone.now()
        c.settled_by_unit = c.lead_unit if "lead" in roles or c.lead_unit_id else c.mechanism.office_unit

    return apply_transition(case, name="settle", actor=actor, change=change, note=result)
