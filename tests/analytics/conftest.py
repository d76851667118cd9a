"""Fixtures for analytics: the case-engine fixtures, a settable clock, and a small known
dataset of 高平 cases whose every figure is worked out by hand in the tests."""

import random
from dataclasses import dataclass
from datetime import date

import pytest
from django.utils import timezone

from cases.actors import Actor
from cases.identity import make_credit_code, make_resident_id
from cases.services import closing, handling
from cases.services.deadlines import deadlines_sweep
from tests.cases.conftest import at, gaoping, leader, register, staff, yuanjiang  # noqa: F401

RNG = random.Random(2025)
P1 = make_resident_id(RNG)  # complains twice: a repeat complainant
P2 = make_resident_id(RNG)
E1 = make_credit_code(RNG)  # two cases
E2 = make_credit_code(RNG)


@pytest.fixture
def clock(monkeypatch):
    """clock("2025-10-09 09:00") makes the services see that moment as now."""
    def set_now(text: str):
        moment = at(text)
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment
    return set_now


@dataclass
class Dataset:
    mechanism: object
    a: object
    b: object
    c: object
    d: object
    e: object
    f: object
    actors: dict
    today: date


@pytest.fixture
def dataset(gaoping, staff, register, clock):  # noqa: F811
    """高平, 2025-Q3 (A–D) plus one case on each side of the quarter (E, F).

    A  09-30 petition → tax 10-09 (1 wd, on time) → settled 10-17 (late) → fed back 10-20, 满意
    B  07-01 tax, transferred to itself at once (0 wd) → settled 07-03 → fed back 07-04, 不满意
    C  08-15 petition → hrss 08-19 (2 wd, late), still in progress: overdue since 08-26
    D  09-10 office, settled on the spot (0 wd), not rated
    E  06-30 (Q2) and F 10-09 (Q4): outside the quarter
    """
    petition, tax, hrss, office = (Actor.staff(staff(gaoping, code))
                                   for code in ("petition", "tax", "hrss", "office"))
    units = {u.code: u for u in gaoping.units.all()}
    cat = {c.code: c for c in gaoping.categories.all()}
    channel = {c.code: c for c in gaoping.channels.all()}

    def new(actor, when, **values):
        clock(when)
        return register(gaoping, actor, accepted_at=at(when), **values)

    b = new(tax, "2025-07-01 09:00", category=cat["contribution-amount"],
            channel=channel["hotline-12366"], complainant_id_number=P2, employer_name="甲公司",
            employer_credit_code=E1)
    clock("2025-07-01 10:00")
    b = handling.case_transfer(case=b, actor=tax, lead_unit=units["tax"])
    clock("2025-07-03 15:00")
    b = handling.case_settle(case=b, actor=tax, method="explanation", result="已解释政策")
    clock("2025-07-04 09:00")
    b = closing.case_feedback(case=b, actor=tax, method="phone", content="电话告知")
    clock("2025-07-07 09:00")
    b = closing.case_follow_up(case=b, actor=tax, satisfaction="unsatisfied")

    c = new(petition, "2025-08-15 09:00", category=cat["late-fee"], complainant_id_number=P1,
            employer_name="乙公司", employer_credit_code=E2)
    clock("2025-08-18 17:00")
    deadlines_sweep(today=date(2025, 8, 18))  # transfer due today: 临期提醒 to 信访
    clock("2025-08-19 09:00")
    c = handling.case_transfer(case=c, actor=petition, lead_unit=units["hrss"])
    c = handling.case_receive(case=c, actor=hrss)
    clock("2025-08-27 08:00")
    deadlines_sweep(today=date(2025, 8, 27))  # settle due 08-26: 超期催办 to 人社

    d = new(office, "2025-09-10 11:00", category=cat["other"], channel=channel["service-hall"])
    clock("2025-09-10 11:30")
    d = closing.case_settle_on_spot(case=d, actor=office, result="当场解释", feedback_method="oral")

    a = new(petition, "2025-09-30 10:00", category=cat["late-fee"], complainant_id_number=P1,
            employer_name="甲公司", employer_credit_code=E1)
    clock("2025-10-09 16:00")
    a = handling.case_transfer(case=a, actor=petition, lead_unit=units["tax"])
    clock("2025-10-10 09:00")
    a = handling.case_receive(case=a, actor=tax)
    clock("2025-10-17 10:00")
    a = handling.case_settle(case=a, actor=tax, method="correction", result="已更正核定")
    clock("2025-10-20 09:00")
    a = closing.case_feedback(case=a, actor=petition, method="phone", content="电话告知")
    clock("2025-10-21 09:00")
    a = closing.case_follow_up(case=a, actor=petition, satisfaction="satisfied")

    e = new(petition, "2025-06-30 09:00", category=cat["late-fee"])
    f = new(petition, "2025-10-09 09:00", category=cat["late-fee"])
    clock("2025-10-22 09:00")
    return Dataset(gaoping, a, b, c, d, e, f,
                   {"petition": petition, "tax": tax, "hrss": hrss, "office": office},
                   date(2025, 10, 22))
