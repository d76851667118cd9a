"""The one path every case change takes: lock, check the workflow table and the policy, change,
recompute clocks, save with history, write one timeline event, tell the event hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils import timezone

from cases.actors import Actor
from cases.clocks import clocks_apply
from cases.deferred import row_defer
from cases.models import Case, TimelineEvent
from cases.policy import acting_unit, case_roles
from cases.workflow import Transition, check

# Called with (event) inside the transaction; notifications (outbox) register here.
EVENT_HOOKS: list[Callable[[TimelineEvent], None]] = []

CASE_RELATED = ("mechanism", "tier", "lead_unit", "accepting_unit", "category", "channel")


def lock_case(case: Case) -> Case:
    """Re-read the case under a row lock so two clerks never overwrite each other's change."""
    # of=("self",): PostgreSQL refuses to lock the nullable side of the outer joins.
    return Case.objects.select_for_update(of=("self",)).select_related(*CASE_RELATED).get(pk=case.pk)


def public_text(transition: Transition, case: Case, **values: Any) -> str:
    if not transition.public_text:
        return ""
    defaults = {
        "unit": case.lead_unit.name if case.lead_unit_id else "承办单位",
        "forum": case.mechanism.forum_name,
        "body": case.mechanism.escalation_body,
        "satisfaction": case.get_satisfaction_display(),
        "other": "",
    }
    defaults.update(values)
    return transition.public_text.format(**defaults)


def record_event(case: Case, *, action: str, actor: Actor, unit=None, from_status: str = "",
                 note: str = "", public: str = "", data: dict | None = None) -> TimelineEvent:
    event = TimelineEvent(
        case=case, at=timezone.now(), action=action, actor=actor.history_user,
        actor_label=actor.label, unit=unit, from_status=from_status, to_status=case.status,
        note=note, is_public=bool(public), public_text=public[:300], data=data or {},
    )
    if not row_defer(event, needs_pk=True):  # a registration's first event goes with the case
        event.save(force_insert=True)
    for hook in EVENT_HOOKS:
        hook(event)
    return event


def save_with_history(case: Case, *, actor: Actor, reason: str) -> None:
    case._history_user = actor.history_user
    case._change_reason = reason[:1000]
    case.save()


def apply_transition(case: Case, *, name: str, actor: Actor, note: str = "",
                     change: Callable[[Case, set[str]], None] | None = None,
                     public_values: dict[str, Any] | None = None,
                     data: dict | None = None, lock: bool = True) -> Case:
    """Run transition `name` on `case`. Raises CaseError (nothing changed) when it may not run."""
    case = lock_case(case) if lock else case
    roles = case_roles(actor, case)
    transition = check(name, case, roles)
    unit = acting_unit(actor, case, roles)
    from_status = case.status
    if change is not None:
        change(case, roles)
    if transition.target:
        case.status = transition.target
    clocks_apply(case)
    reason = f"{transition.label}" + (f"：{note}" if note else "")
    save_with_history(case, actor=actor, reason=reason)
    record_event(case, action=name, actor=actor, unit=unit, from_status=from_status, note=note,
                 public=public_text(transition, case, **(public_values or {})), data=data)
    return case
