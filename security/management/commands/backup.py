from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from security.backup import BackupError, backup_create
from security.models import AuditAction
from security.services import audit_record, operator_label


class Command(BaseCommand):
    help = "备份数据库、MEDIA_ROOT 和 PRIVATE_ROOT 到一个新的空目录，并写出带校验值的 manifest.json。"

    def add_arguments(self, parser):
        parser.add_argument("directory", help="备份目录（不存在或为空）")

    def handle(self, *args, directory: str, **options):
        try:
            manifest = backup_create(directory=Path(directory))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["counts"].values())
        audit_record(action=AuditAction.BACKUP, detail={
            "by": operator_label(), "directory": str(Path(directory).resolve()), "files": len(manifest["files"]), "rows": rows})
        self.stdout.write(self.style.SUCCESS(
            f"备份完成：{directory}，{len(manifest['counts'])} 张表 {rows} 行，"
            f"{len(manifest['files'])} 个文件。备份含个人信息，请加密保存于专用介质。"))
