"""Registration (受理登记): every channel — public form, staff intake, API — ends here."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import weakref
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from cases.actors import Actor
from cases.clocks import clocks_apply, default_tier
from cases.deferred import rows_deferred
from cases.errors import CaseError
from cases.identity import validate_credit_code, validate_mobile, validate_resident_id
from cases.localtime import local_date
from cases.models import (
    Attachment,
    Case,
    CaseStatus,
    Channel,
    ComplainantType,
    DisputeCategory,
    Mechanism,
    Tier,
    TimelineEvent,
    Unit,
)
from cases.numbering import case_id_allocate, case_insert_numbered, provisional_number
from cases.policy import case_roles, membership
from cases.services.core import record_event
from cases.workflow import check

logger = logging.getLogger(__name__)
QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
LANDLINE_RE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


class DuplicateTicket(CaseError):
    """The channel's ticket was registered before: callers that must be idempotent return it."""

    def __init__(self, case: Case):
        super().__init__(f"该渠道工单号已登记为 {case.number}。", field="channel_ticket")
        self.case = case


@dataclass(frozen=True)
class NewAttachment:
    name: str
    content_type: str
    content: bytes


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(8))


def _clean(field: str, validator, value: str) -> str:
    try:
        return validator(value)
    except ValidationError as exc:
        raise CaseError(exc.messages[0], field=field) from exc


