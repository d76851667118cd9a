"""The case page masks ID number and phone; 查看完整信息 needs a permission and is audited."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cases.actors import Actor
from cases.identity import mask_mobile, mask_resident_id
from cases.services import handling
from security.models import AuditAction, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(gaoping, staff, register):
    petition = staff(gaoping, "petition")
    case = register(gaoping, Actor.staff(petition))
    return handling.case_transfer(case=case, actor=Actor.staff(petition),
                                  lead_unit=gaoping.units.get(code="tax"))


def page_url(case):
    return reverse("cases_case_modeladmin_inspect", args=[case.pk])


def reveal_url(case):
    return reverse("security_admin:case_reveal", args=[case.pk])


def grant_reveal(user):
    user.user_permissions.add(Permission.objects.get(codename="reveal_personal_data",
                                                     content_type__app_label="security"))


def test_a_clerk_without_the_permission_sees_masked_values_and_cannot_reveal(client, case, gaoping,
                                                                             staff):
    tax = staff(gaoping, "tax")
    client.force_login(tax)
    html = client.get(page_url(case)).content.decode()
    assert mask_resident_id(case.complainant_id_number) in html
    assert mask_mobile(case.complainant_phone) in html
    assert case.complainant_id_number not in html and case.complainant_phone not in html
    assert "查看完整信息" not in html
    response = client.post(reveal_url(case))
    assert response.status_code == 403
    assert case.complainant_id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.REVEAL).exists()


def test_with_the_permission_the_full_values_are_shown_once_and_audited(client, case, gaoping,
                                                                        staff):
    tax = staff(gaoping, "tax")
    grant_reveal(tax)
    client.force_login(tax)
    assert "查看完整信息" in client.get(page_url(case)).content.decode()
    response = client.post(reveal_url(case), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    html = response.content.decode()
    assert case.complainant_id_number in html and case.complainant_phone in html
    assert "已记入审计日志" in html
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(action=AuditAction.REVEAL)
    assert event.user == tax and event.username == tax.username
    assert event.target_id == str(case.pk) and event.target_label == case.number
    assert event.detail == {"fields": ["complainant_id_number", "complainant_phone"]}
    assert event.ip == "10.1.2.3" and event.mechanism_id == gaoping.pk
    # Leaving and coming back: masked again.
    assert case.complainant_id_number not in client.get(page_url(case)).content.decode()


def test_superusers_always_may(client, case, admin_user):
    client.force_login(admin_user)
    assert "查看完整信息" in client.get(page_url(case)).content.decode()
    assert client.post(reveal_url(case)).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.REVEAL, user=admin_user).count() == 1


def test_the_permission_does_not_open_cases_the_policy_hides(client, case, gaoping, staff):
    police = staff(gaoping, "police")
    grant_reveal(police)
    client.force_login(police)
    assert client.post(reveal_url(case)).status_code == 404
    assert not AuditEvent.objects.exists() or not AuditEvent.objects.filter(
        action=AuditAction.REVEAL).exists()


def test_reveal_is_post_only(client, case, admin_user):
    client.force_login(admin_user)
    assert client.get(reveal_url(case)).status_code == 405


def test_employer_codes_are_masked_as_credit_codes(client, gaoping, staff, register, admin_user):
    import random

    from cases.identity import make_credit_code, mask_credit_code

    code = make_credit_code(random.Random(3))
    employer = register(gaoping, Actor.staff(staff(gaoping, "petition")),
                        complainant_type="employer", complainant_name="某建材有限公司",
                        complainant_id_number=code)
    client.force_login(staff(gaoping, "petition"))
    html = client.get(page_url(employer)).content.decode()
    assert mask_credit_code(code) in html and code not in html


def test_the_permission_is_offered_in_wagtails_group_editor():
    from wagtail import hooks

    permissions = set()
    for fn in hooks.get_hooks("register_permissions"):
        permissions |= {p.codename for p in fn()}
    assert {"reveal_personal_data", "view_auditevent"} <= permissions
