"""Argument helpers shared by the analytics commands."""

from __future__ import annotations

from datetime import date

from django.core.management import CommandError

from analytics.periods import Period, PeriodError, period_parse
from cases.models import Mechanism


def mechanism_arg(slug: str) -> Mechanism:
    mechanism = Mechanism.objects.filter(slug=slug).first()
    if mechanism is None:
        known = "、".join(Mechanism.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"没有标识为“{slug}”的机制。已有：{known or '（无）'}。")
    return mechanism


def period_arg(text: str) -> Period:
    try:
        return period_parse(text)
    except PeriodError as exc:
        raise CommandError(exc.message) from exc


def date_arg(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{name} 应为日期，格式 YYYY-MM-DD（收到“{text}”）。") from exc
