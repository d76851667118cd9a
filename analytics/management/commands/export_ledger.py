from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from analytics.periods import PeriodError, period_range
from analytics.statistics import cases_in_period
from cases.ledger_export import write_ledger_xlsx

from ._common import date_arg, mechanism_arg


class Command(BaseCommand):
    help = "按受理日期导出一个机制的争议台账（Excel，纸质台账格式，流式写出）。"

    def add_arguments(self, parser):
        parser.add_argument("--mechanism", required=True, help="机制标识，如 gaoping")
        parser.add_argument("--from", dest="start", required=True, help="受理日期起（YYYY-MM-DD，含）")
        parser.add_argument("--to", dest="end", required=True, help="受理日期止（YYYY-MM-DD，含）")
        parser.add_argument("--output", required=True, help="Excel 文件路径（.xlsx）")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, **options):
        mechanism = mechanism_arg(options["mechanism"])
        try:
            period = period_range(date_arg(options["start"], "--from"), date_arg(options["end"], "--to"))
        except PeriodError as exc:
            raise CommandError(exc.message) from exc
        queryset = cases_in_period(mechanism, period)
        output = Path(options["output"])
        title = f"{mechanism.region}社会保险费征缴争议受理台账（{period.label}）"
        # The raw stream: OutputWrapper would end every bar refresh with a newline.
        with tqdm(total=queryset.count(), unit="件", desc="导出台账", file=self.stderr._out,
                  disable=options["no_progress"]) as bar:
            rows = write_ledger_xlsx(queryset, title=title, output=output, progress=bar.update)
        self.stdout.write(f"{title}已导出到 {output}：共 {rows} 件。")
