"""Early warnings: each rule triggers, never twice on a rescan, notifies the office (and the
police where the rule says so), and is acknowledged with a note."""

import random
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

import analytics.services
from analytics.errors import AnalyticsError
from analytics.models import Warning, WarningRule
from analytics.selectors import warnings_for_case
from analytics.services import warning_acknowledge, warnings_check_case, warnings_scan
from cases.actors import Actor
from cases.confcache import config_changed
from cases.identity import make_credit_code
from cases.mechanism_schema import MechanismFileError
from cases.services.mechanisms import mechanism_load
from tests.cases.conftest import at

pytestmark = pytest.mark.django_db

OFFICE_PHONE, POLICE_PHONE = "13800000001", "13800000110"


@pytest.fixture
def sent(monkeypatch):
    """Every notification the warnings enqueue, as keyword arguments."""
    calls = []
    monkeypatch.setattr(analytics.services, "notification_enqueue", lambda **kw: calls.append(kw))
    return calls


@pytest.fixture
def liaisons(gaoping):
    gaoping.units.filter(code="office").update(liaison_phone=OFFICE_PHONE)
    gaoping.units.filter(code="police").update(liaison_phone=POLICE_PHONE)
    config_changed()  # .update() sends no signal; the recipients are cached configuration
    return gaoping


@pytest.fixture
def clerk(gaoping, staff):
    return Actor.staff(staff(gaoping, "petition"))


@pytest.fixture
def office(gaoping, staff):
    return Actor.staff(staff(gaoping, "office"))


def test_rules_come_from_the_mechanism_file_and_reload_idempotently(gaoping, yuanjiang):
    rules = {r.code: r for r in gaoping.warning_rules.all()}
    assert set(rules) == {"employer-repeat", "group-size", "category-spike"}
    assert rules["employer-repeat"].params == {"min_cases": 3, "days": 30}
    assert rules["group-size"].notify_police and not rules["employer-repeat"].notify_police
    assert rules["category-spike"].values() == {"factor": 2.0, "weeks": 8, "min_count": 5}
    assert yuanjiang.warning_rules.count() == 3
    history = WarningRule.history.count()
    again = mechanism_load(source="gaoping")
    assert not again.changed and WarningRule.history.count() == history


def test_a_file_without_rules_gets_the_defaults_once_and_admin_edits_survive(tmp_path):
    from tests.cases.test_mechanisms import THIRD_CITY

    path = tmp_path / "testcounty.yaml"
    path.write_text(THIRD_CITY, encoding="utf-8")
    mechanism = mechanism_load(source=str(path)).mechanism
    assert {r.kind: r.values() for r in mechanism.warning_rules.all()} == {
        "employer_repeat": {"min_cases": 3, "days": 30}, "group_size": {"min_people": 10},
        "category_spike": {"factor": 2.0, "weeks": 8, "min_count": 5}}
    mechanism.warning_rules.filter(kind="group_size").update(params={"min_people": 30})
    assert not mechanism_load(source=str(path)).changed
    assert mechanism.warning_rules.get(kind="group_size").params == {"min_people": 30}


def test_bad_rule_params_are_refused_with_their_line(tmp_path):
    from tests.cases.test_mechanisms import THIRD_CITY

    text = THIRD_CITY + ("warning_rules:\n  - code: big\n    kind: group_size\n"
                         "    params:\n      min_people: 1\n")
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MechanismFileError, match=r"第\d+行.*min_people.*不能小于 2"):
        mechanism_load(source=str(path))
    line = text.splitlines().index("      min_people: 1") + 1
    with pytest.raises(MechanismFileError, match=f"第{line}行"):
        mechanism_load(source=str(path))
    path.write_text(THIRD_CITY + "warning_rules:\n  - {code: x, kind: group_size, params: {size: 3}}\n",
                    encoding="utf-8")
    with pytest.raises(MechanismFileError, match="未知的参数"):
        mechanism_load(source=str(path))


def test_admin_edits_of_params_are_validated(gaoping):
    rule = gaoping.warning_rules.get(code="employer-repeat")
    rule.params = {"min_cases": "three"}
    with pytest.raises(ValidationError, match="整数"):
        rule.full_clean()
    rule.params = {"days": 7}
    rule.full_clean()
    assert rule.params == {"min_cases": 3, "days": 7}


