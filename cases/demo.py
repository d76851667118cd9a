"""Demo data: plausible people, employers and complaints, driven through the real services to a
spread of statuses. Deterministic for a given random.Random; prints nothing (seed_demo does)."""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from cases.actors import Actor
from cases.calendar import add_workdays, workdays_between
from cases.clocks import default_tier, workdays_before
from cases.demo_steps import DemoSteps
from cases.demo_texts import (  # noqa: F401 — tables re-exported for tests
    BRANDS,
    DECISIONS,
    EMPLOYER_TEXTS,
    FOLLOW_UPS,
    GIVEN,
    GROUP_TEXTS,
    INDUSTRIES,
    KEYWORDS,
    OBJECTIONS,
    OTHER_CITIES,
    PROVINCE_INDUSTRIES,
    REGION_CODES,
    RESULTS,
    SETTLE_METHODS,
    STAND_IN_REGIONS,
    SURNAMES,
    TEXTS,
)
from cases.identity import make_credit_code, make_mobile, make_resident_id
from cases.models import Case, Mechanism, Tier
from cases.services.mechanisms import groups_ensure

MIX = [("accepted", 10), ("transferred", 10), ("in_progress", 20), ("escalated", 8), ("deliberated", 2),
       ("opinion_issued", 2), ("reported_up", 1), ("settled", 10), ("fed_back", 11), ("spot", 4),
       ("followed_up", 10), ("objected", 2), ("guided", 2), ("archived", 10)]
ESCALATION = {"escalated", "deliberated", "opinion_issued", "reported_up"}
OPEN_CLOCKED = {"accepted", "transferred", "in_progress", "escalated"}
WINDOW_DAYS = 120



def region_code(region: str) -> str:
    code = REGION_CODES.get(region)
    return code or STAND_IN_REGIONS[zlib.crc32(region.encode()) % len(STAND_IN_REGIONS)]


def person_name(rng: random.Random) -> tuple[str, str]:
    sex = rng.choice("男女")
    surname = rng.choice(SURNAMES[:20] if rng.random() < 0.6 else SURNAMES)
    return surname + rng.choice(GIVEN[sex]), sex


def case_texts(rng: random.Random, category, *, employer: str, people: int, as_employer: bool,
               region: str) -> tuple[str, str]:
    """(facts, request) for a category; unknown codes match on the name's keywords, else generic."""
    code = category.code if category.code in TEXTS else next(
        (c for word, c in KEYWORDS if word in category.name), "")
    if people > 1:
        pool = GROUP_TEXTS
    elif as_employer:
        pool = EMPLOYER_TEXTS.get(code, EMPLOYER_TEXTS[""])
    else:
        pool = TEXTS[code]
    m = rng.randint(1, 9)
    values = dict(
        employer=employer, people=people, region=region, category=category.name,
        y=timezone.localdate().year - rng.randint(1, 3), m=m, m2=m + rng.randint(1, 3),
        n=rng.randint(2, 12), other=rng.choice(OTHER_CITIES), small=rng.randint(60, 3000),
        amount=f"{rng.randint(800, 60000)}.{rng.randint(0, 99):02d}",
        wage=rng.randrange(3500, 9000, 100), pension=rng.randrange(1800, 4500, 10))
    facts, request = rng.choice(pool).format(**values).split("｜")
    return facts, request


def staff_username(mechanism: Mechanism, code: str) -> str:
    return f"{mechanism.case_prefix.lower()}_{code.replace('-', '_')}"


def _ensure_user(username: str, group, password: str | None):
    user, created = get_user_model().objects.get_or_create(username=username, defaults={
        "first_name": person_name(random.Random(username))[0], "is_staff": True,
        "email": f"{username}@example.gov.cn"})
    if created or password or not user.is_staff:
        user.is_staff = True
        if password:
            user.set_password(password)
        elif created:
            user.set_unusable_password()
        user.save()
    if group is not None:
        user.groups.add(group)
    return user


def demo_staff(mechanism: Mechanism, *, password: str | None = None) -> dict:
    """One clerk per active unit (`gp_tax`) and a leader (`gp_leader`), keyed by username;
    idempotent. Without a password the accounts cannot log in until an admin sets one."""
    groups_ensure(mechanism=mechanism)
    mechanism.refresh_from_db(fields=["leaders_group"])
    users = {}
    for unit in mechanism.units.filter(is_active=True).select_related("group"):
        name = staff_username(mechanism, unit.code)
        users[name] = _ensure_user(name, unit.group, password)
    name = staff_username(mechanism, "leader")
    users[name] = _ensure_user(name, mechanism.leaders_group, password)
    return users


