"""Microseconds of three parts of an online submission, each beside what it replaced, in one process:

- building the intake form (Django's deepcopy of the fields vs forms.field_copy);
- the text of the registration's one statement (built each time vs cached per shape,
  cases.numbering._numbered_statement);
- its parameters: the values of a case, its timeline event and outbox row prepared for the
  database (each field's own methods vs cases.sql's one-step preparation).

    nice -n 10 .venv/bin/python bench/intake_parts.py [--db NAME]

Needs a database with the portal pages, e.g. the one bench/intake_profile.py --pg leaves
(onestop_load_profile, the default). Best of 5 repeats; run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import os
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import server_env  # noqa: E402


def per_call_us(fn, number: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="onestop_load_profile")
    parser.add_argument("--number", type=int, default=2000)
    args = parser.parse_args()
    os.environ.update(server_env(f"postgres://postgres@127.0.0.1:5432/{args.db}", "parts"))
    import django

    django.setup()
    from cases import numbering
    from cases.confcache import _request_finished, _request_started
    from cases.models import TimelineEvent
    from forms.models import IntakeFormPage
    from notifications.models import Outbox

    _request_started()  # the configuration stamp is read once, as within a request
    page = IntakeFormPage.objects.live().filter(slug="gaoping").first()
    if page is None:
        print(f"{args.db} 里没有高平的网上反映页：先运行 bench/intake_profile.py --pg")
        return 1
    form_class = page.get_form_class(cacheable=True)
    quick = form_class.base_fields

    def build():
        form_class(page=page, user=None)

    fast = per_call_us(build, args.number)
    form_class.base_fields = dict(quick)  # Django's own deepcopy of each field
    slow = per_call_us(build, args.number)
    form_class.base_fields = quick
    print(f"建表单：逐字段快速复制 {fast:.0f} 微秒，Django deepcopy {slow:.0f} 微秒，省 {slow - fast:.0f} 微秒")

    shape = ((TimelineEvent, True, False), (Outbox, False, True))  # a single person's submission
    key = ("default", tuple(numbering.NUMBER_BEARERS), shape)
    text = numbering._numbered_statement.__wrapped__
    built = per_call_us(lambda: text(*key), args.number)
    cached = per_call_us(
        lambda: numbering._numbered_statement("default", tuple(numbering.NUMBER_BEARERS), shape),
        args.number)
    print(f"登记语句文本（{len(text(*key))} 字符）：每次拼 {built:.0f} 微秒，"
          f"按形状缓存 {cached:.2f} 微秒，省 {built - cached:.0f} 微秒")
    from django.db import connections

    from cases import sql
    from cases.models import Case
    from security.fields import EncryptedTextField

    # The database was encrypted with intake_profile's throwaway key: personal data made up here.
    secret = [f.attname for f in Case._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    case = Case.objects.defer(*secret).order_by("-id").first()
    for name in secret:
        setattr(case, name, "13800000000")
    rows = [(case, numbering._case_fields())] + [
        (row, numbering._insert_fields(row)) for row in (
            TimelineEvent.objects.order_by("-id").first(), Outbox.objects.order_by("-id").first())]

    def prepare():
        for row, fields in rows:
            sql.insert_values(row, fields=fields, connection=connections["default"], exprs={})

    fast = per_call_us(prepare, args.number)
    planned, sql._plan = sql._plan, lambda field: None  # every field by its own methods
    slow = per_call_us(prepare, args.number)
    sql._plan = planned
    count = sum(len(fields) for _, fields in rows)
    print(f"登记参数（案件、办理记录、通知共 {count} 个值）：一步准备 {fast:.0f} 微秒，"
          f"逐字段方法 {slow:.0f} 微秒，省 {slow - fast:.0f} 微秒")
    _request_finished()
    return 0


if __name__ == "__main__":
    sys.exit(main())
