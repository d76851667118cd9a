"""One permission policy for the admin, the API and the services.

A unit's staff (members of the unit's group) see and act on cases their unit accepted, leads or
co-handles; the office's staff see and act on every case of their mechanism; leaders read every
case of their mechanism; superusers see everything. Nobody else sees a case.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from cases.actors import Actor
from cases.errors import CaseError
from cases.models import Case, Mechanism, Unit
from cases.workflow import TRANSITIONS, Transition, check, refusal


@dataclass(frozen=True)
class Membership:
    unit_ids: frozenset[int]
    office_mechanism_ids: frozenset[int]
    leader_mechanism_ids: frozenset[int]
    is_superuser: bool
    unit_mechanisms: frozenset[tuple[int, int]] = frozenset()  # (unit id, its mechanism id)

    @property
    def is_staff_of_anything(self) -> bool:
        return bool(self.is_superuser or self.unit_ids or self.leader_mechanism_ids)


def membership(user) -> Membership:
    """The user's units and roles, computed once per user object (i.e. per request)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Membership(frozenset(), frozenset(), frozenset(), False)
    cached = getattr(user, "_onestop_membership", None)
    if cached is not None:
        return cached
    group_ids = list(user.groups.values_list("id", flat=True))
    units = list(Unit.objects.filter(group_id__in=group_ids, is_active=True)
                 .values_list("id", "mechanism_id", "is_office"))
    leader_ids = Mechanism.objects.filter(leaders_group_id__in=group_ids).values_list("id", flat=True)
    result = Membership(
        unit_ids=frozenset(u[0] for u in units),
        office_mechanism_ids=frozenset(u[1] for u in units if u[2]),
        leader_mechanism_ids=frozenset(leader_ids),
        is_superuser=user.is_superuser,
        unit_mechanisms=frozenset((u[0], u[1]) for u in units),
    )
    user._onestop_membership = result
    return result


def visible_cases(user, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    queryset = Case.objects.all() if queryset is None else queryset
    m = membership(user)
    if m.is_superuser:
        return queryset
    if not m.is_staff_of_anything:
        return queryset.none()
    whole = m.office_mechanism_ids | m.leader_mechanism_ids
    condition = Q(mechanism_id__in=whole) if whole else Q(pk__in=[])
    # Units of a mechanism seen whole add nothing, and their ORs would defeat the index on
    # mechanism_id (a full scan for every ledger COUNT at provincial scale).
    own = frozenset(unit for unit, mechanism in m.unit_mechanisms if mechanism not in whole)
    if own:
        co_handled = Case.co_units.through.objects.filter(unit_id__in=own).values("case_id")
        condition |= Q(accepting_unit_id__in=own) | Q(lead_unit_id__in=own) | Q(pk__in=co_handled)
    return queryset.filter(condition)


def case_roles(actor: Actor, case: Case | None, *, mechanism: Mechanism | None = None) -> set[str]:
    """The workflow roles this actor holds for this case (or, before registration, mechanism)."""
    if actor.kind == "public":
        return {"public"}
    if actor.kind in ("api", "system"):
        return {"accepting"} if case is None or not case.pk else set()
    m = membership(actor.user)
    mechanism_id = case.mechanism_id if case is not None else (mechanism.pk if mechanism else None)
    roles: set[str] = set()
    if m.is_superuser or mechanism_id in m.office_mechanism_ids:
        roles.add("office")
    if mechanism_id in m.leader_mechanism_ids:
        roles.add("leader")
    if case is None or not case.pk:
        if any(Unit.objects.filter(pk__in=m.unit_ids, mechanism_id=mechanism_id).values("pk")[:1]):
            roles.add("accepting")
        return roles
    if case.accepting_unit_id in m.unit_ids:
        roles.add("accepting")
    if case.lead_unit_id in m.unit_ids:
        roles.add("lead")
    if m.unit_ids and case.co_units.filter(pk__in=m.unit_ids).exists():
        roles.add("co")
    return roles


def can_view(user, case: Case) -> bool:
    return bool(case_roles(Actor.staff(user), case) & {"office", "leader", "accepting", "lead", "co"})


def require_view(user, case: Case) -> None:
    if not can_view(user, case):
        raise CaseError("您无权查看该事项。")


def allowed_transitions(actor: Actor, case: Case) -> list[Transition]:
    roles = case_roles(actor, case)
    return [t for t in TRANSITIONS.values() if t.name != "register" and refusal(t, case, roles) is None]


def require_transition(actor: Actor, case: Case | None, name: str, *,
                       mechanism: Mechanism | None = None) -> Transition:
    return check(name, case, case_roles(actor, case, mechanism=mechanism))


def acting_unit(actor: Actor, case: Case, roles: set[str]) -> Unit | None:
    """The unit an action is recorded under: the role that allowed it decides."""
    if actor.kind != "staff":
        return None
    if "lead" in roles:
        return case.lead_unit
    if "accepting" in roles:
        return case.accepting_unit
    if "office" in roles:
        return case.mechanism.office_unit
    return None
