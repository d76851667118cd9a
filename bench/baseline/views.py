"""Baseline A of bench/intake_bench.py, as ../shared/docs/performance.md defines it: a bare
Django view validating the same ten fields as the intake form and saving one row and its
simple-history row. The same view without history is measured beside it."""

from django import forms
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.html import escape

from bench.baseline.models import BarePlainSubmission, BareSubmission

FIELDS = ["name", "id_number", "phone", "employer_name", "employer_credit_code", "category",
          "facts", "request", "people_count", "consent"]


class BareForm(forms.ModelForm):
    class Meta:
        model = BareSubmission
        fields = FIELDS


class BarePlainForm(forms.ModelForm):
    class Meta:
        model = BarePlainSubmission
        fields = FIELDS


def _bare(request, form_class):
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            row = form.save()
            return HttpResponse(f'<p id="saved">已保存 {row.pk}</p>')
        return HttpResponse(f"<ul>{escape(form.errors.as_text())}</ul>", status=400)
    token = get_token(request)
    return HttpResponse(f'<form method="post"><input type="hidden" '
                        f'name="csrfmiddlewaretoken" value="{token}"></form>')


def bare_form(request):
    return _bare(request, BareForm)


def bare_plain_form(request):
    return _bare(request, BarePlainForm)
