"""PostgreSQL refuses UPDATE and DELETE on the audit table at the database level, except
clearing a foreign key when a user/mechanism row is deleted, and deletes inside audit_purge
(which sets onestop.audit_purge for its own transaction). SQLite (development) has no guard."""

from django.db import migrations

GUARD = r"""
CREATE OR REPLACE FUNCTION security_auditevent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('onestop.audit_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '审计记录只能追加，不能删除';
    END IF;
    IF (NEW.id, NEW.at, NEW.action, NEW.username, NEW.ip, NEW.user_agent, NEW.path,
        NEW.target_id, NEW.target_label, NEW.detail::text)
       IS DISTINCT FROM
       (OLD.id, OLD.at, OLD.action, OLD.username, OLD.ip, OLD.user_agent, OLD.path,
        OLD.target_id, OLD.target_label, OLD.detail::text)
       OR (NEW.user_id IS NOT NULL AND NEW.user_id IS DISTINCT FROM OLD.user_id)
       OR (NEW.mechanism_id IS NOT NULL AND NEW.mechanism_id IS DISTINCT FROM OLD.mechanism_id)
       OR (NEW.target_type_id IS NOT NULL AND NEW.target_type_id IS DISTINCT FROM OLD.target_type_id)
    THEN
        RAISE EXCEPTION '审计记录只能追加，不能修改';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS security_auditevent_guard ON security_auditevent;
CREATE TRIGGER security_auditevent_guard BEFORE UPDATE OR DELETE ON security_auditevent
    FOR EACH ROW EXECUTE FUNCTION security_auditevent_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS security_auditevent_guard ON security_auditevent;
DROP FUNCTION IF EXISTS security_auditevent_guard();
"""


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return apply


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(_run(GUARD), _run(UNGUARD), elidable=False)]
