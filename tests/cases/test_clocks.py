"""Working-day clocks on cases: across holidays and 调休, after extensions and calendar changes."""

from datetime import date

import pytest
from django.utils import timezone

from cases.actors import Actor
from cases.clocks import clock_label, clock_state
from cases.errors import CaseError
from cases.models import DeadlineState, Extension, Reminder
from cases.services import handling
from cases.services.calendar import calendar_year_save
from cases.services.deadlines import deadlines_sweep
from tests.cases.conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    """clock("2025-10-09 09:00") makes the services see that moment as now."""
    def set_now(text: str):
        moment = at(text)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment
    return set_now


def test_gaoping_deadlines_across_national_day_and_an_extension(gaoping, staff, register, clock):
    petition = Actor.staff(staff(gaoping, "petition"))
    tax = Actor.staff(staff(gaoping, "tax"))
    office = Actor.staff(staff(gaoping, "office"))
    clock("2025-09-30 10:00")
    case = register(gaoping, petition, accepted_at=at("2025-09-30 10:00"))
    # Tuesday 2025-09-30 + 1 working day skips 国庆 and 中秋 (10-01..10-08).
    assert case.transfer_due == date(2025, 10, 9)
    # A one-working-day clock is in its warning window from the start.
    assert clock_state(case, date(2025, 9, 30)) == (DeadlineState.WARNED, 1)
    clock("2025-10-09 16:00")
    case = handling.case_transfer(case=case, actor=petition, lead_unit=gaoping.units.get(code="tax"))
    clock("2025-10-10 09:00")
    case = handling.case_receive(case=case, actor=tax)
    # Received Friday 10-10; 10-11 (Saturday) is a 调休 working day: 11, 13, 14, 15, 16.
    assert case.settle_due == date(2025, 10, 16)
    assert clock_state(case, date(2025, 10, 15))[0] == DeadlineState.WARNED
    assert clock_state(case, date(2025, 10, 17)) == (DeadlineState.OVERDUE, -1)
    assert "已超期 1 个工作日" in clock_label(case, date(2025, 10, 17))

    extension = handling.case_extension_request(case=case, actor=tax, workdays=2, reason="需调取单位工资台账")
    case = handling.case_extension_decide(extension=extension, actor=office, approve=True, note="同意")
    assert case.settle_due == date(2025, 10, 20)
    assert Extension.objects.get().status == Extension.Status.APPROVED
    assert case.history.first().history_change_reason.startswith("审批延期")


def test_extension_rules(gaoping, staff, register):
    petition = Actor.staff(staff(gaoping, "petition"))
    tax = Actor.staff(staff(gaoping, "tax"))
    case = register(gaoping, petition)
    with pytest.raises(CaseError, match="当前状态"):
        handling.case_extension_request(case=case, actor=tax, workdays=2, reason="x")
    case = handling.case_transfer(case=case, actor=petition, lead_unit=gaoping.units.get(code="tax"))
    case = handling.case_receive(case=case, actor=tax)
    due = case.settle_due
    extension = handling.case_extension_request(case=case, actor=tax, workdays=3, reason="材料不全")
    with pytest.raises(CaseError, match="待审批"):
        handling.case_extension_request(case=case, actor=tax, workdays=1, reason="再延")
    with pytest.raises(CaseError, match="无权"):
        handling.case_extension_decide(extension=extension, actor=tax, approve=True)
    case = handling.case_extension_decide(extension=extension, actor=Actor.staff(staff(gaoping, "office")),
                                          approve=False, note="理由不充分")
    assert case.settle_due == due


def test_deliberation_clock_counts_from_acceptance_over_spring_festival(gaoping, staff, register, clock):
    office = Actor.staff(staff(gaoping, "office"))
    clock("2026-02-11 10:00")
    case = register(gaoping, office, accepted_at=at("2026-02-11 10:00"),
                    tier=gaoping.tiers.get(code="special"))
    clock("2026-02-12 10:00")
    case = handling.case_escalate(case=case, actor=office, reason="重大")
    # 10 working days after Wed 2026-02-11, skipping 春节 (02-15..02-23) and counting the
    # 调休 Saturdays 02-14 and 02-28: 12, 13, 14, 24, 25, 26, 27, 28, 03-02, 03-03.
    assert case.deliberate_due == date(2026, 3, 3)


