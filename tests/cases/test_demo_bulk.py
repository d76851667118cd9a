"""seed_demo --bulk: many plausible cases written in batches, numbered from the counter."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from cases.actors import Actor
from cases.demo_bulk import HISTORY_REASON
from cases.models import Case, CaseCounter, CaseStatus, TimelineEvent

pytestmark = pytest.mark.django_db
LEDGER = "/admin/cases/case/"


@pytest.fixture
def bulk(gaoping, yuanjiang):
    out = StringIO()
    # A small batch so the run spans several batches and years of counters.
    call_command("seed_demo", bulk=True, cases=120, months=18, batch=25, seed=3, stdout=out)
    return out.getvalue()


def test_each_mechanism_gets_n_cases_over_many_months_in_many_statuses(bulk):
    assert bulk.strip().splitlines()[-1] == "已生成演示案件 240 件（高平 120、沅江 120）"
    today = timezone.localdate()
    for slug in ("gaoping", "yuanjiang"):
        cases = Case.objects.filter(mechanism__slug=slug)
        assert cases.count() == 120
        months = {(timezone.localtime(a).year, timezone.localtime(a).month)
                  for a in cases.values_list("accepted_at", flat=True)}
        assert len(months) >= 12
        statuses = set(cases.values_list("status", flat=True))
        assert {CaseStatus.ARCHIVED, CaseStatus.FOLLOWED_UP, CaseStatus.FED_BACK} <= statuses
        assert len(statuses) >= 6
        assert cases.filter(due_date__isnull=False).exists()
        assert cases.exclude(lead_unit=None).count() > 60
        assert cases.values("category").distinct().count() >= 4
        # Old cases have closed; only recent ones may still be open.
        old = cases.filter(accepted_at__date__lt=today.replace(day=1) - timezone.timedelta(days=150))
        assert old.exists()
        assert not old.filter(status__in=["accepted", "transferred", "in_progress"]).exists()


def test_every_case_has_events_and_one_honest_history_row(bulk):
    assert not Case.objects.annotate(n=Count("events")).filter(n=0).exists()
    first = TimelineEvent.objects.values("case").annotate(at=Min("at"))
    accepted = dict(Case.objects.values_list("pk", "accepted_at"))
    assert all(row["at"] == accepted[row["case"]] for row in first)
    archived = Case.objects.filter(status=CaseStatus.ARCHIVED).first()
    assert list(archived.events.values_list("action", flat=True))[-1] == "archive"
    history = Case.history.all()
    assert history.count() == 240
    assert set(history.values_list("history_type", "history_change_reason")) == {
        ("+", HISTORY_REASON)}


def test_numbers_are_unique_per_year_and_registration_continues_after_them(bulk, gaoping,
                                                                             staff, register):
    cases = Case.objects.filter(mechanism=gaoping)
    assert cases.values("number").distinct().count() == 120
    for year in set(cases.values_list("year", flat=True)):
        seqs = sorted(cases.filter(year=year).values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))
        assert CaseCounter.objects.get(mechanism=gaoping, year=year).last_value == len(seqs)
    # In acceptance order, as a paper register would be.
    by_date = list(cases.order_by("accepted_at", "id").values_list("year", "seq"))
    assert by_date == sorted(by_date)
    year = timezone.localdate().year
    last = CaseCounter.objects.get(mechanism=gaoping, year=year).last_value
    new = register(gaoping, Actor.staff(staff(gaoping, "petition")))
    assert new.number == f"GP-{year}-{last + 1:06d}"


def test_a_bulk_case_is_in_the_ledger_and_its_page_renders(bulk, client, gaoping, staff):
    client.force_login(staff(gaoping, "office"))
    case = Case.objects.filter(mechanism=gaoping).order_by("-accepted_at", "-id").first()
    ledger = client.get(LEDGER)
    assert ledger.status_code == 200
    assert case.number in ledger.content.decode()
    page = client.get(reverse("cases_case_modeladmin_inspect", args=[case.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert case.number in html and case.category.name in html
    found = client.get(LEDGER, {"q": case.number}).content.decode()
    assert case.number in found
    # The encrypted ID number and its blind index are written as save() would write them.
    person = Case.objects.filter(mechanism=gaoping, complainant_type="individual").last()
    assert len(person.complainant_id_number) == 18
    found = client.get(LEDGER, {"q": person.complainant_id_number}).content.decode()
    assert person.number in found


def test_a_second_bulk_run_tops_up_only(bulk):
    out = StringIO()
    call_command("seed_demo", bulk=True, cases=130, months=18, batch=25, mechanism="gaoping",
                 stdout=out)
    assert Case.objects.filter(mechanism__slug="gaoping").count() == 130
    assert Case.objects.values("number").distinct().count() == 250