def _clean_phone(value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    if LANDLINE_RE.match(value.replace(" ", "")):
        return value.replace(" ", "")
    return _clean("complainant_phone", validate_mobile, value)


def _accepting_unit(*, actor: Actor, mechanism: Mechanism, requested: Unit | None) -> Unit:
    office = mechanism.office_unit
    if actor.kind != "staff":
        return office  # the office owns cases that arrive with nobody's first hand on them
    m = membership(actor.user)
    own = list(Unit.objects.filter(pk__in=m.unit_ids, mechanism=mechanism).order_by("sort_order"))
    if requested is not None:
        if requested.mechanism_id != mechanism.pk:
            raise CaseError("受理单位不属于本机制。", field="accepting_unit")
        if requested in own or "office" in case_roles(actor, None, mechanism=mechanism):
            return requested
        raise CaseError("只能以本单位名义受理。", field="accepting_unit")
    if own:
        return own[0]
    if "office" in case_roles(actor, None, mechanism=mechanism):
        return office
    raise CaseError("您不属于本机制的任何成员单位，不能受理。")


# --- files written inside a transaction ------------------------------------------------------
# Storage is not transactional and Django has no rollback hook: the files a rolled-back
# transaction wrote would stay on disk with no row naming them. A guard collects them.
_stored: ContextVar[list | None] = ContextVar("onestop_stored_files", default=None)


def _delete_files(files: list) -> None:
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:  # already gone or unreachable: nothing left to point at it anyway
            logger.warning("回滚后未能删除文件 %s", name, exc_info=True)


def _delete_unless_committed(files: list, state: dict) -> None:
    if not state["committed"]:
        _delete_files(files)


def _delete_if_rolled_back(files: list) -> None:
    """An enclosing transaction nobody guards is still open. Django drops its on_commit
    callbacks on rollback (savepoint or whole) and calls them on commit; a callback that is
    dropped without being called was rolled back, and its finalizer deletes the files."""
    state = {"committed": False}

    def committed() -> None:
        state["committed"] = True

    weakref.finalize(committed, _delete_unless_committed, files, state)
    transaction.on_commit(committed)


@contextmanager
def stored_files_rollback_guard():
    """Wrap a transaction that stores files (outside its ``atomic``): if the block raises, the
    files it stored are deleted. A guard inside another hands its files to the outer one; the
    outermost guard, if a transaction is still open around it, deletes them if that rolls back."""
    outer = _stored.get()
    files: list = []
    token = _stored.set(files)
    try:
        yield
    except BaseException:
        _delete_files(files)
        raise
    finally:
        _stored.reset(token)
    if outer is not None:
        outer.extend(files)
    elif files and transaction.get_connection().in_atomic_block:
        _delete_if_rolled_back(files)


def _stored_file(field) -> None:
    files = _stored.get()
    if files is not None:
        files.append((field.storage, field.name))
    elif transaction.get_connection().in_atomic_block:
        _delete_if_rolled_back([(field.storage, field.name)])


def attachments_add(*, case: Case, files: list[NewAttachment], actor: Actor) -> list[Attachment]:
    created = []
    for item in files:
        attachment = Attachment(
            case=case, original_name=item.name[:200], content_type=item.content_type,
            size=len(item.content), sha256=hashlib.sha256(item.content).hexdigest(),
            uploaded_by=actor.history_user,
        )
        attachment.file.save("upload", ContentFile(item.content), save=False)
        _stored_file(attachment.file)
        attachment._history_user = actor.history_user
        attachment._change_reason = "上传附件"
        attachment.save()
        created.append(attachment)
    return created


@stored_files_rollback_guard()
@transaction.atomic
def case_register(**kwargs) -> Case:
    """Register a complaint in its own transaction (a savepoint inside the caller's) and files
    guard; the arguments are case_register_in_transaction's."""
    return case_register_in_transaction(**kwargs)


def case_register_in_transaction(
    *,
    mechanism: Mechanism,
    channel: Channel,
    actor: Actor,
    complainant_type: str,
    complainant_name: str,
    category: DisputeCategory,
    facts: str,
    request: str = "",
    complainant_id_number: str = "",
    complainant_phone: str = "",
    complainant_address: str = "",
    employer_name: str = "",
    employer_credit_code: str = "",
    people_count: int = 1,
    channel_ticket: str = "",
    accepting_unit: Unit | None = None,
    tier: Tier | None = None,
    tier_reason: str = "",
    accepted_at: datetime | None = None,
    extra: dict | None = None,
    risk_group: bool = False,
    risk_public_opinion: bool = False,
    risk_safety: bool = False,
    attachments: list[NewAttachment] = (),
    before_numbering: Callable[[Case], None] | None = None,
    ends_transaction: bool = False,
) -> Case:
    """Register a complaint: start its clocks, write history and the first event, number it.
    For a caller whose own atomic block and stored_files_rollback_guard already enclose the
    whole registration, so that a refusal rolls everything back (the online form): no savepoint.
    `before_numbering(case)` writes the caller's own rows before the number (and its lock) is
    taken; nothing may follow the numbering in the transaction but the commit.
    `ends_transaction`: the caller's own outermost atomic block commits as soon as this returns,
    with nothing in between that can fail (see case_insert_numbered)."""
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError("case_register_in_transaction needs a transaction")
    check("register", None, case_roles(actor, None, mechanism=mechanism))
    for obj, label, field in ((channel, "受理渠道", "channel"), (category, "争议类别", "category"),
                              (tier, "分级", "tier")):
        if obj is not None and obj.mechanism_id != mechanism.pk:
            raise CaseError(f"{label}不属于本机制。", field=field)
    if complainant_type not in ComplainantType.values:
        raise CaseError("请选择反映人类型（个人或用人单位）。", field="complainant_type")
    if not complainant_name.strip():
        raise CaseError("请填写反映人姓名或单位名称。", field="complainant_name")
    if not facts.strip():
        raise CaseError("请填写反映的主要内容。", field="facts")
    if people_count < 1:
        raise CaseError("涉及人数至少为 1。", field="people_count")
    id_number = complainant_id_number.strip()
    if id_number:
        validator = (validate_resident_id if complainant_type == ComplainantType.INDIVIDUAL
                     else validate_credit_code)
        id_number = _clean("complainant_id_number", validator, id_number)
    credit = employer_credit_code.strip()
    if credit:
        credit = _clean("employer_credit_code", validate_credit_code, credit)
    ticket = channel_ticket.strip()
    if ticket:
        existing = Case.objects.filter(channel=channel, channel_ticket=ticket).first()
        if existing:
            raise DuplicateTicket(existing)
    unit = _accepting_unit(actor=actor, mechanism=mechanism, requested=accepting_unit)
    accepted_at = accepted_at or timezone.now()
    year = local_date(accepted_at).year
    number = provisional_number()  # the real one last: see cases.numbering
    case = Case(
        number=number, mechanism=mechanism, year=year, query_code=new_query_code(),
        channel=channel, channel_ticket=ticket, accepting_unit=unit,
        accepted_by=actor.history_user, accepted_at=accepted_at,
        complainant_type=complainant_type, complainant_name=complainant_name.strip(),
        complainant_id_number=id_number, complainant_phone=_clean_phone(complainant_phone),
        complainant_address=complainant_address.strip(), employer_name=employer_name.strip(),
        employer_credit_code=credit, category=category, facts=facts.strip(),
        request=request.strip(), people_count=people_count, extra=extra or {},
        tier=tier or default_tier(mechanism), tier_reason=tier_reason.strip(),
        lead_unit=None, status=CaseStatus.ACCEPTED, risk_group=risk_group,
        risk_public_opinion=risk_public_opinion, risk_safety=risk_safety,
    )
    clocks_apply(case, extensions={})
    # The case row itself is written last, numbered (cases.numbering); what points at it first —
    # the rows that need no round trip of their own go with the case row (cases.deferred).
    with rows_deferred():
        case_id_allocate(case, ids_for=(TimelineEvent,))
        attachments_add(case=case, files=list(attachments), actor=actor)
        record_event(case, action="register", actor=actor, unit=unit,
                     note=f"经{channel.name}受理" + (f"，工单号 {ticket}" if ticket else ""),
                     public=f"您反映的事项已由{unit.name}受理，受理编号 {number}")
        if before_numbering is not None:
            before_numbering(case)
        case_insert_numbered(case=case, history_user=actor.history_user,
                             reason=f"受理登记（{channel.name}）", ends_transaction=ends_transaction)
    return case
