"""Render one document from the records into a .docx (a preview: no Document rows, no 文号).

    python manage.py render_document transfer_notice GP-2026-000123 --output 转办单.docx
    python manage.py render_document feedback_letter GP-2026-000123 --party employer --output 函.docx
    python manage.py render_document minutes 12 --output 纪要.docx
    python manage.py render_document supervision_notice 2026-Q3 --mechanism gaoping --output 通报.docx
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.models import Case, Mechanism, Meeting
from docgen.contexts import context_build
from docgen.errors import DocumentError
from docgen.render import render_docx
from docgen.rules import CASE_KINDS
from docgen.services import template_source
from docgen.variables import KIND_LABELS


class Command(BaseCommand):
    help = "按记录生成一份公文的 Word 预览（不登记、不编号）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="公文种类：" + "、".join(f"{k}（{v}）" for k, v in KIND_LABELS.items()))
        parser.add_argument("ref", help="受理编号；会议纪要为会议编号（id）；通报为期间，如 2026-10 或 2026-Q3")
        parser.add_argument("--output", required=True, help="输出的 .docx 文件路径")
        parser.add_argument("--party", default="complainant", choices=["complainant", "employer"],
                            help="反馈函的致送对象：complainant（反映人，默认）或 employer（用人单位）")
        parser.add_argument("--mechanism", default="", help="通报所属机制的标识，如 gaoping")

    def handle(self, *args, kind: str, ref: str, output: str, party: str, mechanism: str, **options):
        if kind not in KIND_LABELS:
            raise CommandError(f"未知的公文种类“{kind}”。可选：{'、'.join(KIND_LABELS)}。")
        target = Path(output)
        if target.suffix.lower() != ".docx":
            raise CommandError("输出文件须以 .docx 结尾。")
        subject = self._subject(kind, ref.strip(), mechanism.strip())
        owner = subject.get("mechanism") or (subject.get("case") or subject.get("meeting")).mechanism
        try:
            context = context_build(kind=kind, party=party, **subject)
            source, _custom = template_source(mechanism=owner, kind=kind)
            data = render_docx(template=source, context=context)
        except DocumentError as error:
            raise CommandError(error.message) from error
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        except OSError as error:
            raise CommandError(f"无法写入 {target}：{error.strerror}") from error
        self.stdout.write(f"已生成{KIND_LABELS[kind]}预览（{len(data)} 字节）：")
        self.stdout.write(str(target))

    def _subject(self, kind: str, ref: str, slug: str) -> dict:
        if kind in CASE_KINDS:
            case = Case.objects.select_related("mechanism").filter(number=ref.upper()).first()
            if case is None:
                raise CommandError(f"没有受理编号为“{ref}”的事项。")
            return {"case": case}
        if kind == "minutes":
            meeting = Meeting.objects.select_related("mechanism").filter(
                pk=int(ref) if ref.isdigit() else None).first()
            if meeting is None:
                raise CommandError(f"没有编号为“{ref}”的会商会议。")
            return {"meeting": meeting}
        if not slug:
            raise CommandError("生成通报须用 --mechanism 指定机制，如 --mechanism gaoping。")
        mechanism = Mechanism.objects.filter(slug=slug).first()
        if mechanism is None:
            raise CommandError(f"没有标识为“{slug}”的机制。")
        return {"mechanism": mechanism, "period": ref}