def test_a_staff_entered_2027_calendar_recomputes_open_deadlines(gaoping, staff, register, clock):
    petition = Actor.staff(staff(gaoping, "petition"))
    clock("2027-02-05 10:00")
    case = register(gaoping, petition, accepted_at=at("2027-02-05 10:00"))
    # Nobody has entered 2027 yet: weekends only, and the deadline says it is provisional.
    assert case.transfer_due == date(2027, 2, 8) and case.due_provisional
    assert "仅供参考" in clock_label(case, date(2027, 2, 5))
    calendar_year_save(year=2027, holidays=[(date(2027, 2, 6 + i), "春节") for i in range(8)],
                       workdays=[], source="国务院办公厅通知")
    case.refresh_from_db()
    assert case.transfer_due == date(2027, 2, 15) and not case.due_provisional
    assert case.history.first().history_change_reason == "工作日历调整，重算办理期限"


def test_the_sweep_reminds_once_per_deadline(gaoping, staff, register, clock):
    petition = Actor.staff(staff(gaoping, "petition"))
    clock("2025-10-09 09:00")
    late = register(gaoping, petition, accepted_at=at("2025-09-30 10:00"))
    soon = register(gaoping, petition, accepted_at=at("2025-10-09 09:00"))
    result = deadlines_sweep(today=date(2025, 10, 10))
    assert (result.warnings, result.overdue) == (1, 1)
    assert Reminder.objects.get(case=late).level == "overdue"
    assert Reminder.objects.get(case=soon).unit.code == "petition"
    again = deadlines_sweep(today=date(2025, 10, 10))
    assert (again.warnings, again.overdue) == (0, 0)
    assert Reminder.objects.count() == 2
    assert late.events.filter(action="remind").count() == 1
    # The next day the warned case becomes overdue: one new reminder, not a repeat.
    assert deadlines_sweep(today=date(2025, 10, 14)).overdue == 1


def test_sweep_command_is_idempotent(gaoping, staff, register, clock, capsys):
    from django.core.management import call_command

    clock("2025-10-09 09:00")
    register(gaoping, Actor.staff(staff(gaoping, "petition")), accepted_at=at("2025-09-30 10:00"))
    call_command("sweep_deadlines", "--today", "2025-10-10")
    assert "超期催办 1 件" in capsys.readouterr().out.strip().splitlines()[-1]
    call_command("sweep_deadlines", "--today", "2025-10-10")
    assert "超期催办 0 件" in capsys.readouterr().out.strip().splitlines()[-1]


def test_history_names_the_actor_also_for_the_public_and_background(gaoping, staff, register):
    from cases.services.intake import case_register

    web = gaoping.channels.get(code="online-form")
    case = case_register(mechanism=gaoping, channel=web, actor=Actor.public("反映人（网上）"),
                         complainant_type="individual", complainant_name="李四",
                         category=gaoping.categories.first(), facts="单位未给我缴社保")
    record = case.history.get()
    assert record.history_user is None and "受理登记（网上受理）" in record.history_change_reason
    event = case.events.get()
    assert event.actor_label == "反映人（网上）" and event.is_public
    tax = staff(gaoping, "office")
    case = handling.case_transfer(case=case, actor=Actor.staff(tax), lead_unit=gaoping.units.get(code="tax"))
    newest, previous = case.history.all()[:2]
    assert newest.history_user == tax
    delta = newest.diff_against(previous)
    changed = {change.field: (change.old, change.new) for change in delta.changes}
    assert changed["status"] == ("accepted", "transferred")
    assert "lead_unit" in changed
