"""The demo seeder's steps: each drives one case one step further through the real services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from cases.actors import Actor
from cases.demo_texts import (  # noqa: F401
    DECISIONS,
    FOLLOW_UPS,
    OBJECTIONS,
    RESULTS,
    SETTLE_METHODS,
    settlement_texts,
)
from cases.models import Case, ComplainantType, Satisfaction
from cases.services import closing, handling, meetings
from cases.services.intake import case_register


def complainant_fields(ctx) -> dict:
    """Who complains in a demo case: the employer itself, or one of its workers."""
    if ctx["as_employer"]:
        name, credit = ctx["employer"]
        return {"complainant_type": ComplainantType.EMPLOYER, "complainant_name": name,
                "complainant_id_number": credit}
    person = ctx["person"]
    return {"complainant_type": ComplainantType.INDIVIDUAL, "complainant_name": person["name"],
            "complainant_id_number": person["id"], "complainant_address": person["address"]}


class DemoSteps:
    """Mixed into the seeder; `self` carries mechanism, rng, staff and units."""

    def _do_register(self, ctx, clock):
        p, person, rng, channel = ctx["plan"], ctx["person"], self.rng, ctx["channel"]
        name, credit = ctx["employer"]
        who = complainant_fields(ctx)
        online = channel.is_online_form
        return case_register(
            mechanism=self.m, channel=channel, category=ctx["category"], **who,
            actor=Actor.public() if online else self.clerk[ctx["accepting"].pk],
            accepting_unit=None if online else ctx["accepting"], accepted_at=clock.now,
            complainant_phone=person["phone"], employer_name=name, employer_credit_code=credit,
            facts=ctx["facts"], request=ctx["request"], people_count=ctx["people"],
            channel_ticket=self._ticket(channel, timezone.localdate(clock.now)), risk_group=p.group,
            risk_public_opinion=(p.group and rng.random() < 0.3) or rng.random() < 0.02,
            risk_safety=p.group and rng.random() < 0.1)

    def _do_classify(self, ctx, clock):
        tier = ctx["plan"].tier
        reason = {"joint": "涉及多个部门职责，需联合处置",
                  "deliberation": "涉及人数多、社会影响大，需集体会商"}.get(tier.route, "")
        return handling.case_classify(case=ctx["case"], actor=self.clerk[ctx["accepting"].pk],
                                      tier=tier, reason=reason)

    def _do_spot(self, ctx, clock):
        return closing.case_settle_on_spot(
            case=ctx["case"], actor=self.clerk[ctx["accepting"].pk],
            feedback_method=self.rng.choice(["oral", "phone"]),
            result=f"当场就{ctx['category'].name}相关政策作出解释，并一次性告知办理材料，反映人表示认可。")

    def _do_transfer(self, ctx, clock):
        case = ctx["case"]
        return handling.case_transfer(case=case, actor=self.clerk[case.accepting_unit_id],
                                      lead_unit=ctx["first_lead"], co_units=ctx["co_units"],
                                      note="请按职责办理并按时反馈")

    def _do_receive(self, ctx, clock):
        case = ctx["case"]
        if case.status != "transferred":
            return case  # the accepting unit leads it and signed for it on transfer
        return handling.case_receive(case=case, actor=self.clerk[case.lead_unit_id])

    def _do_pass_on(self, ctx, clock):
        case, to = ctx["case"], ctx["lead"]
        return handling.case_pass_on(case=case, actor=self.clerk[case.lead_unit_id], to_unit=to,
                                     reason=f"经核实，该事项属于{to.short_name}职责范围")

    def _do_extension(self, ctx, clock):
        case = ctx["case"]
        extension = handling.case_extension_request(
            case=case, actor=self.clerk[case.lead_unit_id], workdays=self.rng.randint(3, 5),
            reason="需调取用人单位历年工资台账并与人社、税务数据比对，无法在时限内办结")
        clock.now += timedelta(minutes=self.rng.randint(20, 120))
        return handling.case_extension_decide(extension=extension, approve=True,
                                              actor=self.clerk[self.office.pk], note="同意延期，请抓紧办理")

    def _do_escalate(self, ctx, clock):
        case = ctx["case"]
        reason = ("涉及人数较多，情况复杂，需提请集体研究" if ctx["plan"].group else
                  "涉及历史遗留欠费核定，本单位无法单独办结")
        actor = self.clerk[case.lead_unit_id or self.office.pk]  # at intake: the office decides
        return handling.case_escalate(case=case, actor=actor, reason=reason)

    def _do_meeting(self, ctx, clock):
        case, office, lead = ctx["case"], self.clerk[self.office.pk], ctx["lead"]
        first = self.leaders[0] if self.leaders else None
        chair = (first.name or first.title) if first else self.office.name
        meeting = meetings.meeting_schedule(
            mechanism=self.m, actor=office, scheduled_at=clock.now, chair=chair, cases=[case],
            place=f"{self.m.office_location or self.office.name}会议室")
        clock.now += timedelta(hours=2)
        present = dict.fromkeys([self.office, lead, *ctx["co_units"], *self.natural])
        decision = self.rng.choice(DECISIONS).format(
            lead=lead.name, employer=ctx["employer"][0], days=self.rng.choice([5, 10, 15]))
        meetings.meeting_record(
            meeting=meeting, actor=office, decisions={case.pk: decision},
            attendees="，".join(f"{u.name} {self.clerk[u.pk].label}" for u in present),
            summary=f"会议研究了{case.number}（{ctx['category'].name}）事项。{lead.name}汇报了"
                    "办理情况，与会单位逐一发表意见，经集体研究形成处理意见。")
        return Case.objects.get(pk=case.pk)

    def _do_report_up(self, ctx, clock):
        return handling.case_report_up(case=ctx["case"], actor=self.clerk[self.office.pk],
                                       reason=f"涉及跨区域欠费追缴，需提请{self.m.escalation_body}协调")

    def _do_opinion(self, ctx, clock):
        lead = ctx["lead"]
        return handling.case_issue_opinion(
            case=ctx["case"], actor=self.clerk[self.office.pk], lead_unit=lead,
            opinion=f"{ctx['case'].opinion}请{lead.name}按上述意见办理，办结后报送办公室。")

    def _do_settle(self, ctx, clock):
        case, rng = ctx["case"], self.rng
        method, result, agreement = settlement_texts(rng, ctx, case.lead_unit.short_name)
        return handling.case_settle(case=case, actor=self.clerk[case.lead_unit_id], method=method,
                                    result=result, agreement=agreement)

    def _do_feedback(self, ctx, clock):
        case, employer = ctx["case"], ctx["employer"][0]
        return closing.case_feedback(
            case=case, actor=self.clerk[case.accepting_unit_id],
            method=self.rng.choice(["phone", "phone", "sms", "written"]),
            content=f"您反映的{ctx['category'].name}问题已办结：{case.result}",
            employer_content=f"已向{employer}反馈处理结果，请按时足额申报缴纳社会保险费。")

    def _do_follow_up(self, ctx, clock):
        satisfaction = self.rng.choices(Satisfaction.values, [60, 25, 15])[0]
        return closing.case_follow_up(case=ctx["case"], satisfaction=satisfaction,
                                      actor=self.clerk[ctx["case"].accepting_unit_id],
                                      comment=FOLLOW_UPS[satisfaction])

    def _do_object(self, ctx, clock):
        return closing.case_object(case=ctx["case"], actor=Actor.public(),
                                   reason=self.rng.choice(OBJECTIONS))

    def _do_guide(self, ctx, clock):
        return closing.case_guide(case=ctx["case"], actor=self.clerk[ctx["case"].accepting_unit_id])

    def _do_archive(self, ctx, clock):
        return closing.case_archive(case=ctx["case"],
                                    actor=self.clerk[ctx["case"].accepting_unit_id])
