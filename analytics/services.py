"""Writes of the analytics app: the warning scan, acknowledging a warning, marking a typical
case. Keyword-only, each in one transaction; refusals raise AnalyticsError (Chinese)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from analytics.errors import AnalyticsError
from analytics.models import TypicalCase, Warning, WarningRule
from analytics.policy import may_manage
from analytics.rules import EVALUATORS, REALERT_ON_NEW_CASES, Finding, group_size
from cases.actors import Actor
from cases.confcache import cached
from cases.localtime import local_date
from cases.mechanism_schema import WarningParamError
from cases.models import Case, Mechanism, Unit
from notifications.rules import sms_number
from notifications.services import notification_enqueue

logger = logging.getLogger(__name__)

POLICE_UNIT_CODE = "police"
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
MOBILE_LIKE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@dataclass
class ScanResult:
    counts: Counter = field(default_factory=Counter)
    skipped: list[str] = field(default_factory=list)

    def summary(self, today: date) -> str:
        c = self.counts
        text = (f"{today:%Y-%m-%d} 预警扫描完成：新增预警 {c['created']} 条，更新 {c['updated']} 条，"
                f"未变 {c['unchanged']} 条。")
        return text + (f"跳过参数有误的规则：{'、'.join(self.skipped)}。" if self.skipped else "")


def _recipients(warning: Warning) -> list[Unit]:
    mechanism_id, police = warning.mechanism_id, warning.rule.notify_police

    def load() -> list[Unit]:
        active = Unit.objects.filter(mechanism_id=mechanism_id, is_active=True)
        return list(active.filter(Q(is_office=True) | Q(code=POLICE_UNIT_CODE) if police
                                  else Q(is_office=True)).order_by("-is_office", "sort_order", "id"))

    return cached(("warning_recipients", mechanism_id, police), load)  # units are configuration


def _notify(warning: Warning, case_ids: tuple[int, ...], case: Case | None) -> None:
    """Text the office's liaison, and the police liaison when the rule says so."""
    region = warning.mechanism.region
    if case is None and len(case_ids) == 1:
        case = Case.objects.get(pk=case_ids[0])
    for unit in _recipients(warning):
        mobile = sms_number(unit.liaison_phone)
        if not mobile:
            logger.debug("%s未登记联络员手机，预警 %s 未发送短信。", unit.name, warning.pk)
            continue
        notification_enqueue(
            event="warning", channel="sms", recipient=mobile,
            subject=f"风险预警：{warning.rule}",
            body=f"【{region}征缴争议风险预警】{warning.message}请登录系统查看并处理。",
            case=case, dedupe_key=f"warning-{warning.pk}-{unit.code}")


def warning_record(*, rule: WarningRule, finding: Finding, case: Case | None = None) -> str:
    """Create, extend or leave alone the warning for one finding; returns which it did. `case`:
    the finding's one case when the caller holds it (at registration its row is not yet written)."""
    now = timezone.now()
    # At registration the finding is the new case, keyed by its number, which is still the
    # provisional one nobody else knows: no warning can have that key yet and nobody else can be
    # creating one, so the look-ups and the savepoint would only cost round trips; the
    # registration's hook has its own savepoint.
    registering = case is not None and case._state.adding
    if not registering:
        outcome = _extend_existing(rule=rule, finding=finding, now=now)
        if outcome is not None:
            return outcome
    try:
        # savepoint: a concurrent scan or registration may have just made it
        with transaction.atomic(savepoint=not registering):
            warning = Warning.objects.create(mechanism=rule.mechanism, rule=rule,
                                             key=finding.key, message=finding.message,
                                             created_at=now, updated_at=now)
    except IntegrityError:
        return "unchanged"
    warning.cases.add(*finding.case_ids)
    _notify(warning, finding.case_ids, case)
    return "created"


def _extend_existing(*, rule: WarningRule, finding: Finding, now) -> str | None:
    """"updated" or "unchanged" when an earlier warning of the finding decides it; None: create."""
    current = (Warning.objects.select_for_update()
               .filter(rule=rule, key=finding.key, acknowledged_at=None).first())
    if current is not None:
        known = set(current.cases.values_list("pk", flat=True))
        new = [pk for pk in finding.case_ids if pk not in known]
        if not new:
            return "unchanged"
        current.cases.add(*new)
        current.message, current.updated_at = finding.message, now
        current.save(update_fields=["message", "updated_at"])
        return "updated"
    earlier = Warning.objects.filter(rule=rule, key=finding.key)
    if earlier.exists():
        if rule.kind not in REALERT_ON_NEW_CASES:
            return "unchanged"
        covered = set(Warning.cases.through.objects.filter(warning__in=earlier)
                      .values_list("case_id", flat=True))
        if not set(finding.case_ids) - covered:
            return "unchanged"
    return None


