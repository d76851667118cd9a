"""Serving the intake form page: GET shows the form, POST registers the case (once per token)
and answers with the receipt. Called from IntakeFormPage.serve, so Wagtail still routes it."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control

from cases.clocks import clock_label
from cases.errors import CaseError
from cases.identity import mask_name
from cases.localtime import local_time
from cases.selectors import public_channels_by_mechanism
from docgen.render import cn_date
from forms.abuse import TOKEN_FIELD, client_address, limit, limit_hit, new_token, valid_token
from forms.links import tracking_page_url
from forms.notice import privacy_notice_html
from forms.receipt import receipt_response
from forms.services import AlreadySubmitted, receipt_for_token
from forms.tracking import remember_case

FILES_DROPPED = "出于安全考虑，已选择的附件不会保留，请在提交前重新选择附件。"


def intake_context(page, *, receipt: bool = False) -> dict:
    from forms.models import MechanismPage

    mechanism = page.mechanism
    context = {"mechanism": mechanism, "tracking_url": tracking_page_url()}
    if receipt:  # the receipt shows neither the form's notice nor the other channels
        return context
    channels = next((m.public_channels for m in public_channels_by_mechanism()
                     if m.pk == mechanism.pk), [])
    context.update({
        "open": page.online_channel() is not None,
        "privacy_notice": privacy_notice_html(page),
        "other_channels": [c for c in channels if not c.is_online_form],
        "guide_page": MechanismPage.objects.live().public().filter(mechanism=mechanism).first(),
    })
    return context


def _no_store(response):
    # The form carries a one-time token and the receipt a query code: never cache either.
    patch_cache_control(response, private=True, no_store=True)
    return response


def error_summary(form) -> list[tuple[str, str, str]]:
    """(anchor id, label, message) for the summary at the top, in the order of the page."""
    items = [("", "", message) for message in form.non_field_errors()]
    short = getattr(form, "summary_labels", {})
    for name in form.fields:
        if name not in form.errors:
            continue
        field = form[name]
        anchor = f"{field.auto_id}_0" if field.field.widget.use_fieldset else field.auto_id
        items.extend((anchor, short.get(name, str(field.label)), message)
                     for message in form.errors[name])
    return items


def render_form(page, request, form, *, status: int = 200, files_dropped: bool = False,
                notice: str = ""):
    context = page.get_context(request)
    context.update(form=form, errors=error_summary(form) if form.is_bound else [],
                   keep_note="您已填写的其他内容都已保留。", files_dropped=files_dropped,
                   files_dropped_text=FILES_DROPPED, notice=notice)
    return _no_store(TemplateResponse(request, page.get_template(request), context,
                                      status=status))


def render_receipt(page, request, *, case=None, attachment_count: int | None = None):
    context = page.get_context(request, receipt=True)
    context["form_url"] = request.path  # "反映其他事项": an empty form again
    if case is not None:
        if attachment_count is None:  # a replayed receipt: count what the case has
            attachment_count = case.attachments.count()
        accepted = local_time(case.accepted_at)
        context.update(case=case, masked_name=mask_name(case.complainant_name),
                       clock=clock_label(case), attachment_count=attachment_count,
                       accepted_text=f"{cn_date(accepted)} {accepted:%H:%M}")
        remember_case(request, case)  # "查看办理进度" works without typing the code again
    return _no_store(receipt_response(page, request, context))


def intake_serve(page, request):
    preview = getattr(request, "is_preview", False)
    if request.method == "POST" and not preview:
        return _post(page, request)
    form = page.get_form(cacheable=not preview, initial={TOKEN_FIELD: new_token()})
    return render_form(page, request, form)


def _submitted_before(page, request, token: str):
    """The receipt page of the case this form's token registered, or None. Not asked first: a
    valid form's registration finds its token taken itself (unique constraint, AlreadySubmitted);
    only the answers that would not register anything look, so a repost still gets its receipt."""
    existing = receipt_for_token(token) if valid_token(token) else None
    return None if existing is None else _replay(page, request, AlreadySubmitted(existing))


def _post(page, request):
    data = request.POST
    token = data.get(TOKEN_FIELD, "")
    if not valid_token(token):
        data = data.copy()
        data[TOKEN_FIELD] = new_token()
    files_dropped = bool(request.FILES)
    form = page.get_form(data, request.FILES, cacheable=True)
    lim = limit("submit")
    if limit_hit(lim, client_address(request)) > lim.count:
        if replay := _submitted_before(page, request, token):
            return replay
        form.is_valid()
        form.add_error(None, f"提交过于频繁，请 {lim.minutes} 分钟后再试，或通过其他受理渠道反映。")
        return render_form(page, request, form, status=429, files_dropped=files_dropped)
    if data is not request.POST:
        form.is_valid()
        form.add_error(None, "页面已过期。您填写的内容已保留，请核对后再次提交。")
        return render_form(page, request, form, files_dropped=files_dropped)
    if form.honeypot_filled:
        form.is_valid()
        form.add_error(None, "提交未成功，请刷新页面后重新填写；如多次出现，请通过其他受理渠道反映。")
        return render_form(page, request, form, status=400, files_dropped=files_dropped)
    if form.is_valid():
        try:
            case = page.process_form_submission(form)
        except AlreadySubmitted as exc:
            return _replay(page, request, exc)
        except CaseError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # Just registered: the receipt needs no second look at what was stored.
            return render_receipt(page, request, case=case,
                                  attachment_count=len(form.cleaned_data["attachments"]))
    elif replay := _submitted_before(page, request, token):
        return replay  # e.g. a category withdrawn since the first submission
    return render_form(page, request, form, files_dropped=files_dropped)


def _replay(page, request, exc: AlreadySubmitted):
    """The same form posted again: the case it created, never a second one."""
    if exc.replayable:
        return render_receipt(page, request, case=exc.receipt.case)
    form = page.get_form(cacheable=True, initial={TOKEN_FIELD: new_token()})
    notice = (f"这份表单已经提交过，受理编号 {exc.receipt.case.number}。"
              "请凭受理编号和查询码在“进度查询”中查看；如需反映新的事项，请重新填写。")
    return render_form(page, request, form, notice=notice)
