"""One permission policy: who sees and who may act, per unit, office, leader and mechanism."""

import pytest

from cases.actors import Actor
from cases.errors import CaseError
from cases.policy import allowed_transitions, can_view, visible_cases
from cases.services import handling

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(gaoping, yuanjiang, staff, leader, register):
    petition = staff(gaoping, "petition")
    case = register(gaoping, Actor.staff(petition))
    case = handling.case_transfer(case=case, actor=Actor.staff(petition),
                                  lead_unit=gaoping.units.get(code="tax"),
                                  co_units=[gaoping.units.get(code="finance")])
    other = register(yuanjiang, Actor.staff(staff(yuanjiang, "tax")),
                     channel=yuanjiang.channels.get(code="hotline-12345"))
    return {
        "case": case, "other": other,
        "petition": petition, "tax": staff(gaoping, "tax"), "finance": staff(gaoping, "finance"),
        "police": staff(gaoping, "police"), "office": staff(gaoping, "office"),
        "leader": leader(gaoping), "yj_center": staff(yuanjiang, "center"),
    }


@pytest.mark.parametrize("who, sees", [
    ("petition", True),   # accepted it
    ("tax", True),        # leads it
    ("finance", True),    # co-handles it
    ("police", False),    # another unit of the same mechanism
    ("office", True),     # the office sees every case of its mechanism
    ("leader", True),     # leaders read everything of their mechanism
    ("yj_center", False),  # another mechanism's office
])
def test_who_sees_a_case(world, who, sees):
    user = world[who]
    assert visible_cases(user).filter(pk=world["case"].pk).exists() is sees
    assert can_view(user, world["case"]) is sees


def test_nobody_sees_another_mechanisms_cases(world):
    for who in ("petition", "tax", "office", "leader"):
        assert not visible_cases(world[who]).filter(pk=world["other"].pk).exists()
    assert visible_cases(world["yj_center"]).filter(pk=world["other"].pk).exists()


def test_leaders_and_other_units_cannot_act(world):
    case = world["case"]
    for who in ("leader", "police", "yj_center", "finance"):
        assert allowed_transitions(Actor.staff(world[who]), case) == []
    with pytest.raises(CaseError, match="无权"):
        handling.case_receive(case=case, actor=Actor.staff(world["police"]))
    assert {t.name for t in allowed_transitions(Actor.staff(world["tax"]), case)} >= {
        "receive", "pass_on", "escalate"}


def test_anonymous_and_inactive_users_see_nothing(world, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_cases(AnonymousUser()).exists()
    world["tax"].is_active = False
    world["tax"].save()
    fresh = django_user_model.objects.get(pk=world["tax"].pk)
    assert not visible_cases(fresh).exists()


def test_staff_register_only_in_their_own_units_name(world, gaoping, register):
    with pytest.raises(CaseError, match="只能以本单位名义受理"):
        register(gaoping, Actor.staff(world["tax"]), accepting_unit=gaoping.units.get(code="hrss"))
    case = register(gaoping, Actor.staff(world["office"]), accepting_unit=gaoping.units.get(code="hrss"))
    assert case.accepting_unit.code == "hrss"


def test_office_clerk_who_is_also_a_unit_clerk_elsewhere_sees_both(world, gaoping, yuanjiang, staff):
    # A county office clerk who also sits in a neighbouring mechanism's tax bureau group.
    clerk = staff(gaoping, "office", name="two_hats")
    staff(gaoping, "tax", name="two_hats")
    staff(yuanjiang, "tax", name="two_hats")
    seen = visible_cases(clerk)
    assert set(seen) == {world["case"], world["other"]}
    # Inside 高平 the office sees everything, so the unit conditions are left out of the query:
    # a plain mechanism filter keeps the ledger's COUNT on an index at provincial scale.
    office_only = visible_cases(world["office"])
    assert "accepting_unit_id" not in str(office_only.query).split(" WHERE ", 1)[1]
    assert list(office_only) == [world["case"]]