@dataclass
class Plan:
    target: str
    tier: Tier | None = None
    overdue: bool = False
    group: bool = False
    at_intake: bool = False
    via_meeting: bool = False
    pass_on: bool = False
    extension: bool = False
    steps: list = field(default_factory=list)  # (step, working days after the previous one)


class _Clock:
    """Replaces django.utils.timezone.now while demo cases are written, so events, history rows
    and clocks carry back-dated times. Demo data only: the services otherwise use real time."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self) -> datetime:
        return self.now


class _Seeder(DemoSteps):
    """Reads the mechanism's configuration once, plans every case, then walks each plan."""

    def __init__(self, mechanism: Mechanism, rng: random.Random):
        self.m, self.rng = mechanism, rng
        self.today = timezone.localdate()
        self.window = workdays_between(self.today - timedelta(days=WINDOW_DAYS), self.today)
        units = list(mechanism.units.filter(is_active=True))
        self.office = next(u for u in units if u.is_office)
        self.by_code = {u.code: u for u in units}
        self.handlers = [u for u in units if u.handles_cases and not u.is_office]
        self.categories = list(mechanism.categories.filter(is_active=True)
                               .select_related("default_lead_unit"))
        leads = {c.default_lead_unit_id for c in self.categories}
        self.natural = [u for u in self.handlers if u.pk in leads] or self.handlers
        self.channels = list(mechanism.channels.filter(is_active=True))
        tiers = list(mechanism.tiers.prefetch_related("deadlines"))
        self.route = {r: next((t for t in tiers if t.route == r), None) for r in Tier.Route.values}
        self.default = default_tier(mechanism)
        self.handling = self.route["lead_unit"] or self.route["joint"] or self.route["deliberation"]
        self.max_days = {t.pk: max([d.workdays for d in t.deadlines.all()] or [0]) for t in tiers}
        self.settle_clock = {t.pk for t in tiers
                             if any(d.stage == "settle" for d in t.deadlines.all())}
        users = demo_staff(mechanism)
        self.clerk = {u.pk: Actor.staff(users[staff_username(mechanism, u.code)]) for u in units}
        self.leaders = list(mechanism.leaders.all())
        self.region = region_code(mechanism.region)
        self.industries = INDUSTRIES + PROVINCE_INDUSTRIES.get(self.region[:2], [])
        self.tickets = set(Case.objects.filter(mechanism=mechanism).exclude(channel_ticket="")
                           .values_list("channel_id", "channel_ticket"))
        self.employers: list[tuple[str, str]] = []
        self.people: list[dict] = []

    # -- planning: targets, tiers and the steps that reach them ---------------------------------

    def _feasible(self, target: str) -> str:
        """Fall back where this mechanism's configuration has no such route."""
        delib = self.route["deliberation"]
        may_report = delib is not None and delib.may_escalate and self.m.escalation_body
        if target == "reported_up" and not may_report:
            target = "deliberated"
        if target in ESCALATION and delib is None:
            target = "in_progress" if target == "escalated" else "settled"
        if target == "spot" and self.route["on_the_spot"] is None:
            target = "fed_back"
        return target if self.handling is not None else "spot"

    def plans(self, count: int) -> list[Plan]:
        rng, total = self.rng, sum(w for _, w in MIX)
        shares = [(name, count * w / total) for name, w in MIX]
        # Largest remainder, so a small count still gets every common status.
        quotas = {name: int(share) for name, share in shares}
        spare = count - sum(quotas.values())
        for name, _ in sorted(shares, key=lambda s: int(s[1]) - s[1])[:spare]:
            quotas[name] += 1
        plans = [Plan(self._feasible(name)) for name, n in quotas.items() for _ in range(n)]
        rng.shuffle(plans)
        delib = self.route["deliberation"]
        for p in plans:
            closing_path = p.target not in OPEN_CLOCKED | {"spot"}
            p.via_meeting = p.target in ESCALATION or (
                delib is not None and closing_path and rng.random() < 0.12)
            p.group = rng.random() < (0.5 if p.via_meeting else 0.03)
            p.at_intake = p.via_meeting and rng.random() < 0.4
            joint = self.route["joint"] if p.group or rng.random() < 0.12 else None
            p.tier = (self.route["on_the_spot"] if p.target == "spot" else delib if p.at_intake
                      else joint or self.handling)
        for target, share, least in (("accepted", 0.35, 1), ("in_progress", 0.35, 1),
                                     ("escalated", 0.3, 0)):
            self._flag(plans, "overdue", lambda p, t=target: p.target == t, share, least)

        def handled(p):
            return (p.target not in ESCALATION | {"accepted", "spot"} and not p.at_intake
                    and not p.overdue and len(self.handlers) > 1)

        self._flag(plans, "pass_on", handled, 0.06)
        self._flag(plans, "extension", lambda p: handled(p) and not p.pass_on
                   and p.target != "transferred" and p.tier.pk in self.settle_clock, 0.05)
        for p in plans:
            p.steps = self._steps(p)
        return plans

    def _flag(self, plans, name, eligible, share, least=1):
        pool = [p for p in plans if eligible(p)]
        for p in self.rng.sample(pool, min(len(pool), max(least, round(share * len(pool))))):
            setattr(p, name, True)

    def _steps(self, p: Plan) -> list[tuple[str, int]]:
        r, t = self.rng.randint, p.target
        if t == "spot":
            return [("register", 0), ("spot", 0)]  # the service classifies it as simple itself
        steps = [("register", 0)] + ([("classify", 0)] if p.tier != self.default else [])
        if t == "accepted":
            return steps
        if p.at_intake:
            steps.append(("escalate", r(0, 1)))
        else:
            steps.append(("transfer", r(0, 1)))
            if p.pass_on:
                steps += [("receive", r(0, 1)), ("pass_on", r(0, 2))]
            if t == "transferred":
                return steps
            steps.append(("receive", r(0, 1)))
            if p.extension:
                steps.append(("extension", r(1, 2)))
            if t == "in_progress":
                return steps
            if p.via_meeting:
                steps.append(("escalate", r(1, 3)))
        if p.via_meeting:
            if t == "escalated":
                return steps
            steps.append(("meeting", r(2, 5)))
            if t in ("deliberated", "reported_up"):
                return steps + ([("report_up", r(1, 2))] if t == "reported_up" else [])
            steps.append(("opinion", r(0, 2)))
            if t == "opinion_issued":
                return steps
        steps.append(("settle", r(1, 4) if self.rng.random() < 0.85 else r(6, 8)))  # some late
        if t == "settled":
            return steps
        steps.append(("feedback", r(0, 2)))
        if t in ("objected", "guided"):
            return steps + [("object", r(1, 5))] + ([("guide", r(1, 3))] if t == "guided" else [])
        if t == "followed_up" or (t == "archived" and self.rng.random() < 0.7):
            steps.append(("follow_up", r(2, 6)))
        return steps + ([("archive", r(2, 10))] if t == "archived" else [])

    # -- who complains, about whom, through which channel --------------------------------------

    def _employer(self) -> tuple[str, str]:
        rng = self.rng
        if self.employers and rng.random() < 0.4:  # a few employers recur: early warnings
            weights = [(i + 1) ** -0.5 for i in range(len(self.employers))]
            return rng.choices(self.employers, weights)[0]
        taken = {name for name, _ in self.employers}
        suffixes = ["有限公司", "有限公司", "有限责任公司"]
        name = next(n for n in (f"{self.m.region}{rng.choice(BRANDS)}{rng.choice(self.industries)}"
                                f"{rng.choice(suffixes)}" for _ in range(99)) if n not in taken)
        self.employers.append((name, make_credit_code(rng, region=self.region)))
        return self.employers[-1]

    def _person(self, employer) -> dict:
        rng = self.rng
        if self.people and rng.random() < 0.1:
            return rng.choice(self.people)  # a repeat complainant: duplicate detection
        name, sex = person_name(rng)
        street = (f"{rng.choice(['城区', '开发区', '东城街道', '西城街道', '南关', '北关'])}"
                  f"{rng.choice(['建设', '人民', '解放', '新华'])}路{rng.randint(1, 300)}号")
        self.people.append({"name": name, "id": make_resident_id(rng, region=self.region, sex=sex),
                            "phone": make_mobile(rng), "employer": employer,
                            "address": f"{self.m.region}{street}"})
        return self.people[-1]

    def _context(self, p: Plan) -> dict:
        rng = self.rng
        arrears = [c for c in self.categories
                   if c.code in ("collection-inspection", "contribution-amount")]
        category = (rng.choice(arrears) if p.group and arrears else rng.choices(
            self.categories, [0.4 if c.code == "other" else 1 for c in self.categories])[0])
        lead = category.default_lead_unit
        if lead is None or lead not in self.handlers:
            lead = rng.choice(self.natural)  # e.g. 其他: the office picks a competent unit
        person = self._person(self._employer())
        employer = person["employer"] if rng.random() < 0.8 else self._employer()
        as_employer = not p.group and rng.random() < 0.15
        people = rng.randint(10, 60) if p.group else 1
        facts, request = case_texts(rng, category, employer=employer[0], people=people,
                                    as_employer=as_employer, region=self.m.region)
        weights = [(0 if p.target == "spot" else 2) if c.is_online_form else
                   5 if c.has_ticket_number and c.kind == "online" else 1.2 for c in self.channels]
        channel = rng.choices(self.channels, weights)[0]  # hotlines carry most complaints
        first_lead = lead
        if p.pass_on:  # sent first to a unit that turns out not to be competent
            first_lead = rng.choice([u for u in self.natural if u != lead]
                                    or [u for u in self.handlers if u != lead])
        co = [u for u in self.handlers if u not in (lead, first_lead)]
        co_units = []
        if p.tier.route == "joint":
            co_units = rng.sample(co, min(len(co), rng.randint(1, 2)))
        return {"plan": p, "case": None, "category": category, "employer": employer,
                "person": person, "as_employer": as_employer, "people": people, "facts": facts,
                "request": request, "channel": channel, "lead": lead, "first_lead": first_lead,
                "accepting": self._accepting(channel, first_lead, p), "co_units": co_units}

    def _accepting(self, channel, lead, p: Plan):
        if channel.is_online_form:
            return self.office  # the service files public submissions under the office
        key = f"{channel.code} {channel.contact}"
        hints = {"12366": "tax", "12333": "hrss", "12345": "gov-office", "petition": "petition"}
        unit = next((self.by_code[c] for h, c in hints.items() if h in key and c in self.by_code),
                    None)
        if unit is None and "township" in channel.code:
            unit = next((u for u in self.handlers if u.kind == "township"), None)
        unit = unit or (lead if self.rng.random() < 0.5 else self.office)
        # A unit transferring to itself signs for it at once; 待签收 needs another unit.
        return self.office if p.target == "transferred" and unit == lead else unit

    def _ticket(self, channel, day: date) -> str:
        if not channel.has_ticket_number:
            return ""
        prefix = channel.contact if channel.contact.isdigit() else "GD"
        while True:
            ticket = f"{prefix}{day:%Y%m%d}{self.rng.randrange(10000):04d}"
            if (channel.pk, ticket) not in self.tickets:
                self.tickets.add((channel.pk, ticket))
                return ticket

    # -- time ----------------------------------------------------------------------------------

    def first_day(self, p: Plan) -> date:
        span = sum(gap for _, gap in p.steps)
        if p.target in OPEN_CLOCKED:
            # Overdue: older than the tier's longest clock; otherwise last touched a workday ago.
            tier = self.route["deliberation"] if p.target == "escalated" else p.tier
            age = self.max_days[tier.pk] + self.rng.randint(2, 6) if p.overdue else 1
            return workdays_before(self.today, span + age)
        return workdays_before(self.today, self.rng.randint(span + 1, max(span + 1, self.window)))

    def _moment(self, day: date, after: datetime | None) -> datetime:
        if after is not None and timezone.localtime(after).date() == day:
            later = after + timedelta(minutes=self.rng.randint(5, 90))
            return later if timezone.localtime(later).hour < 18 else after + timedelta(minutes=1)
        minute = self.rng.choice([self.rng.randint(510, 710), self.rng.randint(870, 1050)])
        tz = timezone.get_default_timezone()
        return datetime.combine(day, time(minute // 60, minute % 60), tz)

    def run(self, p: Plan, clock: _Clock, day: date) -> Case:
        ctx, at = self._context(p), None
        for name, gap in p.steps:
            day = add_workdays(day, gap)
            clock.now = self._moment(day, at)
            ctx["case"] = getattr(self, f"_do_{name}")(ctx, clock)
            at = clock.now  # a step may move the clock on (a meeting lasts two hours)
        return ctx["case"]

    # -- steps: each calls one service as the unit that would really act ------------------------

def seed_cases(*, mechanism: Mechanism, count: int, rng: random.Random,
               progress: Callable[[int], object] | None = None) -> Counter:
    """Create `count` cases through the services, each driven to a planned status, accepted in
    business hours over the last ~120 days. Returns the new cases counted by final status."""
    seeder = _Seeder(mechanism, rng)
    plans = seeder.plans(count)
    days = {id(p): seeder.first_day(p) for p in plans}
    plans.sort(key=lambda p: days[id(p)])  # numbered in acceptance order, as a register would be
    counts: Counter = Counter()
    clock = _Clock()
    # One patch for the run: each service call reads the time set for its step (see _Clock).
    with mock.patch("django.utils.timezone.now", new=clock):
        for plan in plans:
            with transaction.atomic():
                case = seeder.run(plan, clock, days[id(plan)])
            counts[str(case.status)] += 1
            if progress is not None:
                progress(1)
    return counts
