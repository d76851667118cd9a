"""Document rendering benchmark: each kind built from real records vs bare docxtpl rendering.

    .venv/bin/python bench/docgen_bench.py [--runs 50]

Runs in a throw-away test database (SQLite in memory unless DATABASE_URL is set), creates the
Gaoping mechanism and cases through the case services, then times per kind:
- records: context_build from the database + render_docx (what a preview or a version costs);
- bare: DocxTemplate(...).render(context) + save, the same template and context;
- draft: document_draft, the whole service (context, render, version row, file in storage).
Prints a markdown table of median and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")


def _ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def _time(fn, runs: int) -> list[float]:
    fn()  # warm-up: template parsing caches, lazy imports
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _records():
    """The Gaoping mechanism, an office signer, a settled case, a decided case and its meeting."""
    import random
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    from django.contrib.auth.models import Permission, User
    from django.utils import timezone

    from cases.actors import Actor
    from cases.identity import make_resident_id
    from cases.services import closing, handling
    from cases.services.intake import case_register
    from cases.services.mechanisms import mechanism_load
    from cases.services.meetings import meeting_record, meeting_schedule

    mechanism = mechanism_load(source="gaoping").mechanism
    resident_id = make_resident_id(random.Random(7))

    def user(code: str, name: str) -> Actor:
        person = User.objects.create(username=name, first_name=name)
        person.groups.add(mechanism.units.get(code=code).group)
        return Actor.staff(person)

    office, clerk, tax, hrss = (user("office", "office"), user("petition", "clerk"),
                                user("tax", "tax"), user("hrss", "hrss"))
    office.user.user_permissions.add(Permission.objects.get(codename="sign_document"))

    def new_case(**extra):
        return case_register(mechanism=mechanism, channel=mechanism.channels.get(code="hotline-12345"),
                             actor=clerk, complainant_type="individual", complainant_name="王建国",
                             complainant_id_number=resident_id, complainant_phone="13812345678",
                             category=mechanism.categories.get(code="late-fee"),
                             facts="2025年3月起单位未按时申报，税务部门加收滞纳金，本人认为不应由个人承担。" * 3,
                             request="请求核实并退还多收的滞纳金。", **extra)

    settled = new_case(employer_name="高平市某建材有限公司")
    settled = handling.case_transfer(case=settled, actor=clerk, lead_unit=mechanism.units.get(code="tax"))
    settled = handling.case_receive(case=settled, actor=tax)
    settled = handling.case_settle(case=settled, actor=tax, method="correction", result="已由单位承担滞纳金。")
    settled = closing.case_feedback(case=settled, actor=clerk, method="written", content="滞纳金由单位承担。")

    decided = new_case()
    decided = handling.case_transfer(case=decided, actor=clerk, lead_unit=mechanism.units.get(code="hrss"))
    decided = handling.case_receive(case=decided, actor=hrss)
    decided = handling.case_escalate(case=decided, actor=hrss, reason="本部门无法办结。")
    when = datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    meeting = meeting_schedule(mechanism=mechanism, actor=office, scheduled_at=when, place="三楼会议室",
                               chair="张志刚", cases=[decided])
    meeting = meeting_record(meeting=meeting, actor=office, attendees="张志刚，陈卫东",
                             decisions={decided.pk: "由人社局核定补缴金额，税务局据此征收。"})
    decided.refresh_from_db()
    past = timezone.localdate() - timedelta(days=60)
    for _ in range(5):  # overdue cases for the 通报
        new_case(accepted_at=datetime(past.year, past.month, past.day, 10, tzinfo=ZoneInfo("Asia/Shanghai")))
    return {
        "office": office,
        "acknowledgement": {"case": settled},
        "transfer_notice": {"case": settled},
        "minutes": {"meeting": meeting},
        "handling_opinion": {"case": decided},
        "feedback_letter": {"case": settled},
        "supervision_notice": {"mechanism": mechanism, "period": f"{past:%Y-%m}"},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args(argv).runs

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment
    from docxtpl import DocxTemplate

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from docgen.contexts import context_build
        from docgen.render import builtin_template_path, make_jinja_env, render_docx
        from docgen.services import document_draft
        from docgen.variables import KIND_LABELS

        records = _records()
        office = records["office"]
        rows = []
        for kind, label in KIND_LABELS.items():
            subject = records[kind]
            path = builtin_template_path(kind)

            def from_records(kind=kind, subject=subject, path=path):
                render_docx(template=path, context=context_build(kind=kind, **subject))

            context = context_build(kind=kind, **subject)
            env = make_jinja_env()

            def bare(path=path, context=context, env=env):
                tpl = DocxTemplate(str(path))
                tpl.render(context, jinja_env=env, autoescape=True)
                tpl.save(BytesIO())

            def draft(kind=kind, subject=subject):
                document_draft(kind=kind, actor=office, **subject)

            rows.append((label, kind, _ms(_time(from_records, runs)), _ms(_time(bare, runs)),
                         _ms(_time(draft, max(10, runs // 5)))))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    print(f"公文渲染耗时（毫秒；每种 {runs} 次，document_draft {max(10, runs // 5)} 次；"
          f"数据库：{connection.vendor}）\n")
    print("| 公文 | 从记录生成 中位数 | p95 | 仅 docxtpl 中位数 | p95 | document_draft 中位数 | p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for label, kind, (rec, rec95), (bare, bare95), (drf, drf95) in rows:
        print(f"| {label}（{kind}） | {rec:.1f} | {rec95:.1f} | {bare:.1f} | {bare95:.1f} "
              f"| {drf:.1f} | {drf95:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