# --- employer_repeat -------------------------------------------------------------------------


def test_employer_repeat_warns_once_then_again_only_for_new_cases(liaisons, clerk, office, register,
                                                                  sent):
    gaoping = liaisons
    code = make_credit_code(random.Random(5))
    today = date(2025, 11, 20)
    cases = [register(gaoping, clerk, employer_name="丙公司", employer_credit_code=code,
                      accepted_at=at(f"2025-11-{day} 10:00")) for day in ("03", "12")]
    register(gaoping, clerk, employer_name="丙公司", employer_credit_code=code,
             accepted_at=at("2025-10-01 10:00"))  # outside the 30 days
    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 0
    cases.append(register(gaoping, clerk, employer_name="丙公司", employer_credit_code=code,
                          accepted_at=at("2025-11-20 09:00")))
    result = warnings_scan(mechanism=gaoping, today=today)
    assert result.counts["created"] == 1
    warning = Warning.objects.get(rule__kind="employer_repeat")
    assert warning.key == code and set(warning.cases.all()) == set(cases)
    assert "丙公司" in warning.message and "3 件" in warning.message
    assert [c["recipient"] for c in sent] == [OFFICE_PHONE]  # no police for this rule
    assert sent[0]["channel"] == "sms" and sent[0]["dedupe_key"] == f"warning-{warning.pk}-office"
    assert sent[0]["case"] is None and "丙公司" in sent[0]["body"]

    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 0  # no duplicate
    assert Warning.objects.count() == 1 and len(sent) == 1

    warning_acknowledge(warning=warning, actor=office, note="已约谈该单位，责令限期整改")
    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 0
    register(gaoping, clerk, employer_name="丙公司", employer_credit_code=code,
             accepted_at=at("2025-11-20 11:00"))
    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 1  # a new case
    assert Warning.objects.filter(acknowledged_at=None).count() == 1 and len(sent) == 2


# --- group_size ------------------------------------------------------------------------------


def test_group_size_warns_at_registration_and_tells_the_police(liaisons, clerk, office, register,
                                                               sent):
    gaoping = liaisons
    small = register(gaoping, clerk, people_count=9)
    assert not warnings_for_case(small) and not sent
    big = register(gaoping, clerk, people_count=12, risk_group=True)
    warning = Warning.objects.get()
    assert (warning.rule.kind, warning.key, list(warning.cases.all())) == ("group_size", big.number, [big])
    assert "12 人" in warning.message
    assert sorted(c["recipient"] for c in sent) == [OFFICE_PHONE, POLICE_PHONE]
    assert all(c["case"] == big and c["event"] == "warning" for c in sent)
    assert warnings_for_case(big) == [warning]
    assert warnings_scan(mechanism=gaoping).counts["created"] == 0
    assert warnings_check_case(case=big) == 0 and Warning.objects.count() == 1

    with pytest.raises(AnalyticsError, match="处理意见"):
        warning_acknowledge(warning=warning, actor=office, note="  ")
    with pytest.raises(AnalyticsError, match="办公室"):
        warning_acknowledge(warning=warning, actor=clerk, note="已知悉")
    warning = warning_acknowledge(warning=warning, actor=office, note="已会同公安做好稳控")
    assert warning.acknowledged_by == office.user and warning.note == "已会同公安做好稳控"
    with pytest.raises(AnalyticsError, match="已处理"):
        warning_acknowledge(warning=warning, actor=office, note="再次处理")
    assert warnings_scan(mechanism=gaoping).counts["created"] == 0  # a case warns once


def test_a_changed_liaison_phone_gets_the_next_warning(liaisons, clerk, register, sent):
    register(liaisons, clerk, people_count=12)
    assert OFFICE_PHONE in [c["recipient"] for c in sent]
    office_unit = liaisons.units.get(code="office")
    office_unit.liaison_phone = "13800000002"  # as edited in the admin
    office_unit.save()
    sent.clear()
    register(liaisons, clerk, people_count=15)
    assert sorted(c["recipient"] for c in sent) == ["13800000002", POLICE_PHONE]


