"""Archived cases past the retention period lose their personal data everywhere it was kept."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from cases.actors import Actor
from cases.models import Attachment, Case, CaseStatus
from cases.services import closing
from cases.services.intake import NewAttachment
from security.models import AuditAction, AuditEvent
from security.retention import ANON_NAME, CHANGE_REASON, REMOVED

pytestmark = pytest.mark.django_db

NAME = "王建国"
ID_NUMBER = "14058119800101001X"
PHONE = "13912346621"
ADDRESS = "高平市米山镇东街18号"
SIX_YEARS = timedelta(days=6 * 365)


def run(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("anonymise_cases", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def make_case(gaoping, staff, register, monkeypatch):
    """make_case(age) -> a case registered, settled on the spot and archived `age` ago."""
    window = Actor.staff(staff(gaoping, "tax"))

    def make(age=SIX_YEARS, archive=True, name=NAME):
        real_now = timezone.now
        monkeypatch.setattr(timezone, "now", lambda: real_now() - age)
        case = register(
            gaoping, window, channel=gaoping.channels.get(code="service-hall"),
            complainant_name=name, complainant_id_number=ID_NUMBER, complainant_phone=PHONE,
            complainant_address=ADDRESS, facts=f"本人{name}，电话{PHONE}，单位欠缴社保费。",
            attachments=[NewAttachment(name=f"{name}身份证.jpg", content_type="image/jpeg",
                                       content=b"\xff\xd8\xff personal scan")])
        case = closing.case_settle_on_spot(
            case=case, actor=window, feedback_method="oral",
            result=f"当场向{name}（{PHONE}）解释缴费基数政策，缴费人认可。")
        if archive:
            case = closing.case_archive(case=case, actor=window)
        monkeypatch.setattr(timezone, "now", real_now)
        return Case.objects.get(pk=case.pk)

    return make


def stored_text(case_id: int) -> str:
    """Every column of every row the database keeps about the case, as one string."""
    queries = [
        ("SELECT * FROM cases_case WHERE id = %s", [case_id]),
        ("SELECT * FROM cases_historicalcase WHERE id = %s", [case_id]),
        ("SELECT * FROM cases_timelineevent WHERE case_id = %s", [case_id]),
        ("SELECT * FROM cases_attachment WHERE case_id = %s", [case_id]),
        ("SELECT * FROM cases_historicalattachment WHERE case_id = %s", [case_id]),
        ("SELECT * FROM notifications_outbox WHERE case_id = %s", [case_id]),
    ]
    parts = []
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            parts += [str(row) for row in cursor.fetchall()]
    return "\n".join(parts)


def test_an_expired_case_keeps_no_personal_data_anywhere(make_case, settings):
    case = make_case()
    before = stored_text(case.pk)
    assert NAME in before and ADDRESS in before  # the scan would see them if they were left

    out = run()
    assert "已匿名化" in out and "1 件" in out

    text = stored_text(case.pk)
    for secret in (NAME, ID_NUMBER, PHONE, ADDRESS, "米山镇", "身份证.jpg"):
        assert secret not in text, secret
    case.refresh_from_db()
    assert (case.complainant_name, case.complainant_id_number, case.complainant_phone,
            case.complainant_address) == (ANON_NAME, "", "", "")
    assert case.facts == REMOVED
    assert case.result == "当场向王某（＊＊＊）解释缴费基数政策，缴费人认可。"
    assert case.complainant_id_number_hash == "" and case.complainant_phone_hash == ""
    assert not case.attachments.exists()


def test_what_is_kept_is_enough_for_the_ledger_and_statistics(make_case):
    case = make_case()
    kept = {f: getattr(case, f) for f in ("number", "accepted_at", "archived_at", "category_id",
                                          "tier_id", "accepting_unit_id", "settled_by_unit_id",
                                          "status", "settlement_method", "archive_number")}
    run()
    case.refresh_from_db()
    assert {f: getattr(case, f) for f in kept} == kept
    assert case.status == CaseStatus.ARCHIVED
    assert [e.action for e in case.events.all()] == ["register", "classify", "settle_on_spot",
                                                     "archive"]


def test_history_keeps_its_rows_and_records_the_anonymisation(make_case):
    case = make_case()
    count = case.history.count()
    run()
    rows = list(case.history.all())
    assert len(rows) == count + 1  # one new version, the old ones rewritten in place
    assert rows[0].history_change_reason == CHANGE_REASON
    assert {r.complainant_name for r in rows} == {ANON_NAME}
    assert {r.complainant_id_number for r in rows} == {""}
    attachment_history = Attachment.history.filter(case_id=case.pk)
    assert attachment_history.filter(history_type="-").exists()  # the deletion is on record


def test_attachment_files_are_deleted_from_storage(make_case, django_capture_on_commit_callbacks):
    case = make_case()
    name = case.attachments.get().file.name
    storage = Attachment._meta.get_field("file").storage
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert not storage.exists(name)


def test_the_run_is_audited_and_idempotent(make_case):
    case = make_case()
    run()
    event = AuditEvent.objects.get(action=AuditAction.ANONYMISE)
    assert event.detail["cases"] == 1 and event.detail["numbers"] == [case.number]
    assert event.detail["by"].startswith("命令行")
    history = case.history.count()
    out = run()
    assert "0 件" in out
    assert case.history.count() == history
    assert AuditEvent.objects.filter(action=AuditAction.ANONYMISE).count() == 1


def test_dry_run_lists_the_cases_and_changes_nothing(make_case):
    case = make_case()
    out = run("--dry-run")
    assert "试运行" in out and case.number in out
    case.refresh_from_db()
    assert case.complainant_name == NAME and case.complainant_id_number == ID_NUMBER
    assert case.attachments.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.ANONYMISE).exists()


def test_recent_archives_and_open_cases_are_left_alone(make_case, settings):
    recent = make_case(age=timedelta(days=30), name="李小红")
    still_open = make_case(archive=False, name="赵丽华")
    assert still_open.status != CaseStatus.ARCHIVED
    run()
    for case in (recent, still_open):
        case.refresh_from_db()
        assert case.complainant_name != ANON_NAME and case.complainant_phone == PHONE


def test_the_retention_setting_and_the_option_choose_the_period(make_case, settings):
    case = make_case()
    settings.ONESTOP_RETENTION_DAYS = 10 * 365
    assert "0 件" in run()
    assert "1 件" in run("--older-than-days", str(5 * 365))
    case.refresh_from_db()
    assert case.complainant_name == ANON_NAME


def test_a_period_shorter_than_a_year_is_refused(make_case):
    make_case()
    with pytest.raises(CommandError, match="不能少于365天"):
        run("--older-than-days", "30")
