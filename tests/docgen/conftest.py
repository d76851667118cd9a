"""Real records for the document tests: cases walked through the case services, a held meeting,
an overdue case for the 通报 — for either seed mechanism."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from docx import Document as Docx

from cases.actors import Actor
from cases.identity import make_credit_code
from cases.models import Case, Meeting
from cases.services import closing, handling
from cases.services.meetings import meeting_record, meeting_schedule
from tests.cases import conftest as case_fixtures
from tests.cases.conftest import at

# the case engine's fixtures, shared (pytest_plugins is only allowed in the root conftest)
gaoping, yuanjiang = case_fixtures.gaoping, case_fixtures.yuanjiang
staff, leader, register = case_fixtures.staff, case_fixtures.leader, case_fixtures.register

EMPLOYER = "某建材有限公司"


@dataclass
class Records:
    mechanism: object
    office: Actor  # office staff allowed to sign
    clerk: Actor  # the accepting unit (信访)
    handler: Actor  # the lead unit (税务)
    settled: Case  # fed back; has an employer
    decided: Case  # deliberated at `meeting`
    meeting: Meeting
    period: str  # a month with an overdue case


def office_code(mechanism) -> str:
    return mechanism.office_unit.code


@pytest.fixture
def signer(staff):
    """signer(mechanism) -> an office user holding docgen.sign_document."""

    def make(mechanism, name: str = ""):
        user = staff(mechanism, office_code(mechanism), name or f"{mechanism.slug}_signer")
        user.first_name = "签发人"
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="sign_document"))
        return user

    return make


def build_records(mechanism, staff, register, signer_user) -> Records:
    rng = random.Random(11)
    office = Actor.staff(signer_user)
    clerk = Actor.staff(staff(mechanism, "petition"))
    handler = Actor.staff(staff(mechanism, "tax"))
    tax, hrss = mechanism.units.get(code="tax"), mechanism.units.get(code="hrss")

    settled = register(mechanism, clerk, employer_name=mechanism.region + EMPLOYER,
                       employer_credit_code=make_credit_code(rng))
    settled = handling.case_transfer(case=settled, actor=clerk, lead_unit=tax, co_units=[hrss])
    settled = handling.case_receive(case=settled, actor=handler)
    settled = handling.case_settle(case=settled, actor=handler, method="correction",
                                   result="经核实，滞纳金系单位迟报所致，已由单位承担。")
    settled = closing.case_feedback(
        case=settled, actor=clerk, method="written",
        content=f"{settled.complainant_name}同志：经核实，滞纳金由单位承担，多收部分已退还。",
        employer_content=f"经核实，贵单位未按时为{settled.complainant_name}申报，"
                         f"滞纳金由贵单位承担。联系电话{settled.complainant_phone}。")

    decided = register(mechanism, clerk, category=mechanism.categories.get(code="benefits"))
    decided = handling.case_transfer(case=decided, actor=clerk, lead_unit=hrss)
    decided = handling.case_receive(case=decided, actor=Actor.staff(staff(mechanism, "hrss")))
    decided = handling.case_escalate(case=decided, actor=Actor.staff(staff(mechanism, "hrss")),
                                     reason="涉及统模式前历史欠费，本部门无法办结。")
    meeting = meeting_schedule(mechanism=mechanism, actor=office, scheduled_at=at("2026-11-20 09:00"),
                               place="税务局三楼会议室", chair="常务副市长张志刚", cases=[decided])
    meeting = meeting_record(meeting=meeting, actor=office, attendees="张志刚，陈卫东（税务局）",
                             absentees="秦国庆（信访局，公务外出）",
                             decisions={decided.pk: "由人社局核定补缴金额，税务局据此征收。"})
    decided.refresh_from_db()

    # accepted two months ago and never transferred: its 1-day transfer clock ran out long ago
    past = timezone.localdate() - timedelta(days=60)
    register(mechanism, clerk, accepted_at=at(f"{past:%Y-%m-%d} 10:00"))
    return Records(mechanism=mechanism, office=office, clerk=clerk, handler=handler,
                   settled=settled, decided=decided, meeting=meeting, period=f"{past:%Y-%m}")


@pytest.fixture(params=["gaoping", "yuanjiang"])
def records(request, staff, register, signer, db) -> Records:
    from cases.services.mechanisms import mechanism_load

    mechanism = mechanism_load(source=request.param).mechanism
    return build_records(mechanism, staff, register, signer(mechanism))


def read_docx(version) -> Docx:
    with version.file.open("rb") as handle:
        return Docx(BytesIO(handle.read()))
