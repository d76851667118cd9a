"""Small, explicit builders for tests: mechanisms from their files, staff in unit groups, and
cases registered through the real service (never written to the table directly)."""

from __future__ import annotations

import itertools
import random

import factory
from django.contrib.auth import get_user_model

from cases.actors import Actor
from cases.identity import make_mobile, make_resident_id
from cases.models import Case, ComplainantType, Mechanism, Unit
from cases.services.intake import case_register
from cases.services.mechanisms import groups_ensure, mechanism_load

# Each make_case draws from its own seed: different people, same run after run.
_case_seeds = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"测试{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.cn")
    is_staff = True


def load_mechanisms(*slugs: str) -> dict[str, Mechanism]:
    """Load the seed mechanisms (default: gaoping and yuanjiang) and return them by slug."""
    slugs = slugs or ("gaoping", "yuanjiang")
    return {slug: mechanism_load(source=slug).mechanism for slug in slugs}


def _group_of(unit: Unit):
    if unit.group_id is None:
        groups_ensure(mechanism=unit.mechanism)
        unit.refresh_from_db(fields=["group"])
    return unit.group


def make_staff(unit: Unit, username: str | None = None):
    """A user in the unit's group (its staff); the same username returns the same user."""
    username = username or f"{unit.mechanism.case_prefix.lower()}_{unit.code.replace('-', '_')}"
    user = UserFactory(username=username)
    user.groups.add(_group_of(unit))
    return user


def make_leader(mechanism: Mechanism, username: str | None = None):
    """A user in the mechanism's leaders group (reads every case of the mechanism)."""
    if mechanism.leaders_group_id is None:
        groups_ensure(mechanism=mechanism)
        mechanism.refresh_from_db(fields=["leaders_group"])
    user = UserFactory(username=username or f"{mechanism.case_prefix.lower()}_leader")
    user.groups.add(mechanism.leaders_group)
    return user


def make_case(*, mechanism: Mechanism, actor: Actor | None = None, **overrides) -> Case:
    """Register a valid case through case_register. Defaults: the office's clerk, the first active
    category, the first channel that is not the online form, an individual with a valid ID."""
    rng = random.Random(next(_case_seeds))
    if actor is None:
        actor = Actor.staff(make_staff(mechanism.office_unit))
    values = {
        "mechanism": mechanism,
        "actor": actor,
        "channel": mechanism.channels.filter(is_active=True, is_online_form=False)
        .order_by("sort_order", "id").first(),
        "category": mechanism.categories.filter(is_active=True)
        .order_by("sort_order", "id").first(),
        "complainant_type": ComplainantType.INDIVIDUAL,
        "complainant_name": "王建国",
        "complainant_id_number": make_resident_id(rng),
        "complainant_phone": make_mobile(rng),
        "facts": "单位自2025年3月起未为本人缴纳社会保险费，多次催要未果。",
        "request": "请求督促单位补缴社会保险费。",
    }
    values.update(overrides)
    return case_register(**values)
