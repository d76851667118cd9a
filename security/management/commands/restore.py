from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from security.backup import BackupError, backup_restore
from security.models import AuditAction
from security.services import audit_record, operator_label


class Command(BaseCommand):
    help = ("从 backup 生成的目录恢复数据库、MEDIA_ROOT 和 PRIVATE_ROOT。先核对 manifest.json，"
            "不一致则拒绝；当前数据与文件将被替换，请先停止网站服务。")

    def add_arguments(self, parser):
        parser.add_argument("directory", help="backup 命令生成的备份目录")

    def handle(self, *args, directory: str, **options):
        try:
            manifest = backup_restore(directory=Path(directory))
        except BackupError as error:
            raise CommandError(str(error)) from error
        audit_record(action=AuditAction.RESTORE, detail={
            "by": operator_label(), "directory": str(Path(directory).resolve()), "backup_created_at": manifest["created_at"]})
        self.stdout.write(self.style.SUCCESS(
            f"恢复完成：{directory}（备份时间 {manifest['created_at']}），"
            f"{len(manifest['counts'])} 张表、{len(manifest['files'])} 个文件已核对。"))
