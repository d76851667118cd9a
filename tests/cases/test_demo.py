"""Demo data: seed_demo drives realistic cases through the services, for any mechanism."""

import random
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from cases.demo import _Seeder, demo_staff
from cases.identity import validate_credit_code, validate_mobile, validate_resident_id
from cases.models import Case, CaseStatus, Extension, Mechanism, Meeting, TimelineEvent
from tests.cases.test_mechanisms import THIRD_CITY
from tests.factories import load_mechanisms, make_case

pytestmark = pytest.mark.django_db
PER_MECHANISM = 40


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed both cities once for the module (seeding is the slow part), rolled back afterwards;
    each test still runs in its own savepoint inside this transaction."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_mechanisms()
        out = StringIO()
        call_command("seed_demo", cases=PER_MECHANISM, seed=7, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_each_mechanism_gets_n_cases_and_a_chinese_summary_last(seeded):
    for slug in ("gaoping", "yuanjiang"):
        assert Case.objects.filter(mechanism__slug=slug).count() == PER_MECHANISM
    assert seeded.strip().splitlines()[-1] == "已生成演示案件 80 件（高平 40、沅江 40）"


def test_numbers_carry_the_prefix_and_the_acceptance_year(seeded):
    for case in Case.objects.select_related("mechanism"):
        prefix = case.mechanism.case_prefix
        assert re.fullmatch(rf"{prefix}-\d{{4}}-\d{{6}}", case.number), case.number
        assert case.number == f"{prefix}-{case.year}-{case.seq:06d}"
        assert timezone.localtime(case.accepted_at).year == case.year


def test_statuses_spread_with_some_overdue(seeded):
    today = timezone.localdate()
    for slug in ("gaoping", "yuanjiang"):
        cases = Case.objects.filter(mechanism__slug=slug)
        statuses = set(cases.values_list("status", flat=True))
        assert {CaseStatus.ACCEPTED, CaseStatus.TRANSFERRED, CaseStatus.IN_PROGRESS,
                CaseStatus.ESCALATED, CaseStatus.SETTLED, CaseStatus.FED_BACK,
                CaseStatus.FOLLOWED_UP, CaseStatus.ARCHIVED} <= statuses
        assert len(statuses) >= 10
        assert cases.filter(due_date__lt=today).exists()
        assert cases.filter(status=CaseStatus.ACCEPTED, due_date__gte=today).exists()
    # Accepted in business hours over the last ~120 days (overdue ones may be a little older).
    for accepted in Case.objects.values_list("accepted_at", flat=True):
        local = timezone.localtime(accepted)
        assert 8 <= local.hour < 18 and local.weekday() < 7
        assert timezone.now() - timedelta(days=150) < accepted < timezone.now()


def test_every_case_has_history_and_an_ordered_timeline(seeded):
    assert not Case.objects.annotate(n=Count("events")).filter(n=0).exists()
    with_history = set(Case.history.values_list("id", flat=True))
    assert with_history == set(Case.objects.values_list("id", flat=True))
    now = timezone.now()
    for case in Case.objects.prefetch_related("events"):
        times = [event.at for event in case.events.all()]
        assert times == sorted(times) and times[0] == case.accepted_at and times[-1] < now


def test_identity_numbers_validate(seeded):
    for case in Case.objects.all():
        if case.complainant_type == "individual":
            assert validate_resident_id(case.complainant_id_number)
        else:
            assert validate_credit_code(case.complainant_id_number)
        assert validate_credit_code(case.employer_credit_code)
        assert validate_mobile(case.complainant_phone)
    individuals = Case.objects.filter(complainant_type="individual")
    regions = {number[:6] for number in individuals.values_list("complainant_id_number", flat=True)}
    assert regions == {"140581", "430981"}


def test_repeat_complainants_repeat_employers_and_group_cases(seeded):
    def repeated(field):
        return (Case.objects.exclude(**{field: ""}).values(field).annotate(n=Count("id"))
                .filter(n__gte=2).count())

    assert repeated("complainant_id_number_hash") >= 1  # ciphertexts never repeat
    assert repeated("employer_credit_code") >= 3
    groups = Case.objects.filter(people_count__gt=1)
    assert groups.exists() and not groups.filter(risk_group=False).exists()
    assert all(10 <= n <= 60 for n in groups.values_list("people_count", flat=True))
    assert Case.objects.filter(complainant_type="employer").exists()


def test_side_paths_meetings_extensions_pass_on_and_on_the_spot(seeded):
    held = Meeting.objects.filter(status=Meeting.Status.HELD)
    assert held.exists()
    for meeting in held:
        assert meeting.attendees and meeting.summary
        assert all(item.decision for item in meeting.items.all())
    assert Extension.objects.filter(status=Extension.Status.APPROVED).count() >= 2
    assert TimelineEvent.objects.filter(action="pass_on").count() >= 2
    assert TimelineEvent.objects.filter(action="settle_on_spot").exists()
    assert Case.objects.filter(satisfaction="unsatisfied").exists() or Case.objects.filter(
        status__in=[CaseStatus.OBJECTED, CaseStatus.GUIDED]).exists()
    hotlines = Case.objects.filter(channel__has_ticket_number=True, channel__kind="online").count()
    assert hotlines > Case.objects.count() / 3


def test_demo_staff_are_unit_members_with_unusable_passwords(seeded):
    gaoping = Mechanism.objects.get(slug="gaoping")
    users = demo_staff(gaoping)
    assert len(users) == gaoping.units.filter(is_active=True).count() + 1
    tax = users["gp_tax"]
    assert tax.is_staff and not tax.has_usable_password() and tax.first_name
    assert tax.groups.filter(pk=gaoping.units.get(code="tax").group_id).exists()
    assert users["gp_gov_office"].groups.filter(unit__code="gov-office").exists()
    assert users["gp_leader"].groups.filter(pk=gaoping.leaders_group_id).exists()
    assert demo_staff(gaoping).keys() == users.keys()  # idempotent


def test_running_again_adds_nothing(seeded):
    before = Case.objects.count(), TimelineEvent.objects.count()
    out = StringIO()
    call_command("seed_demo", cases=PER_MECHANISM, seed=7, stdout=out)
    assert (Case.objects.count(), TimelineEvent.objects.count()) == before
    assert out.getvalue().strip().splitlines()[-1].startswith("已生成演示案件 0 件（高平 0、沅江 0")
    with pytest.raises(CommandError, match="nowhere"):
        call_command("seed_demo", cases=1, mechanism="nowhere")


def test_plans_are_deterministic_for_a_seed(seeded):
    gaoping = Mechanism.objects.get(slug="gaoping")

    def plans(seed):
        seeder = _Seeder(gaoping, random.Random(seed))
        return [(p.target, p.steps, p.overdue) for p in seeder.plans(30)]

    assert plans(3) == plans(3) != plans(4)


def test_a_third_mechanism_from_a_file_tops_up_to_n(seeded, tmp_path):
    path = tmp_path / "testcounty.yaml"
    path.write_text(THIRD_CITY, encoding="utf-8")
    out = StringIO()
    call_command("load_mechanism", str(path), stdout=out)
    county = Mechanism.objects.get(slug="testcounty")
    make_case(mechanism=county)  # an existing case counts towards N
    call_command("seed_demo", cases=30, mechanism="testcounty", stdout=out)
    cases = Case.objects.filter(mechanism=county)
    assert cases.count() == 30
    assert out.getvalue().strip().splitlines()[-1] == "已生成演示案件 29 件（测试 29）"
    assert cases.filter(status=CaseStatus.ESCALATED).exists()
    assert len(set(cases.values_list("status", flat=True))) >= 8
    # Its categories are unknown to the text templates: generic or keyword-matched texts.
    assert all(case.facts and case.request for case in cases)
