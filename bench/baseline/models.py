"""Baseline models for bench/intake_bench.py. Their tables exist in the benchmark database only
(bench.baseline_settings); no deployment installs this app."""

from django.db import models
from modelcluster.fields import ParentalKey
from simple_history.models import HistoricalRecords
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField


class BareFields(models.Model):
    """The intake form's ten fields, as the bare views store them."""

    name = models.CharField(max_length=100)
    id_number = models.CharField(max_length=18)
    phone = models.CharField(max_length=20)
    employer_name = models.CharField(max_length=200)
    employer_credit_code = models.CharField(max_length=18)
    category = models.CharField(max_length=20)
    facts = models.TextField()
    request = models.TextField()
    people_count = models.PositiveIntegerField()
    consent = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.name}（{self.pk}）"


class BarePlainSubmission(BareFields):
    """One row per POST, saved by a plain Django view — nothing else (shown beside baseline A)."""


class BareSubmission(BareFields):
    """Baseline A as ../shared/docs/performance.md measured it: a plain Django view saving one
    row and its simple-history row (the stock Wagtail page's 2.1–3.7× is against this view)."""

    history = HistoricalRecords()


class StockFormField(AbstractFormField):
    page = ParentalKey("StockFormPage", on_delete=models.CASCADE, related_name="form_fields")


class StockFormPage(AbstractEmailForm):
    """Baseline B: Wagtail's form builder as shipped, storing a FormSubmission per POST."""

    template = "bench_baseline/stock_form_page.html"
    landing_page_template = "bench_baseline/stock_form_page_landing.html"
