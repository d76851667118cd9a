"""Serving /track/: POST number + code (rate-limited, one message for every wrong pair), then
the verified case from its signed cookie; rating (回访) and objection (异议) go through the services."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control

from cases.actors import Actor
from cases.errors import CaseError
from cases.services.closing import case_follow_up, case_object
from forms.abuse import client_address, limit, limit_hit, limit_reached
from forms.intake_view import error_summary
from forms.services import PUBLIC_ACTOR_LABEL
from forms.tracking import (
    WRONG_PAIR,
    LookupForm,
    ObjectionForm,
    RatingForm,
    case_lookup,
    forget_case,
    public_actions,
    public_view,
    remember_case,
    tracked_case,
)

ALREADY_RATED = "您已经评价过，不能重复评价。感谢您的反馈。"


def _render(page, request, *, case=None, status=200, **forms):
    context = page.get_context(request)
    if case is not None:
        context.update(public_view(case))
        forms.setdefault("rating_form", RatingForm(prefix="rate"))
        forms.setdefault("objection_form", ObjectionForm(prefix="object"))
    else:
        forms.setdefault("lookup_form", LookupForm())
    context.update(forms)
    bound = [f for f in forms.values() if f.is_bound and f.errors]
    context["errors"] = error_summary(bound[0]) if bound else []
    response = TemplateResponse(request, page.get_template(request), context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


def tracking_serve(page, request):
    case = tracked_case(request)
    if request.method != "POST" or getattr(request, "is_preview", False):
        return _render(page, request, case=case)
    action = request.POST.get("action", "")
    if action == "lookup":
        return _lookup(page, request)
    if action == "leave":
        forget_case(request)
        return redirect(page.url)
    if case is None:
        messages.info(request, "查询已超时，请重新输入受理编号和查询码。")
        return redirect(page.url)
    if action == "rate":
        return _rate(page, request, case)
    if action == "object":
        return _object(page, request, case)
    return redirect(page.url)


def _lookup(page, request):
    form = LookupForm(request.POST)
    lim, address = limit("track"), client_address(request)
    if limit_reached(lim, address):
        form.is_valid()
        form.add_error(None, f"查询次数过多，请 {lim.minutes} 分钟后再试。")
        return _render(page, request, lookup_form=form, status=429)
    if not form.is_valid():
        return _render(page, request, lookup_form=form)
    case = case_lookup(number=form.cleaned_data["number"], code=form.cleaned_data["code"])
    if case is None:
        limit_hit(lim, address)
        form.add_error(None, WRONG_PAIR)
        return _render(page, request, lookup_form=form)
    remember_case(request, case)
    return redirect(page.url)  # the code stays in the POST body, never a URL or cookie


def _rate(page, request, case):
    form = RatingForm(request.POST, prefix="rate")
    if "follow_up" not in public_actions(case) and case.satisfaction:
        form.is_valid()
        form.add_error(None, ALREADY_RATED)
        return _render(page, request, case=case, rating_form=form)
    if form.is_valid():
        try:
            case_follow_up(case=case, actor=Actor.public(PUBLIC_ACTOR_LABEL),
                           satisfaction=form.cleaned_data["satisfaction"],
                           comment=form.cleaned_data["comment"])
        except CaseError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "感谢您的评价。")
            return redirect(page.url)
    return _render(page, request, case=case, rating_form=form)


def _object(page, request, case):
    form = ObjectionForm(request.POST, prefix="object")
    if form.is_valid():
        try:
            case_object(case=case, actor=Actor.public(PUBLIC_ACTOR_LABEL),
                        reason=form.cleaned_data["reason"])
        except CaseError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(request, "您的异议已提交，我们将尽快处理并答复您。")
            return redirect(page.url)
    return _render(page, request, case=case, objection_form=form)