def test_inactive_rules_and_missing_liaisons(gaoping, clerk, register, sent, caplog):
    gaoping.warning_rules.filter(kind="group_size").update(is_active=False)
    register(gaoping, clerk, people_count=50)
    assert not Warning.objects.exists()
    gaoping.warning_rules.filter(kind="group_size").update(is_active=True)
    with caplog.at_level("DEBUG", logger="analytics.services"):
        warnings_scan(mechanism=gaoping)
    assert Warning.objects.count() == 1 and not sent  # the office has a landline only, the police none
    assert "未登记联络员手机" in caplog.text


def test_a_failing_rule_never_blocks_registration(gaoping, clerk, register, monkeypatch):
    from analytics import services

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "warnings_check_case", broken)
    case = register(gaoping, clerk, people_count=20)
    assert case.pk and not Warning.objects.exists()


# --- category_spike --------------------------------------------------------------------------


def test_category_spike_against_the_moving_average(liaisons, clerk, office, register, sent):
    gaoping = liaisons
    today = date(2025, 11, 20)  # Thursday; the week starts Monday 11-17
    monday = today - timedelta(days=today.weekday())
    for week in range(1, 9):  # one late-fee case a week for the previous eight weeks
        day = monday - timedelta(weeks=week) + timedelta(days=1)
        register(gaoping, clerk, accepted_at=at(f"{day.isoformat()} 10:00"))
    this_week = [register(gaoping, clerk, accepted_at=at(f"2025-11-{d} 10:00")) for d in (17, 18, 19, 20)]
    register(gaoping, clerk, category=gaoping.categories.get(code="refund"),
             accepted_at=at("2025-11-18 10:00"))
    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 0  # 4 < min 5
    this_week.append(register(gaoping, clerk, accepted_at=at("2025-11-20 08:30")))
    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 1
    warning = Warning.objects.get()
    assert warning.key == "late-fee@2025-W47"
    assert set(warning.cases.all()) == set(this_week)
    assert "本周" in warning.message and "5 件" in warning.message and "1.0 件" in warning.message
    assert [c["recipient"] for c in sent] == [OFFICE_PHONE]

    this_week.append(register(gaoping, clerk, accepted_at=at("2025-11-20 09:30")))
    assert warnings_scan(mechanism=gaoping, today=today).counts["updated"] == 1  # extended
    assert warning.cases.count() == 6 and Warning.objects.count() == 1 and len(sent) == 1
    warning_acknowledge(warning=warning, actor=office, note="系政策调整集中咨询，已统一答复口径")
    register(gaoping, clerk, accepted_at=at("2025-11-20 10:30"))
    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 0  # once a week


def test_factor_decides_when_the_average_is_high(gaoping, clerk, register):
    gaoping.warning_rules.filter(kind="category_spike").update(
        params={"factor": 2, "weeks": 2, "min_count": 1})
    today = date(2025, 11, 20)
    for day in ("2025-11-04", "2025-11-05", "2025-11-11", "2025-11-12"):  # 2 a week
        register(gaoping, clerk, accepted_at=at(f"{day} 10:00"))
    for day in ("2025-11-17", "2025-11-18", "2025-11-19"):
        register(gaoping, clerk, accepted_at=at(f"{day} 10:00"))
    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 0  # 3 < 2 × 2
    register(gaoping, clerk, accepted_at=at("2025-11-20 10:00"))
    assert warnings_scan(mechanism=gaoping, today=today).counts["created"] == 1


def test_scan_command_prints_its_summary_last(gaoping, clerk, register, capsys):
    register(gaoping, clerk, people_count=15)
    Warning.objects.all().delete()
    call_command("scan_warnings", "--mechanism", "gaoping", "--date", "2025-11-20")
    out = capsys.readouterr().out.strip().splitlines()
    assert out[-1].startswith("2025-11-20 预警扫描完成：新增预警 1 条")
    call_command("scan_warnings")
    assert "新增预警 0 条" in capsys.readouterr().out


def test_warnings_reach_the_outbox(liaisons, clerk, register):
    from notifications.models import Outbox

    case = register(liaisons, clerk, people_count=12)
    rows = Outbox.objects.filter(event="warning")
    assert sorted(rows.values_list("recipient", flat=True)) == [OFFICE_PHONE, POLICE_PHONE]
    assert all(row.channel == "sms" and case.number in row.body for row in rows)
    warnings_scan(mechanism=liaisons)
    assert rows.count() == 2  # no second message on a rescan
