from django.core.management.base import BaseCommand, CommandError

from security.services import RETENTION_FLOOR_DAYS, AuditError, audit_purge, operator_label


class Command(BaseCommand):
    help = f"删除早于 N 天的审计记录；N 不得小于 {RETENTION_FLOOR_DAYS}（审计记录至少保存六个月）。"

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, required=True, dest="days",
                            help=f"保留天数，不小于 {RETENTION_FLOOR_DAYS}")

    def handle(self, *args, days: int, **options):
        try:
            count = audit_purge(older_than_days=days, actor_label=operator_label())
        except AuditError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"已清理 {days} 天前的审计记录 {count} 条。"))
