"""Index-backed substring search on PostgreSQL: trigram GIN indexes on the expressions Django
emits for icontains (UPPER(col::text) LIKE UPPER(%s)). SQLite keeps the plain scan."""

from django.db import migrations

COLUMNS = ("complainant_name", "employer_name")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS case_{column}_trgm ON cases_case '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS case_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_attachment_private_storage")]
    operations = [migrations.RunPython(create, drop)]
