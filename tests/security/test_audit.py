"""The audit trail: the service, append-only rows, retention, exports, the office's view."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.actors import Actor
from security.models import AuditAction, AuditEvent, AuditImmutableError
from security.services import AuditError, audit_record

pytestmark = pytest.mark.django_db

AUDIT = "/admin/security/audit/"


def old_event(days: int, **fields) -> AuditEvent:
    event = AuditEvent(action="login", at=timezone.now() - timedelta(days=days), **fields)
    event.save()
    return event


def test_audit_record_is_the_hook_for_other_apps(rf, gaoping, staff, register):
    clerk = staff(gaoping, "petition")
    case = register(gaoping, Actor.staff(clerk))
    request = rf.post("/admin/docgen/draft/", HTTP_USER_AGENT="Mozilla/5.0", REMOTE_ADDR="10.2.0.1")
    request.user = clerk
    event = audit_record(action="document", request=request, obj=case,
                         detail={"kind": "acknowledgement", "password": "x", "when": timezone.now()})
    event.refresh_from_db()
    assert event.user == clerk and event.ip == "10.2.0.1" and event.user_agent == "Mozilla/5.0"
    assert event.path == "/admin/docgen/draft/" and event.mechanism_id == gaoping.pk
    assert event.target_label == case.number and event.action_label == "公文生成"
    assert "password" not in event.detail and isinstance(event.detail["when"], str)
    with pytest.raises(AuditError):
        audit_record(action="Drop Table", user=clerk)
    assert audit_record(action="docgen.issue").action_label == "docgen.issue"


def test_rows_cannot_be_changed_or_deleted_through_the_orm():
    event = audit_record(action=AuditAction.LOGIN)
    event.action = "logout"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="logout")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="仅 PostgreSQL 有数据库级只追加触发器")
def test_postgresql_refuses_raw_sql_changes():
    from django.db import DatabaseError, transaction

    event = audit_record(action=AuditAction.LOGIN)
    for sql in ("UPDATE security_auditevent SET action = 'x' WHERE id = %s",
                "DELETE FROM security_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, action="login").exists()


def test_deleting_a_user_keeps_the_rows_and_the_username(django_user_model):
    user = django_user_model.objects.create(username="temp_clerk")
    event = audit_record(action=AuditAction.LOGIN, user=user)
    user.delete()
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.user is None and event.username == "temp_clerk"


def test_purge_refuses_less_than_180_days():
    old_event(400)
    with pytest.raises(CommandError, match="至少保存180天"):
        call_command("purge_audit", "--older-than-days", "179")
    assert AuditEvent.objects.count() == 1


def test_purge_deletes_only_older_rows_and_records_itself():
    old_event(400)
    old_event(200)
    kept = old_event(100)
    call_command("purge_audit", "--older-than-days", "180")
    remaining = AuditEvent.objects.all()
    assert kept in remaining and remaining.filter(at__lt=timezone.now() - timedelta(days=180)).count() == 0
    purge = remaining.get(action=AuditAction.PURGE)
    assert purge.detail["deleted"] == 2 and purge.detail["older_than_days"] == 180


def test_a_ledger_export_is_audited(client, gaoping, staff, register):
    office = staff(gaoping, "office")
    register(gaoping, Actor.staff(staff(gaoping, "petition")))
    client.force_login(office)
    response = client.get("/admin/cases/case/?export=xlsx&status=accepted")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.user == office and event.detail["rows"] == 1
    assert "status=accepted" in event.detail["query"] and event.mechanism_id == gaoping.pk


@pytest.fixture
def events(gaoping, yuanjiang, staff, admin_user):
    gp = staff(gaoping, "tax")
    yj = staff(yuanjiang, "tax")
    audit_record(action=AuditAction.LOGIN, user=gp)
    audit_record(action=AuditAction.EXPORT, user=gp)
    audit_record(action=AuditAction.LOGIN, user=yj)
    old_event(40, username=gp.username, mechanism=gaoping)
    return {"gp": gp, "yj": yj}


def listed(client, query=""):
    response = client.get(AUDIT + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_office_sees_its_mechanisms_events_only(client, events, gaoping, staff):
    client.force_login(staff(gaoping, "office"))  # itself a login event of 高平
    html = listed(client)
    assert "共 4 条" in html and events["yj"].username not in html and "gp_office" in html


def test_superusers_see_everything_and_can_filter(client, events, admin_user):
    client.force_login(admin_user)
    assert "共 5 条" in listed(client)
    assert "共 1 条" in listed(client, "?action=export")
    assert "共 3 条" in listed(client, f"?user={events['gp'].username}")
    today = timezone.localdate()
    assert "共 2 条" in listed(client, f"?action=login&date_from={today - timedelta(days=1)}"
                                       f"&user=_tax")
    assert "共 1 条" in listed(client, f"?date_to={today - timedelta(days=30)}")


def test_clerks_and_leaders_cannot_open_the_audit_log(client, events, gaoping, staff, leader):
    for user in (staff(gaoping, "tax"), leader(gaoping)):
        client.force_login(user)
        assert client.get(AUDIT).status_code == 403


def test_an_auditor_role_sees_everything(client, events, django_user_model):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="审计管理员")
    group.permissions.add(Permission.objects.get(codename="access_admin"),
                          Permission.objects.get(codename="view_auditevent"))
    auditor = django_user_model.objects.create(username="auditor")
    auditor.groups.add(group)
    client.force_login(auditor)
    assert "共 5 条" in listed(client)


def test_the_audit_view_links_to_case_history_and_site_history(client, gaoping, staff, register,
                                                              admin_user):
    case = register(gaoping, Actor.staff(staff(gaoping, "petition")))
    audit_record(action=AuditAction.REVEAL, user=admin_user, obj=case)
    client.force_login(admin_user)
    html = listed(client)
    case_url = reverse("cases_case_modeladmin_inspect", args=[case.pk])
    assert f"{case_url}#history" in html and f"{case_url}#timeline" in html
    assert reverse("wagtailadmin_reports:site_history") in html


def test_no_admin_screen_edits_or_deletes_history(client, admin_user, settings):
    """Neither the audit table nor simple-history's tables have an edit or delete screen."""
    from django.urls import get_resolver
    from wagtail.snippets.models import get_snippet_models

    from cases.wagtail_hooks import case_admin

    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True

    def routes(resolver, prefix=""):
        for p in resolver.url_patterns:
            if hasattr(p, "url_patterns"):
                yield from routes(p, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)

    text = " ".join(routes(get_resolver())).lower()
    assert "auditevent" not in text and "historical" not in text
    # django.contrib.admin (where SimpleHistoryAdmin screens would live) is not mounted.
    assert "admin" not in get_resolver().namespace_dict
    snippets = {m._meta.label for m in get_snippet_models()}
    assert not {label for label in snippets if "Historical" in label or label == "security.AuditEvent"}
    assert not case_admin.permission_helper.user_can_edit_obj(admin_user, None)
    client.force_login(admin_user)
    assert client.get(AUDIT).status_code == 200
    for suffix in ("1/edit/", "1/delete/", "edit/1/", "delete/1/"):
        assert client.get(AUDIT + suffix).status_code == 404


def test_account_changes_are_in_wagtails_site_history(client, admin_user, django_user_model):
    """Privilege changes are audited by Wagtail itself; the audit view links there."""
    from wagtail.models import ModelLogEntry

    someone = django_user_model.objects.create(username="someone")
    client.force_login(admin_user)
    response = client.post(reverse("wagtailusers_users:edit", args=[someone.pk]), {
        "username": "someone", "email": "s@example.gov.cn", "first_name": "某", "last_name": "人",
        "is_active": "on", "is_superuser": "on", "password1": "", "password2": ""})
    assert response.status_code == 302
    assert ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(someone.pk)).exists()
    assert "someone" in client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
