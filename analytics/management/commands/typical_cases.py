from pathlib import Path

from django.core.management.base import BaseCommand

from analytics.selectors import typical_cases_in
from analytics.typical import typical_cases_docx

from ._common import mechanism_arg, period_arg


class Command(BaseCommand):
    help = "把一个机制某一期间的典型案例汇编成一份 Word 文档。"

    def add_arguments(self, parser):
        parser.add_argument("--mechanism", required=True, help="机制标识，如 gaoping")
        parser.add_argument("--period", required=True, help="2026、2026-Q3、2026-07 或自定义区间")
        parser.add_argument("--output", required=True, help="Word 文件路径（.docx）")

    def handle(self, *args, **options):
        mechanism = mechanism_arg(options["mechanism"])
        period = period_arg(options["period"])
        output = Path(options["output"])
        count = typical_cases_docx(mechanism=mechanism, period=period, output=output,
                                   cases=typical_cases_in(mechanism=mechanism, period=period))
        self.stdout.write(f"{mechanism.region}{period.label}典型案例汇编已写入 {output}：共 {count} 件。")
