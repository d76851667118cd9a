"""Demo cases for every active mechanism (or one), through the real services — or, with --bulk,
written in batches in their final state (cases.demo_bulk) for load tests at up to 1M cases.

Tops up rather than adds: a mechanism that already has N or more cases gets none, so re-running
with the same arguments changes nothing. Deterministic for a given --seed and starting count.
"""

import random
import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cases.demo import seed_cases
from cases.demo_bulk import bulk_seed_cases
from cases.models import Case, CaseStatus, Mechanism


def short_region(region: str) -> str:
    # 高平市 → 高平, as staff say it; two-character names (如 某县) stay whole.
    return region[:-1] if len(region) > 2 and region[-1] in "市县区旗" else region


class Command(BaseCommand):
    help = "生成演示案件（经由正式办理流程）：各机制补足到 N 件，已达到的不再追加。"

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, default=30, help="每个机制的案件数（补足到此数）")
        parser.add_argument("--mechanism", default="", help="机制标识；不填则为全部启用的机制")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子，相同种子生成相同数据")
        parser.add_argument("--bulk", action="store_true",
                            help="批量模式：按最终状态分批直接写入（用于压力测试，可达百万件）")
        parser.add_argument("--months", type=int, default=24,
                            help="批量模式下受理时间分布的月数（默认 24）")
        parser.add_argument("--batch", type=int, default=5000, help="批量模式每批写入的案件数")

    def handle(self, *args, cases, mechanism, seed, bulk=False, months=24, batch=5000, **options):
        if cases < 0:
            raise CommandError("--cases 不能为负数。")
        if months < 1 or batch < 1:
            raise CommandError("--months 和 --batch 必须为正整数。")
        mechanisms = Mechanism.objects.filter(is_active=True).order_by("slug")
        if mechanism:
            mechanisms = mechanisms.filter(slug=mechanism)
            if not mechanisms:
                raise CommandError(f"没有启用的机制“{mechanism}”。")
        elif not mechanisms:
            raise CommandError("还没有启用的机制，请先运行 load_mechanism。")
        created = {}
        for mech in mechanisms:
            existing = Case.objects.filter(mechanism=mech).count()
            need = max(0, cases - existing)
            if need:
                # Seeded by the starting count too: a top-up must not replay the first run's people.
                rng = random.Random(f"{seed}:{mech.slug}:{existing}")
                with tqdm(total=need, desc=short_region(mech.region), unit="件", file=sys.stderr,
                          disable=not sys.stderr.isatty()) as bar:
                    if bulk:
                        counts = bulk_seed_cases(mechanism=mech, count=need, rng=rng,
                                                 months=months, batch=batch, progress=bar.update)
                    else:
                        counts = seed_cases(mechanism=mech, count=need, rng=rng,
                                            progress=bar.update)
                labels = "、".join(f"{CaseStatus(s).label} {n}" for s, n in counts.most_common())
                self.stdout.write(f"{mech.name}：新增 {need} 件（{labels}）")
            created[mech] = need
        parts = "、".join(f"{short_region(m.region)} {n}" for m, n in created.items())
        note = "；已达到数量的机制未追加" if any(n == 0 for n in created.values()) else ""
        self.stdout.write(f"已生成演示案件 {sum(created.values())} 件（{parts}{note}）")
