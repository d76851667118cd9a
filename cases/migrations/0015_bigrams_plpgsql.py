"""The character-pair function of 0008, rewritten in PL/pgSQL. As a SQL function with a FROM
clause it could not be inlined, so PostgreSQL parsed and planned its body again for every
statement that evaluated it — each new case's two pair indexes cost ~0.15 ms of the server's
CPU (half the cost of all 34 of the case table's indexes). PL/pgSQL keeps its plan for the
session and this loop has none. Same pairs as before (order aside, which a GIN index and @> ignore),
so the indexes built by 0008 stay valid: no rebuild."""

from django.db import migrations

PLPGSQL = """
CREATE OR REPLACE FUNCTION onestop_bigrams(value text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    pairs text[] := '{}';
    pair text;
BEGIN
    IF value IS NULL THEN
        RETURN pairs;
    END IF;
    FOR i IN 1 .. length(value) - 1 LOOP
        pair := substr(value, i, 2);
        IF NOT pair = ANY (pairs) THEN
            pairs := pairs || pair;
        END IF;
    END LOOP;
    RETURN pairs;
END
$$
"""

SQL = """
CREATE OR REPLACE FUNCTION onestop_bigrams(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(array_agg(DISTINCT substr(value, i, 2)), '{}')
    FROM generate_series(1, length(value) - 1) AS i
$$
"""


def to_plpgsql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PLPGSQL)


def to_sql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_seq_required")]
    operations = [migrations.RunPython(to_plpgsql, to_sql)]
