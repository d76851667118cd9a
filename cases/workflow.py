"""The case lifecycle as data: which transition may run from which status, by whom.

Roles (computed by cases.policy for an actor and a case):
  accepting — staff of the unit that took the case (首问负责: keeps tracking and feedback)
  lead      — staff of the lead (handling) unit
  office    — staff of the mechanism's office (专班办公室 / 联合服务中心), and superusers
  public    — the complainant, proven by case number + query code
Guards are small predicates on the case; each returns a Chinese refusal or None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from cases.errors import CaseError
from cases.models import CaseStatus as S
from cases.models import Satisfaction

Guard = Callable[["object"], str | None]


def _route(*routes: str) -> Guard:
    def guard(case) -> str | None:
        if case.tier_id is None:
            return "请先确定争议分级。"
        if case.tier.route not in routes:
            return f"“{case.tier.name}”不适用此操作。"
        return None
    return guard


def _has_escalation_body(case) -> str | None:
    if not case.mechanism.escalation_body:
        return "本机制没有可提请处理的上级机构。"
    if case.tier_id and not case.tier.may_escalate:
        return f"“{case.tier.name}”不可提请上级机构处理。"
    return None


def _unsatisfied(case) -> str | None:
    return None if case.satisfaction == Satisfaction.UNSATISFIED else "仅回访不满意的事项可重新办理。"


def _not_rated(case) -> str | None:
    return "已评价过，不能重复评价。" if case.satisfaction else None


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str | None  # None: the status stays
    roles: frozenset[str]
    public_text: str = ""  # shown on the tracking page; "" keeps the event internal
    guards: tuple[Guard, ...] = field(default=())


def _t(name, label, sources, target, roles, public_text="", guards=()):
    return Transition(name, label, frozenset(sources), target, frozenset(roles), public_text,
                      tuple(guards))


OPEN_HANDLING = (S.TRANSFERRED, S.IN_PROGRESS)

TRANSITIONS: dict[str, Transition] = {t.name: t for t in [
    _t("register", "受理登记", [""], S.ACCEPTED, ["accepting", "office", "public"],
       "您反映的事项已受理"),
    _t("classify", "分级分类", [S.ACCEPTED], None, ["accepting", "office"]),
    _t("settle_on_spot", "当场办结", [S.ACCEPTED], S.FED_BACK, ["accepting", "office"],
       "已当场办结并答复", [_route("on_the_spot")]),
    _t("transfer", "转办", [S.ACCEPTED], S.TRANSFERRED, ["accepting", "office"],
       "已转交{unit}办理", [_route("lead_unit", "joint", "deliberation")]),
    _t("receive", "签收", [S.TRANSFERRED], S.IN_PROGRESS, ["lead"], "{unit}已签收，正在办理"),
    _t("pass_on", "移交", OPEN_HANDLING, S.TRANSFERRED, ["lead"], "已移交{unit}办理"),
    _t("dispute_competence", "提请裁定管辖", OPEN_HANDLING, S.COMPETENCE_DISPUTED, ["lead"]),
    _t("decide_competence", "裁定管辖", [S.COMPETENCE_DISPUTED], S.TRANSFERRED, ["office"],
       "已确定由{unit}办理"),
    _t("request_extension", "申请延期", [*OPEN_HANDLING, S.ESCALATED], None, ["lead", "office"]),
    _t("decide_extension", "审批延期", [*OPEN_HANDLING, S.ESCALATED], None, ["office"]),
    _t("escalate_at_intake", "提请会商", [S.ACCEPTED], S.ESCALATED, ["accepting", "office"],
       "已提请{forum}研究", [_route("deliberation")]),
    _t("escalate", "提请会商", OPEN_HANDLING, S.ESCALATED, ["lead", "office"], "已提请{forum}研究"),
    _t("record_decision", "记录会商意见", [S.ESCALATED, S.REPORTED_UP], S.DELIBERATED, ["office"],
       "{forum}已研究提出处理意见"),
    _t("issue_opinion", "出具书面处理意见", [S.DELIBERATED], S.OPINION_ISSUED, ["office"],
       "已出具书面处理意见"),
    _t("report_up", "提请上级处理", [S.ESCALATED, S.DELIBERATED], S.REPORTED_UP, ["office"],
       "已提请{body}处理", [_has_escalation_body]),
    _t("settle", "办结", [S.IN_PROGRESS, S.OPINION_ISSUED, S.REPORTED_UP], S.SETTLED,
       ["lead", "office"], "已办结"),
    _t("feedback", "反馈结果", [S.SETTLED], S.FED_BACK, ["accepting", "office"],
       "已向您反馈处理结果"),
    _t("follow_up", "回访", [S.FED_BACK], S.FOLLOWED_UP, ["accepting", "office", "public"],
       "已回访：{satisfaction}", [_not_rated]),
    _t("object", "提出异议", [S.FED_BACK, S.FOLLOWED_UP], S.OBJECTED,
       ["public", "accepting", "office"], "您对处理结果提出了异议，我们将尽快处理"),
    _t("rehandle", "重新办理", [S.OBJECTED], S.IN_PROGRESS, ["accepting", "office"],
       "已安排{unit}重新办理"),
    _t("guide", "告知救济途径", [S.OBJECTED], S.GUIDED, ["accepting", "office"],
       "已告知申请行政复议或提起行政诉讼的途径"),
    _t("reopen", "重新办理", [S.FOLLOWED_UP], S.IN_PROGRESS, ["accepting", "office"],
       "已安排{unit}重新办理", [_unsatisfied]),
    _t("archive", "归档", [S.FED_BACK, S.FOLLOWED_UP, S.GUIDED], S.ARCHIVED,
       ["accepting", "office"], "已办结归档"),
    _t("link", "关联事项", [st for st in S.values if st not in (S.ARCHIVED, S.MERGED)], None,
       ["accepting", "lead", "office"]),
    _t("merge", "合并", [S.ACCEPTED, S.TRANSFERRED], S.MERGED, ["accepting", "office"],
       "已与{other}合并办理"),
]}

# Statuses whose clocks run and which the sweep and the ledger treat as open.
OPEN_STATUSES = frozenset({S.ACCEPTED, S.TRANSFERRED, S.IN_PROGRESS, S.COMPETENCE_DISPUTED,
                           S.ESCALATED, S.DELIBERATED, S.OPINION_ISSUED, S.REPORTED_UP,
                           S.SETTLED, S.OBJECTED})
# Which stage's clock runs in each status.
RUNNING_STAGE = {
    S.ACCEPTED: "transfer",
    S.TRANSFERRED: "settle",
    S.IN_PROGRESS: "settle",
    S.ESCALATED: "deliberate",
    S.SETTLED: "feedback",
}


def get_transition(name: str) -> Transition:
    try:
        return TRANSITIONS[name]
    except KeyError:
        raise CaseError(f"未知的操作：{name}") from None


def refusal(transition: Transition, case, roles: set[str]) -> str | None:
    """Why this transition may not run now (Chinese), or None when it may."""
    status = case.status if case is not None and case.pk else ""
    if status not in transition.sources:
        current = case.get_status_display() if status else "未登记"
        return f"当前状态为“{current}”，不能{transition.label}。"
    if not roles & transition.roles:
        return f"您无权对该事项执行“{transition.label}”。"
    for guard in transition.guards:
        message = guard(case)
        if message:
            return message
    return None


def check(transition_name: str, case, roles: set[str]) -> Transition:
    transition = get_transition(transition_name)
    message = refusal(transition, case, roles)
    if message:
        raise CaseError(message)
    return transition
