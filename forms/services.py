"""Writes of the public portal. A submission is one transaction: the one-time token, the case
(through cases.services.intake.case_register, with its attachments) — all or nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from functools import lru_cache

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import strip_tags

from cases.actors import Actor
from cases.deferred import row_defer
from cases.errors import CaseError
from cases.models import Case
from cases.services.intake import case_register_in_transaction, stored_files_rollback_guard
from forms.models import IntakeReceipt
from forms.notice import privacy_notice_html

PUBLIC_ACTOR_LABEL = "反映人（网上）"
# A repost within this window shows the whole receipt again (the browser's "resubmit");
# later ones only name the case, so an old page on a shared computer reveals no query code.
RECEIPT_REPLAY = timedelta(hours=2)


class AlreadySubmitted(Exception):
    def __init__(self, receipt: IntakeReceipt):
        super().__init__(receipt.case.number if receipt.case_id else "")
        self.receipt = receipt

    @property
    def replayable(self) -> bool:
        return timezone.now() - self.receipt.created_at <= RECEIPT_REPLAY


def receipt_for_token(token: str) -> IntakeReceipt | None:
    if not token:
        return None
    # Asked before every submission and almost always empty: a narrow probe first, the receipt
    # with its (wide) case only when there is one.
    pk = (IntakeReceipt.objects.filter(token=token, case__isnull=False)
          .values_list("pk", flat=True).first())
    return None if pk is None else IntakeReceipt.objects.select_related("case").get(pk=pk)


@lru_cache(maxsize=64)  # a handful of wordings, each parsed once per process, not per submission
def notice_fingerprint(notice_html: str) -> str:
    """Which wording of the privacy notice the person agreed to (kept with the case)."""
    text = " ".join(strip_tags(notice_html).split())
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def case_extra(*, page, form) -> dict:
    return {
        "source": "online_form",
        "form_page": {"id": page.pk, "title": page.title, "revision": page.live_revision_id},
        "fields": form.extra_answers(),
        "privacy_consent": {"at": timezone.now().isoformat(timespec="seconds"),
                            "notice": notice_fingerprint(privacy_notice_html(page))},
    }


def intake_submit(*, page, form) -> Case:
    """Register the complaint in a valid intake form. Raises AlreadySubmitted when the form's
    token was used before (the same case is the answer) and CaseError when the service refuses."""
    try:
        return _register(page=page, form=form)
    except IntegrityError as exc:
        if not _token_taken(exc):
            raise
        # Rolled back; a concurrent twin that held the token has committed (or given it up).
        existing = receipt_for_token(form.token)
        if existing is None:
            raise CaseError("该表单正在提交，请稍候刷新页面查看结果。") from None
        raise AlreadySubmitted(existing) from None


def _token_taken(exc: IntegrityError) -> bool:
    """The unique receipt token was violated (not another constraint of the registration)."""
    table = IntakeReceipt._meta.db_table
    diag = getattr(exc.__cause__, "diag", None)
    if diag is not None:  # PostgreSQL: unique_violation on the token's key (…_token_key)
        return (getattr(exc.__cause__, "sqlstate", "") == "23505" and diag.table_name == table
                and "token" in (diag.constraint_name or ""))
    return str(exc) == f"UNIQUE constraint failed: {table}.token"  # SQLite


@stored_files_rollback_guard()  # outside the atomic block: runs after its rollback
@transaction.atomic
def _register(*, page, form) -> Case:
    channel = page.online_channel()
    if channel is None:
        raise CaseError("网上受理暂未开通，请通过其他受理渠道反映。")
    data = form.cleaned_data
    # Inside this transaction and files guard: a refusal rolls back the receipt too.
    case = case_register_in_transaction(
        mechanism=page.mechanism, channel=channel, actor=Actor.public(PUBLIC_ACTOR_LABEL),
        complainant_type=data["complainant_type"], complainant_name=data["complainant_name"],
        complainant_id_number=data["complainant_id_number"],
        complainant_phone=data["complainant_phone"], employer_name=data["employer_name"],
        employer_credit_code=data["employer_credit_code"], category=data["category"],
        facts=data["facts"], request=data["request"], people_count=data["people_count"],
        extra=case_extra(page=page, form=form),
        attachments=data["attachments"],
        before_numbering=lambda case: _receipt_write(token=form.token, page=page, case=case),
        ends_transaction=True,  # nothing follows: the commit
    )
    return case


def _receipt_write(*, token: str, page, case: Case) -> None:
    # Written with the case row (cases.deferred): a concurrent second POST of the same token
    # waits on the first one's lock, then its numbering statement fails on the unique token and
    # rolls back the whole transaction (case and files with it); intake_submit then reads the
    # existing receipt. Outside a registration (never, today) it is saved at once.
    receipt = IntakeReceipt(token=token, page=page, case=case)
    if not row_defer(receipt):
        receipt.save(force_insert=True)
