"""Load a mechanism definition file into the database: create or update, idempotently."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction

from cases.mechanism_schema import MechanismFileError, read_mechanism_file
from cases.models import (
    Channel,
    DisputeCategory,
    DocumentNumbering,
    Mechanism,
    MechanismLeader,
    Tier,
    TierDeadline,
    Unit,
)

MECHANISMS_DIR = Path(settings.BASE_DIR) / "config" / "mechanisms"
LOAD_REASON = "载入机制定义文件"


@dataclass
class LoadResult:
    mechanism: Mechanism
    counts: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(self.counts["created"] or self.counts["updated"] or self.counts["removed"])

    def summary(self) -> str:
        c = self.counts
        return (f"机制“{self.mechanism.name}”（{self.mechanism.slug}）已载入："
                f"新增 {c['created']} 项，更新 {c['updated']} 项，停用或删除 {c['removed']} 项，"
                f"未变 {c['unchanged']} 项。")


def resolve_definition_path(name_or_path: str) -> Path:
    """`gaoping` → config/mechanisms/gaoping.yaml; anything with a suffix or a slash is a path."""
    candidate = Path(name_or_path)
    if candidate.suffix or "/" in name_or_path:
        return candidate
    for suffix in (".yaml", ".yml"):
        path = MECHANISMS_DIR / f"{name_or_path}{suffix}"
        if path.exists():
            return path
    known = "、".join(sorted(p.stem for p in MECHANISMS_DIR.glob("*.y*ml")))
    raise MechanismFileError(f"没有名为“{name_or_path}”的机制定义文件。已有：{known}。")


def _upsert(model: type[models.Model], lookup: dict, values: dict, *, user, counts: Counter):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        state = "created"
    else:
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if not changed:
            counts["unchanged"] += 1
            return obj
        for name in changed:
            setattr(obj, name, values[name])
        state = "updated"
    obj._history_user = user
    obj._change_reason = LOAD_REASON
    obj.save()
    counts[state] += 1
    return obj


def _retire(queryset, *, keep_ids: set[int], user, counts: Counter, deactivate: bool):
    """Rows no longer in the file: deactivated where cases may refer to them, else deleted."""
    for obj in queryset.exclude(pk__in=keep_ids):
        obj._history_user = user
        obj._change_reason = LOAD_REASON
        if deactivate:
            if obj.is_active:
                obj.is_active = False
                obj.save()
                counts["removed"] += 1
        else:
            obj.delete()
            counts["removed"] += 1


@transaction.atomic
def mechanism_load(*, source: str | Path, user=None) -> LoadResult:
    """Validate the whole file first (a broken file changes nothing), then upsert every part."""
    data = read_mechanism_file(resolve_definition_path(str(source)))
    counts: Counter = Counter()
    fields = ("name", "region", "case_prefix", "coordinating_body", "office_name",
              "office_location", "forum_name", "forum_body", "forum_outcome", "escalation_body",
              "document_issuer", "basis", "basis_date", "description", "principles")
    clash = Mechanism.objects.filter(case_prefix=data["case_prefix"]).exclude(slug=data["slug"]).first()
    if clash:
        raise MechanismFileError(
            f"案件编号前缀“{data['case_prefix']}”已被机制“{clash.name}”使用，请换一个。")
    values = {name: data.get(name, "" if name != "basis_date" else None) for name in fields}
    values["is_active"] = True
    mechanism = _upsert(Mechanism, {"slug": data["slug"]}, values, user=user, counts=counts)

    keep = set()
    for order, leader in enumerate(data.get("leaders", [])):
        obj = _upsert(MechanismLeader, {"mechanism": mechanism, "role": leader["role"],
                                        "title": leader["title"]},
                      {"name": leader.get("name", ""), "sort_order": order}, user=user, counts=counts)
        keep.add(obj.pk)
    _retire(mechanism.leaders.all(), keep_ids=keep, user=user, counts=counts, deactivate=False)

    units: dict[str, Unit] = {}
    # Clear a moved office flag first so the one-office constraint never sees two.
    new_office = next(u["code"] for u in data["units"] if u.get("is_office"))
    for old in mechanism.units.filter(is_office=True).exclude(code=new_office):
        _upsert(Unit, {"pk": old.pk}, {"is_office": False}, user=user, counts=counts)
    for order, unit in enumerate(data["units"]):
        is_office = unit.get("is_office", False)
        obj = _upsert(Unit, {"mechanism": mechanism, "code": unit["code"]}, {
            "name": unit["name"], "short_name": unit["short_name"],
            "kind": unit.get("kind", "office" if is_office else "member"),
            "duties": unit.get("duties", ""), "dispute_focus": unit.get("dispute_focus", ""),
            "liaison_name": unit.get("liaison_name", ""), "liaison_phone": unit.get("liaison_phone", ""),
            "handles_cases": unit.get("handles_cases", True), "is_office": is_office,
            "is_active": True, "sort_order": order,
        }, user=user, counts=counts)
        units[unit["code"]] = obj
    _retire(mechanism.units.all(), keep_ids={u.pk for u in units.values()}, user=user,
            counts=counts, deactivate=True)

    keep = set()
    for order, category in enumerate(data["categories"]):
        lead = units.get(category.get("lead_unit", ""))
        obj = _upsert(DisputeCategory, {"mechanism": mechanism, "code": category["code"]}, {
            "name": category["name"], "description": category.get("description", ""),
            "default_lead_unit": lead, "is_active": True, "sort_order": order,
        }, user=user, counts=counts)
        keep.add(obj.pk)
    _retire(mechanism.categories.all(), keep_ids=keep, user=user, counts=counts, deactivate=True)

    keep = set()
    for order, channel in enumerate(data["channels"]):
        obj = _upsert(Channel, {"mechanism": mechanism, "code": channel["code"]}, {
            "name": channel["name"], "kind": channel["kind"], "contact": channel.get("contact", ""),
            "description": channel.get("description", ""),
            "has_ticket_number": channel.get("has_ticket_number", False),
            "is_public": channel.get("public", True), "is_online_form": channel.get("online_form", False),
            "is_active": True, "sort_order": order,
        }, user=user, counts=counts)
        keep.add(obj.pk)
    _retire(mechanism.channels.all(), keep_ids=keep, user=user, counts=counts, deactivate=True)

    for order, tier_data in enumerate(data["tiers"]):
        tier = _upsert(Tier, {"mechanism": mechanism, "code": tier_data["code"]}, {
            "name": tier_data["name"], "description": tier_data.get("description", ""),
            "route": tier_data["route"], "may_escalate": tier_data.get("may_escalate", False),
            "feedback_methods": tier_data.get("feedback_methods", ""), "sort_order": order,
        }, user=user, counts=counts)
        keep = set()
        for deadline in tier_data.get("deadlines", []):
            obj = _upsert(TierDeadline, {"tier": tier, "stage": deadline["stage"]}, {
                "workdays": deadline["workdays"], "starts_from": deadline["starts_from"],
                "warn_before": deadline.get("warn_before", 1), "note": deadline.get("note", ""),
            }, user=user, counts=counts)
            keep.add(obj.pk)
        _retire(tier.deadlines.all(), keep_ids=keep, user=user, counts=counts, deactivate=False)

    keep = set()
    for numbering in data.get("numbering", []):
        obj = _upsert(DocumentNumbering, {"mechanism": mechanism, "kind": numbering["kind"]}, {
            "pattern": numbering["pattern"], "issuer": numbering.get("issuer", ""),
        }, user=user, counts=counts)
        keep.add(obj.pk)
    _retire(mechanism.numberings.all(), keep_ids=keep, user=user, counts=counts, deactivate=False)
    warning_rules_load(mechanism=mechanism, rules=data.get("warning_rules"), user=user, counts=counts)
    groups_ensure(mechanism=mechanism, user=user, counts=counts)
    mechanism.refresh_from_db()
    return LoadResult(mechanism=mechanism, counts=counts)


def warning_rules_load(*, mechanism: Mechanism, rules: list[dict] | None, user=None,
                       counts: Counter | None = None) -> None:
    """Early-warning rules (analytics app). A file that lists them wins, and rules it no longer
    lists are deactivated (warnings refer to them). A file without the section gets each
    default rule once, never updated afterwards, so edits made in the admin survive reloads."""
    from django.apps import apps

    if not apps.is_installed("analytics"):
        return
    from analytics.models import WarningRule
    from cases.mechanism_schema import WARNING_RULE_KINDS, clean_warning_params

    counts = counts if counts is not None else Counter()
    if rules is None:
        for kind, spec in WARNING_RULE_KINDS.items():
            if not WarningRule.objects.filter(mechanism=mechanism, kind=kind).exists():
                _upsert(WarningRule, {"mechanism": mechanism, "code": kind.replace("_", "-")}, {
                    "kind": kind, "name": spec["label"], "params": clean_warning_params(kind, {}),
                    "notify_police": kind == "group_size", "is_active": True,
                }, user=user, counts=counts)
        return
    keep = set()
    for rule in rules:
        obj = _upsert(WarningRule, {"mechanism": mechanism, "code": rule["code"]}, {
            "kind": rule["kind"], "name": rule.get("name") or WARNING_RULE_KINDS[rule["kind"]]["label"],
            "params": clean_warning_params(rule["kind"], rule.get("params")),
            "notify_police": rule.get("notify_police", False), "is_active": rule.get("active", True),
        }, user=user, counts=counts)
        keep.add(obj.pk)
    _retire(WarningRule.objects.filter(mechanism=mechanism), keep_ids=keep, user=user,
            counts=counts, deactivate=True)


def _admin_group(name: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    access = Permission.objects.filter(content_type__app_label="wagtailadmin",
                                       codename="access_admin").first()
    if access is not None:
        group.permissions.add(access)
    return group


def groups_ensure(*, mechanism: Mechanism, user=None, counts: Counter | None = None) -> None:
    """A Wagtail group per unit (its staff) and one for the mechanism's leaders (read-only).
    The office's group is made able to sign documents (签发: the office director signs for the
    mechanism) when it is created; an office that wants only named people to sign takes the
    permission off the group in the admin, and reloading the file does not put it back."""
    counts = counts if counts is not None else Counter()
    sign = Permission.objects.filter(content_type__app_label="docgen",
                                     codename="sign_document").first()
    for unit in mechanism.units.filter(group__isnull=True):
        group = _admin_group(f"{mechanism.region}·{unit.short_name}")
        if unit.is_office and sign is not None:
            group.permissions.add(sign)
        _upsert(Unit, {"pk": unit.pk}, {"group": group}, user=user, counts=counts)
    if mechanism.leaders_group_id is None:
        group = _admin_group(f"{mechanism.region}·领导")
        _upsert(Mechanism, {"pk": mechanism.pk}, {"leaders_group": group}, user=user, counts=counts)
