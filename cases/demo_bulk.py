"""Bulk demo data for load tests: the same people, employers, texts and plans as cases.demo, but
each case is written in its final state in batches instead of being driven through the services.

What is kept honest: every case gets one history row (type "+", no user, dated when it was
really written, reason saying it was bulk-generated) through simple_history's bulk helper, plus
its co-unit history; timeline events carry the back-dated steps; numbers come from the counter
rows, so normal registration afterwards continues without a gap. What is left out: extensions,
meetings, attachments and notifications (none would be true of invented past cases).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.apps import apps
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cases.actors import Actor
from cases.calendar import add_workdays, is_workday
from cases.clocks import clocks_apply
from cases.demo import ESCALATION, OPEN_CLOCKED, WINDOW_DAYS, Plan, _Seeder
from cases.demo_steps import complainant_fields
from cases.demo_texts import (
    DECISIONS,
    FOLLOW_UPS,
    OBJECTIONS,
    settlement_texts,
)
from cases.models import (
    Case,
    CaseCounter,
    CaseStatus,
    Mechanism,
    Satisfaction,
    TimelineEvent,
)
from cases.services.closing import REMEDY_GUIDANCE
from cases.services.core import public_text
from cases.services.intake import new_query_code
from cases.workflow import TRANSITIONS

HISTORY_REASON = "批量生成演示数据（直接写入当前状态）"
# Cases older than the demo window are closed: an old case still open would be a scandal.
CLOSED = [("fed_back", 6), ("spot", 3), ("followed_up", 14), ("guided", 1), ("archived", 30)]
KEEP_PEOPLE, KEEP_EMPLOYERS = 3000, 200  # bounded pools: repeats stay plausible, memory flat


class _BulkSeeder(_Seeder):
    def __init__(self, mechanism: Mechanism, rng: random.Random, *, months: int):
        super().__init__(mechanism, rng)
        start = self.today - timedelta(days=max(months * 30, WINDOW_DAYS + 30))
        self.recent_from = self.today - timedelta(days=WINDOW_DAYS)
        days = (start + timedelta(days=i) for i in range((self.recent_from - start).days))
        self.old_days = [d for d in days if is_workday(d)]
        tiers = list(mechanism.tiers.prefetch_related("deadlines"))
        self.deadlines = {t.pk: list(t.deadlines.all()) for t in tiers}
        self.public = Actor.public()

    # -- plans ----------------------------------------------------------------------------------

    def old_plans(self, count: int) -> list[Plan]:
        """Plans for cases accepted before the demo window: every one has closed."""
        plans = self.plans(count)
        names, weights = zip(*CLOSED, strict=True)
        for p in plans:
            if p.target in OPEN_CLOCKED | ESCALATION | {"settled", "objected"}:
                p.target = self._feasible(self.rng.choices(names, weights)[0])
                if p.target == "spot":
                    p.target = "archived"  # its tier was planned for handling, not the spot
                p.overdue = False
                p.steps = self._steps(p)
        return plans

    def old_day(self, lo: int, hi: int) -> date:
        return self.old_days[self.rng.randrange(lo, hi)]

    def trim(self) -> None:
        # Employer names come from ~1,000 combinations and must differ from those kept.
        if len(self.employers) > KEEP_EMPLOYERS + 100:
            del self.employers[:-KEEP_EMPLOYERS]
        if len(self.people) > KEEP_PEOPLE + 1000:
            del self.people[:-KEEP_PEOPLE]

    # -- one case, walked through its steps in memory ---------------------------------------------

    def build(self, p: Plan, day: date) -> tuple[Case, list[TimelineEvent], list]:
        self.trim()
        ctx, at = self._context(p), None
        ctx["events"] = []
        for name, gap in p.steps:
            if name == "extension":
                continue  # no Extension rows in bulk data, so no extension events either
            day = add_workdays(day, gap)
            now = self._moment(day, at)
            getattr(self, f"_put_{name}")(ctx, now)
            at = now
        case = ctx["case"]
        clocks_apply(case, deadlines=self.deadlines.get(case.tier_id, []), extensions={})
        return case, ctx["events"], ctx.get("co_set", [])

    def _event(self, ctx, name: str, actor: Actor, unit, now: datetime, note: str = "",
               public_values: dict | None = None) -> TimelineEvent:
        case, transition = ctx["case"], TRANSITIONS[name]
        before = case.status if name != "register" else ""
        if transition.target:
            case.status = transition.target
        text = public_text(transition, case, **(public_values or {}))
        event = TimelineEvent(case=case, at=now, action=name, actor=actor.history_user,
                              actor_label=actor.label, unit=unit, from_status=before,
                              to_status=case.status, note=note, is_public=bool(text),
                              public_text=text[:300], data={})
        ctx["events"].append(event)
        return event

    def _clerk(self, unit) -> Actor:
        return self.clerk[unit.pk]

    def _put_register(self, ctx, now):
        p, person, rng, channel = ctx["plan"], ctx["person"], self.rng, ctx["channel"]
        name, credit = ctx["employer"]
        who = complainant_fields(ctx)
        online = channel.is_online_form
        unit = self.office if online else ctx["accepting"]
        actor = self.public if online else self._clerk(unit)
        ticket = self._ticket(channel, timezone.localdate(now))
        ctx["case"] = Case(
            mechanism=self.m, year=timezone.localdate(now).year, query_code=new_query_code(),
            channel=channel, channel_ticket=ticket, accepting_unit=unit,
            accepted_by=actor.history_user, accepted_at=now, complainant_phone=person["phone"],
            employer_name=name, employer_credit_code=credit, category=ctx["category"],
            facts=ctx["facts"], request=ctx["request"], people_count=ctx["people"],
            tier=self.default, status=CaseStatus.ACCEPTED, risk_group=p.group,
            risk_public_opinion=(p.group and rng.random() < 0.3) or rng.random() < 0.02,
            risk_safety=p.group and rng.random() < 0.1, **who)
        # The public text names the number, which is only known once the batch is numbered.
        ctx["register"] = self._event(
            ctx, "register", actor, unit, now,
            note=f"经{channel.name}受理" + (f"，工单号 {ticket}" if ticket else ""))

    def _put_classify(self, ctx, now):
        case, tier = ctx["case"], ctx["plan"].tier
        case.tier = tier
        case.tier_reason = {"joint": "涉及多个部门职责，需联合处置",
                            "deliberation": "涉及人数多、社会影响大，需集体会商"}.get(tier.route, "")
        self._event(ctx, "classify", self._clerk(case.accepting_unit), case.accepting_unit, now,
                    note=case.tier_reason)

    def _put_spot(self, ctx, now):
        case = ctx["case"]
        case.tier = self.route["on_the_spot"]
        result = f"当场就{ctx['category'].name}相关政策作出解释，并一次性告知办理材料，反映人表示认可。"
        case.settlement_method, case.result = "explanation", result
        case.settled_at = case.fed_back_at = now
        case.settled_by_unit = case.lead_unit = case.accepting_unit
        case.feedback_method, case.feedback_content = self.rng.choice(["oral", "phone"]), result
        self._event(ctx, "settle_on_spot", self._clerk(case.accepting_unit), case.accepting_unit,
                    now, note=result)

    def _put_transfer(self, ctx, now):
        case, lead = ctx["case"], ctx["first_lead"]
        case.lead_unit, case.transferred_at, case.received_at = lead, now, None
        ctx["co_set"] = [u for u in ctx["co_units"] if u != lead]
        self._event(ctx, "transfer", self._clerk(case.accepting_unit), case.accepting_unit, now,
                    note="请按职责办理并按时反馈", public_values={"unit": lead.name})
        if lead == case.accepting_unit:  # the unit transferring to itself signs for it at once
            self._receive(ctx, now, note="本单位受理并办理")

    def _receive(self, ctx, now, note=""):
        case = ctx["case"]
        case.received_at = now
        self._event(ctx, "receive", self._clerk(case.lead_unit), case.lead_unit, now, note=note)

    def _put_receive(self, ctx, now):
        if ctx["case"].status == CaseStatus.TRANSFERRED:
            self._receive(ctx, now)

    def _put_pass_on(self, ctx, now):
        case, to = ctx["case"], ctx["lead"]
        actor, unit = self._clerk(case.lead_unit), case.lead_unit
        case.lead_unit, case.transferred_at, case.received_at = to, now, None
        self._event(ctx, "pass_on", actor, unit, now,
                    note=f"经核实，该事项属于{to.short_name}职责范围", public_values={"unit": to.name})

    def _put_escalate(self, ctx, now):
        case = ctx["case"]
        name = "escalate_at_intake" if case.status == CaseStatus.ACCEPTED else "escalate"
        unit = case.lead_unit or self.office
        case.tier, case.escalated_at = self.route["deliberation"], now
        case.lead_unit = case.lead_unit or self.office
        note = ("涉及人数较多，情况复杂，需提请集体研究" if ctx["plan"].group else
                "涉及历史遗留欠费核定，本单位无法单独办结")
        self._event(ctx, name, self._clerk(unit), unit, now, note=note)

    def _put_meeting(self, ctx, now):
        case = ctx["case"]
        case.opinion = self.rng.choice(DECISIONS).format(
            lead=ctx["lead"].name, employer=ctx["employer"][0], days=self.rng.choice([5, 10, 15]))
        self._event(ctx, "record_decision", self._clerk(self.office), self.office, now,
                    note=case.opinion)

    def _put_report_up(self, ctx, now):
        self._event(ctx, "report_up", self._clerk(self.office), self.office, now,
                    note=f"涉及跨区域欠费追缴，需提请{self.m.escalation_body}协调")

    def _put_opinion(self, ctx, now):
        case, lead = ctx["case"], ctx["lead"]
        case.opinion = f"{case.opinion}请{lead.name}按上述意见办理，办结后报送办公室。"
        case.lead_unit = lead
        self._event(ctx, "issue_opinion", self._clerk(self.office), self.office, now)

    def _put_settle(self, ctx, now):
        case, rng = ctx["case"], self.rng
        method, result, agreement = settlement_texts(rng, ctx, case.lead_unit.short_name)
        case.settlement_method, case.settlement_agreement, case.result = method, agreement, result
        case.settled_at, case.settled_by_unit = now, case.lead_unit
        self._event(ctx, "settle", self._clerk(case.lead_unit), case.lead_unit, now, note=result)

    def _put_feedback(self, ctx, now):
        case = ctx["case"]
        case.feedback_method = self.rng.choice(["phone", "phone", "sms", "written"])
        case.feedback_content = f"您反映的{ctx['category'].name}问题已办结：{case.result}"
        case.employer_feedback = f"已向{ctx['employer'][0]}反馈处理结果，请按时足额申报缴纳社会保险费。"
        case.fed_back_at = now
        self._event(ctx, "feedback", self._clerk(case.accepting_unit), case.accepting_unit, now,
                    note=case.feedback_content)

    def _put_follow_up(self, ctx, now):
        case = ctx["case"]
        case.satisfaction = self.rng.choices(Satisfaction.values, [60, 25, 15])[0]
        case.follow_up_comment, case.followed_up_at = FOLLOW_UPS[case.satisfaction], now
        self._event(ctx, "follow_up", self._clerk(case.accepting_unit), case.accepting_unit, now,
                    note=case.follow_up_comment)

    def _put_object(self, ctx, now):
        ctx["case"].objection_reason = self.rng.choice(OBJECTIONS)
        self._event(ctx, "object", self.public, None, now, note=ctx["case"].objection_reason)

    def _put_guide(self, ctx, now):
        case = ctx["case"]
        case.remedy_guidance = REMEDY_GUIDANCE
        self._event(ctx, "guide", self._clerk(case.accepting_unit), case.accepting_unit, now,
                    note=REMEDY_GUIDANCE)

    def _put_archive(self, ctx, now):
        case = ctx["case"]
        ctx["archive"] = True
        self._event(ctx, "archive", self._clerk(case.accepting_unit), case.accepting_unit, now)


def _number(cases: list[Case], counters: dict[int, CaseCounter], prefix: str) -> None:
    """Take the next numbers in acceptance order; the counters are saved by the caller."""
    for case in cases:
        counter = counters[case.year]
        counter.last_value += 1
        case.seq = counter.last_value
        case.number = f"{prefix}-{case.year}-{case.seq:06d}"
        if case.status == CaseStatus.ARCHIVED:
            case.archive_number = f"{case.year}-{prefix}-{case.seq:06d}"


def _write(built: list[tuple[Case, list, list]], mechanism: Mechanism) -> None:
    """One batch in one transaction: numbers, cases with history, co-units, events."""
    years = sorted({case.year for case, _, _ in built})
    for year in years:
        CaseCounter.objects.get_or_create(mechanism=mechanism, year=year)
    counters = {c.year: c for c in CaseCounter.objects.select_for_update()
                .filter(mechanism=mechanism, year__in=years)}
    cases = [case for case, _, _ in built]
    _number(cases, counters, mechanism.case_prefix)
    CaseCounter.objects.bulk_update(counters.values(), ["last_value"])
    for case, events, _ in built:
        register = events[0]
        register.public_text = f"您反映的事项已由{register.unit.name}受理，受理编号 {case.number}"
    if connection.vendor == "postgresql":
        _copy_with_history(cases)
    else:
        bulk_create_with_history(cases, Case, batch_size=2000,
                                 default_change_reason=HISTORY_REASON, default_date=timezone.now())
    through = Case.co_units.through
    links = [through(case_id=case.pk, unit_id=u.pk) for case, _, co in built for u in co]
    if links:
        through.objects.bulk_create(links, batch_size=5000)
        history_of = dict(Case.history.filter(id__in={x.case_id for x in links}, history_type="+")
                          .values_list("id", "history_id"))
        m2m_history = apps.get_model("cases", "HistoricalCase_co_units")
        m2m_history.objects.bulk_create(
            [m2m_history(id=x.pk, case_id=x.case_id, unit_id=x.unit_id,
                         history_id=history_of[x.case_id]) for x in links], batch_size=5000)
    events = [e for _, evs, _ in built for e in evs]
    for event in events:
        event.case_id = event.case.pk
    if connection.vendor == "postgresql":
        _copy(TimelineEvent, events, with_ids=False)
    else:
        TimelineEvent.objects.bulk_create(events, batch_size=5000)


# -- PostgreSQL: COPY instead of INSERT (bulk_create spends most of its time building SQL) -------

def _copy(model, objs: list, *, with_ids: bool) -> None:
    """COPY rows with the values Django would write (pre_save, then get_db_prep_save: so the
    encrypted columns and their blind indexes are filled exactly as by save())."""
    table, pk = model._meta.db_table, model._meta.pk
    fields = [f for f in model._meta.concrete_fields if with_ids or f is not pk]
    with connection.cursor() as cursor:
        if with_ids:
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                           "FROM generate_series(1, %s)", [table, pk.column, len(objs)])
            for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = value
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection)
                                for f in fields])
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias


def _copy_with_history(cases: list[Case]) -> None:
    """Cases by COPY, then their "+" history rows copied from the rows just written: the same
    content bulk_create_with_history would write (no user, this reason, the real time)."""
    _copy(Case, cases, with_ids=True)
    history = Case.history.model
    columns = ", ".join(connection.ops.quote_name(f.column)
                        for f in history._meta.concrete_fields if not f.name.startswith("history_"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history._meta.db_table} ({columns}, history_date, "
            f"history_change_reason, history_type, history_user_id) "
            f"SELECT {columns}, %s, %s, '+', NULL FROM {Case._meta.db_table} WHERE id = ANY(%s)",
            [timezone.now(), HISTORY_REASON, [case.pk for case in cases]])


def bulk_seed_cases(*, mechanism: Mechanism, count: int, rng: random.Random, months: int = 24,
                    batch: int = 5000, progress: Callable[[int], object] | None = None) -> Counter:
    """Write `count` cases for `mechanism` spread over the last `months` months: those inside the
    demo window (~120 days) in every status as seed_cases plans them, older ones closed.
    Returns the new cases counted by status."""
    seeder = _BulkSeeder(mechanism, rng, months=months)
    old_n, recent_n = len(seeder.old_days), max(1, seeder.window)
    n_old = count * old_n // (old_n + recent_n)
    counts: Counter = Counter()

    def emit(pairs):
        pairs.sort(key=lambda pd: pd[1])  # numbered in acceptance order, as a register would be
        start = 0
        while start < len(pairs):
            end = min(start + batch, len(pairs))
            while end < len(pairs) and pairs[end][1] == pairs[end - 1][1]:
                end += 1  # a day never spans two batches: its numbers follow the clock
            built = [seeder.build(p, day) for p, day in pairs[start:end]]
            start = end
            built.sort(key=lambda b: b[0].accepted_at)
            with transaction.atomic():
                _write(built, mechanism)
            counts.update(str(case.status) for case, _, _ in built)
            if progress is not None:
                progress(len(built))

    # Old cases in chronological slices, so numbers follow acceptance order across batches.
    slices = max(1, -(-n_old // batch))
    for i in range(slices):
        n = n_old * (i + 1) // slices - n_old * i // slices
        lo, hi = old_n * i // slices, max(old_n * (i + 1) // slices, old_n * i // slices + 1)
        emit([(p, seeder.old_day(lo, hi)) for p in seeder.old_plans(n)] if n else [])
    plans = seeder.plans(count - n_old)
    emit([(p, seeder.first_day(p)) for p in plans])
    return counts
