from django.core.management.base import BaseCommand, CommandError

from cases.errors import CaseError
from cases.models import Mechanism
from integrations.keys import api_key_create


class Command(BaseCommand):
    help = "为一个渠道系统创建接口密钥。密钥只显示这一次（最后一行），系统只保存其摘要。"

    def add_arguments(self, parser):
        parser.add_argument("name", help="调用方名称，如：12345热线工单系统")
        parser.add_argument("--mechanism", help="机制标识（slug）；只有一个启用的机制时可省略")
        parser.add_argument("--channel", help="限定受理渠道代码，如 hotline-12345")
        parser.add_argument("--rate", type=int, default=120, help="每分钟请求上限，默认 120")

    def handle(self, *args, name, mechanism=None, channel=None, rate=120, **options):
        active = Mechanism.objects.filter(is_active=True)
        if mechanism:
            found = active.filter(slug=mechanism).first()
            if found is None:
                raise CommandError(f"未找到启用的机制：{mechanism}")
        else:
            candidates = list(active[:2])
            if len(candidates) != 1:
                slugs = "、".join(active.values_list("slug", flat=True)) or "无"
                raise CommandError(f"请用 --mechanism 指定机制（可选：{slugs}）。")
            found = candidates[0]
        bound = None
        if channel:
            bound = found.channels.filter(code=channel, is_active=True).first()
            if bound is None:
                raise CommandError(f"机制 {found.slug} 没有启用的渠道：{channel}")
        try:
            key, raw = api_key_create(name=name, mechanism=found, channel=bound, rate_per_minute=rate)
        except CaseError as exc:
            raise CommandError(exc.message) from exc
        scope = f"{found.name}" + (f" / {bound.name}" if bound else "（全部渠道）")
        self.stdout.write(f"已创建接口密钥“{key.name}”，范围：{scope}，前缀 {key.prefix}。")
        self.stdout.write("请立即妥善保存下面一行密钥，它不会再次显示：")
        self.stdout.write(raw)
