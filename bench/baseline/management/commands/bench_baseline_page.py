"""Create baseline B (a stock Wagtail form page with ten fields) under the site's root page."""

from django.core.management.base import BaseCommand
from wagtail.models import Site

from bench.baseline.models import StockFormField, StockFormPage

FIELDS = [  # the intake form's ten fields, as a form-builder editor would enter them
    ("姓名", "singleline", True, ""), ("身份证号码", "singleline", True, ""),
    ("联系电话", "singleline", True, ""), ("用人单位", "singleline", True, ""),
    ("统一社会信用代码", "singleline", False, ""),
    ("诉求类别", "dropdown", True, "欠缴社会保险费\n缴费基数\n缴费年限\n其他"),
    ("事实与理由", "multiline", True, ""), ("具体诉求", "multiline", True, ""),
    ("涉及人数", "number", True, ""), ("同意隐私声明", "checkbox", True, ""),
]


class Command(BaseCommand):
    help = "创建基准对照用的 Wagtail 表单页（/bench-wagtail-form/）"

    def handle(self, *args, **options):
        root = Site.objects.get(is_default_site=True).root_page
        if StockFormPage.objects.filter(slug="bench-wagtail-form").exists():
            return
        page = StockFormPage(title="基准对照表单", slug="bench-wagtail-form", to_address="")
        for order, (label, kind, required, choices) in enumerate(FIELDS):
            page.form_fields.add(StockFormField(sort_order=order, label=label, field_type=kind,
                                                required=required, choices=choices))
        root.add_child(instance=page)
        page.save_revision().publish()
        self.stdout.write(page.url)
