from pathlib import Path

from django.core.management.base import BaseCommand

from analytics.report import analysis_report_docx, figures_xlsx, report_title
from analytics.selectors import typical_cases_in
from analytics.statistics import figures_compute

from ._common import mechanism_arg, period_arg


class Command(BaseCommand):
    help = "生成一个机制某一期间的争议处理情况分析报告（Word），可同时导出 Excel。"

    def add_arguments(self, parser):
        parser.add_argument("--mechanism", required=True, help="机制标识，如 gaoping")
        parser.add_argument("--period", required=True,
                            help="2026-07（月）、2026-Q3（季度）、2026（年）或 2026-07-01..2026-08-15")
        parser.add_argument("--output", required=True, help="Word 文件路径（.docx）")
        parser.add_argument("--xlsx", help="同时把各统计表写入该 Excel 文件（每表一页）")

    def handle(self, *args, **options):
        mechanism = mechanism_arg(options["mechanism"])
        period = period_arg(options["period"])
        figures = figures_compute(mechanism=mechanism, period=period)
        output = Path(options["output"])
        counts = analysis_report_docx(figures=figures,
                                      typical=typical_cases_in(mechanism=mechanism, period=period),
                                      output=output)
        extra = ""
        if options["xlsx"]:
            sheets = figures_xlsx(figures=figures, output=Path(options["xlsx"]))
            extra = f"；Excel {sheets} 张表已写入 {options['xlsx']}"
        self.stdout.write(f"《{report_title(figures)}》已写入 {output}：本期受理 {figures.total} 件，"
                          f"表 {counts['tables']} 张、图 {counts['charts']} 幅、"
                          f"典型案例 {counts['typical']} 件{extra}。")