@transaction.atomic
def warnings_scan(*, mechanism: Mechanism | None = None, today: date | None = None) -> ScanResult:
    """Run every active rule (of one mechanism, or all); running it twice adds nothing."""
    today = today or timezone.localdate()
    result = ScanResult()
    rules = (WarningRule.objects.filter(is_active=True, mechanism__is_active=True)
             .select_related("mechanism").order_by("mechanism__slug", "code"))
    if mechanism is not None:
        rules = rules.filter(mechanism=mechanism)
    for rule in rules:
        try:
            findings = EVALUATORS[rule.kind](rule, today=today)
        except WarningParamError:
            logger.warning("预警规则 %s（%s）参数有误，已跳过。", rule.code, rule.mechanism.slug)
            result.skipped.append(f"{rule.mechanism.region}·{rule}")
            continue
        for finding in findings:
            result.counts[warning_record(rule=rule, finding=finding)] += 1
    return result


def warnings_due_at_registration(*, case: Case, today: date | None = None) -> list:
    """(rule, finding) pairs of the group-size rules a newly registered case meets. Reads only
    the (cached) rules: most registrations meet none and then write nothing."""
    today = today or local_date(case.accepted_at)  # group_size reads no date for the case in hand
    rules = cached(("group_size_rules", case.mechanism_id), lambda: list(
        WarningRule.objects.filter(mechanism_id=case.mechanism_id, kind="group_size",
                                   is_active=True).select_related("mechanism")))
    return [(rule, finding) for rule in rules for finding in group_size(rule, today=today, case=case)]


@transaction.atomic(savepoint=False)  # runs in registrations: the caller's savepoint will do
def warnings_check_case(*, case: Case, today: date | None = None) -> int:
    """The group-size rules for one newly registered case; returns the warnings created."""
    return sum(warning_record(rule=rule, finding=finding, case=case) == "created"
               for rule, finding in warnings_due_at_registration(case=case, today=today))


@transaction.atomic
def warning_acknowledge(*, warning: Warning, actor: Actor, note: str) -> Warning:
    """The office has seen to it: who, when and what was done (the note is required)."""
    note = (note or "").strip()
    if not may_manage(actor.user, warning.mechanism_id):
        raise AnalyticsError("只有机制办公室人员可以处理预警。")
    if not note:
        raise AnalyticsError("请填写处理意见。", field="note")
    warning = Warning.objects.select_for_update().get(pk=warning.pk)
    if warning.acknowledged_at is not None:
        raise AnalyticsError("该预警已处理。")
    warning.acknowledged_at = timezone.now()
    warning.acknowledged_by = actor.history_user
    warning.note = note
    warning.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
    return warning


def personal_data_found(case: Case, text: str) -> str | None:
    """What personal data of the case (or shaped like it) the text contains, in Chinese."""
    name = case.complainant_name.strip()
    if case.complainant_type == "individual" and len(name) >= 2 and name in text:
        return "反映人姓名"
    for value, label in ((case.complainant_id_number, "证件号码"), (case.complainant_phone, "联系电话")):
        if value and value.upper() in text.upper():
            return f"反映人{label}"
    if ID_LIKE.search(text):
        return "身份证号码"
    if MOBILE_LIKE.search(text):
        return "手机号码"
    return None


@transaction.atomic
def typical_case_mark(*, case: Case, actor: Actor, title: str, summary: str,
                      lessons: str) -> TypicalCase:
    """Mark (or re-write) a case as typical; the write-up must carry no personal data."""
    if not may_manage(actor.user, case.mechanism_id):
        raise AnalyticsError("只有机制办公室人员可以标记典型案例。")
    values = {"title": (title or "").strip(), "summary": (summary or "").strip(),
              "lessons": (lessons or "").strip()}
    for name, label in (("title", "标题"), ("summary", "案情与处理经过"), ("lessons", "经验启示")):
        if not values[name]:
            raise AnalyticsError(f"请填写{label}。", field=name)
        found = personal_data_found(case, values[name])
        if found:
            raise AnalyticsError(f"{label}中出现了{found}，请脱敏后再保存（如写作“王某”“某公司职工”）。",
                                 field=name)
    typical = TypicalCase.objects.filter(case=case).first() or TypicalCase(case=case)
    for name, value in values.items():
        setattr(typical, name, value)
    typical.marked_by = actor.history_user
    typical.marked_at = timezone.now()
    typical._history_user = actor.history_user
    typical._change_reason = "标记典型案例" if typical.pk is None else "修改典型案例"
    typical.save()
    return typical
