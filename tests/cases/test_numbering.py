"""Case numbers: readable, per mechanism and year, gap-free, unique under concurrency."""

import random
import threading

import pytest
from django.db import connection, connections, transaction

from cases.actors import Actor
from cases.confcache import config_changed
from cases.errors import CaseError
from cases.identity import make_credit_code
from cases.models import Case
from tests.cases.conftest import at


@pytest.mark.django_db
def test_numbers_are_per_mechanism_and_year_and_a_rollback_leaves_no_gap(gaoping, yuanjiang, staff, register):
    gp = Actor.staff(staff(gaoping, "tax"))
    assert register(gaoping, gp, accepted_at=at("2025-12-31 23:00")).number == "GP-2025-000001"
    assert register(gaoping, gp, accepted_at=at("2026-01-01 08:00")).number == "GP-2026-000001"
    yj = register(yuanjiang, Actor.staff(staff(yuanjiang, "tax")),
                  channel=yuanjiang.channels.get(code="hotline-12345"), accepted_at=at("2026-01-02 09:00"))
    assert yj.number == "YJ-2026-000001"
    with pytest.raises(CaseError):  # a bad ID number: the whole registration rolls back
        register(gaoping, gp, accepted_at=at("2026-01-03 09:00"), complainant_id_number="110105194912310021")
    assert register(gaoping, gp, accepted_at=at("2026-01-04 09:00")).number == "GP-2026-000002"


@pytest.mark.django_db
def test_the_millionth_case_of_a_year_gets_seven_digits_not_a_cut_number(gaoping, staff, register):
    from cases.models import CaseCounter

    clerk = Actor.staff(staff(gaoping, "tax"))
    first = register(gaoping, clerk, accepted_at=at("2026-03-02 09:00"))
    assert first.number == "GP-2026-000001"  # the year's counter row was created on the way
    CaseCounter.objects.filter(mechanism=gaoping, year=2026).update(last_value=999_998)
    assert register(gaoping, clerk, accepted_at=at("2026-03-02 10:00")).number == "GP-2026-999999"
    last = register(gaoping, clerk, accepted_at=at("2026-03-02 11:00"))
    assert (last.number, last.seq) == ("GP-2026-1000000", 1_000_000)
    assert Case.objects.get(pk=last.pk).number == "GP-2026-1000000"
    assert last.events.get().public_text.endswith("受理编号 GP-2026-1000000")


@pytest.mark.django_db
def test_the_same_channel_ticket_is_registered_once(gaoping, staff, register):
    from cases.services.intake import DuplicateTicket

    clerk = Actor.staff(staff(gaoping, "petition"))
    first = register(gaoping, clerk, channel_ticket="12345-20261122-0007")
    with pytest.raises(DuplicateTicket) as excinfo:
        register(gaoping, clerk, channel_ticket="12345-20261122-0007")
    assert excinfo.value.case == first
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_registration_gives_unique_gap_free_numbers(staff, register):
    if connection.vendor != "postgresql":
        pytest.skip("并发编号测试需要 PostgreSQL（CI 在 PostgreSQL 上运行）；SQLite 由 IMMEDIATE 事务串行写入。")
    from cases.services.mechanisms import mechanism_load

    gaoping = mechanism_load(source="gaoping").mechanism
    clerk = Actor.staff(staff(gaoping, "tax"))
    numbers: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def worker():
        try:
            barrier.wait()
            for _ in range(5):
                with transaction.atomic():
                    numbers.append(register(gaoping, clerk).number)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(numbers) == len(set(numbers)) == 40
    seqs = sorted(Case.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, 41))


def _text_columns_holding(text: str) -> list[str]:
    """Every row of every model whose text columns contain `text` (encrypted columns excepted:
    they hold personal data only)."""
    from django.apps import apps
    from django.db import models

    from security.fields import EncryptedTextField

    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField) \
                    and not isinstance(field, EncryptedTextField):
                if model._base_manager.filter(**{f"{field.name}__contains": text}).exists():
                    found.append(f"{model._meta.label}.{field.name}")
    return found


@pytest.mark.django_db
def test_the_provisional_number_is_replaced_everywhere_it_was_written(
        gaoping, staff, register, monkeypatch):
    """Rows are written under a provisional number and the real one is taken last: the case, its
    history, the timeline, the acknowledgement and a group warning must all end with the real one."""
    from analytics.models import Warning
    from cases import numbering
    from notifications.models import Outbox

    monkeypatch.setattr(numbering, "provisional_number", lambda: "待编号-probe0000")
    monkeypatch.setattr("cases.services.intake.provisional_number", lambda: "待编号-probe0000")
    gaoping.units.filter(is_office=True).update(liaison_phone="13800000000")  # warning SMS
    config_changed()  # .update() sends no signal; the warning's recipients are cached
    case = register(gaoping, Actor.staff(staff(gaoping, "tax")), people_count=40,
                    complainant_phone="13912345678")
    assert case.number == f"GP-{case.year}-000001" and case.seq == 1
    assert Case.objects.get(pk=case.pk).number == case.number
    assert case.history.get().number == case.number and case.history.get().seq == 1
    event = case.events.get(action="register")
    assert event.public_text.endswith(f"受理编号 {case.number}")
    assert case.number in Outbox.objects.get(case=case, event="acknowledgement").body
    assert Warning.objects.get(cases=case).key == case.number
    assert _text_columns_holding("待编号-probe0000") == []


@pytest.mark.django_db
def test_the_creation_history_row_is_the_one_simple_history_writes(
        gaoping, staff, register, monkeypatch):
    """The registration writes its case row and creation history row itself (numbered, in one
    statement): saving the case again through the ORM right after must record no field change."""
    from django.utils import timezone

    real_now = timezone.now  # a clock in local time, as the tests' clocks are
    monkeypatch.setattr(timezone, "now", lambda: timezone.localtime(real_now()))
    clerk = staff(gaoping, "tax")
    credit = make_credit_code(random.Random(3), region="140581")
    case = register(gaoping, Actor.staff(clerk), people_count=3, complainant_phone="13912345678",
                    employer_credit_code=credit, risk_group=True)
    created = case.history.get()
    assert (created.history_type, created.history_user) == ("+", clerk)
    assert created.history_change_reason == "受理登记（12345政务服务便民热线）"
    stored = Case.objects.get(pk=case.pk)
    stored._history_user, stored._change_reason = clerk, "原样保存"
    stored.save()
    again, first = stored.history.all()[:2]
    assert first.pk == created.pk and again.history_type == "~"
    # Stored like simple-history's dates (SQLite keeps text): the database orders them too.
    assert Case.history.filter(pk=created.pk, history_date__lte=again.history_date).exists()
    assert again.diff_against(first).changes == []
    skip = {"history_id", "history_date", "history_type", "history_change_reason"}
    for field in Case.history.model._meta.concrete_fields:
        if field.attname not in skip:
            assert getattr(first, field.attname) == getattr(again, field.attname), field.attname
    assert first.number == stored.number == case.number and first.complainant_phone == "13912345678"
