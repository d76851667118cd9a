"""Run inside `manage.py shell -c` against a scratch database: seed real records, fingerprint."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.apps import apps
from django.conf import settings

COMPARED = ["cases.Case", "cases.HistoricalCase", "cases.TimelineEvent", "cases.Attachment",
            "cases.HistoricalAttachment", "docgen.Document", "docgen.DocumentVersion",
            "auth.User", "auth.Group"]


def seed() -> None:
    import hashlib as h

    from django.core.files.base import ContentFile

    from cases.actors import Actor
    from cases.models import Attachment
    from cases.services import handling
    from docgen.services import document_draft
    from tests.factories import load_mechanisms, make_case, make_staff

    gaoping = load_mechanisms("gaoping")["gaoping"]
    clerk = Actor.staff(make_staff(gaoping.units.get(code="petition")))
    tax = gaoping.units.get(code="tax")
    for n in range(3):
        case = make_case(mechanism=gaoping, actor=clerk, complainant_name=f"王建{n}")
        case = handling.case_transfer(case=case, actor=clerk, lead_unit=tax)
        content = f"附件{n}：欠费通知".encode() * 50
        Attachment.objects.create(case=case, file=ContentFile(content, name=f"通知{n}.pdf"),
                                  original_name=f"通知{n}.pdf", content_type="application/pdf",
                                  size=len(content), sha256=h.sha256(content).hexdigest())
        document_draft(kind="acknowledgement", actor=clerk, case=case)
    media = Path(settings.MEDIA_ROOT) / "original_images"
    media.mkdir(parents=True, exist_ok=True)
    (media / "banner.txt").write_text("public media file")


def _rows(label: str) -> tuple[int, str]:
    model = apps.get_model(label)
    fields = [f.attname for f in model._meta.concrete_fields]
    rows = list(model.objects.order_by("pk").values_list(*fields))
    text = json.dumps(rows, default=str, ensure_ascii=False)
    return len(rows), hashlib.sha256(text.encode()).hexdigest()


def _tree(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()} if root.exists() else {}


def fingerprint() -> None:
    from cases.models import Case

    result = {label: _rows(label) for label in COMPARED}
    through = Case.co_units.through
    result["co_units"] = len(list(through.objects.order_by("pk").values_list("case_id", "unit_id")))
    result["media"] = _tree(Path(settings.MEDIA_ROOT))
    result["private"] = _tree(Path(settings.PRIVATE_ROOT))
    print("FINGERPRINT" + json.dumps(result, ensure_ascii=False))
