"""The character-pair function of 0008, rewritten in PL/pgSQL. As a SQL function with a FROM
clause it could not be inlined, so PostgreSQL parsed and planned its body again for every
statement that evaluated it: each new case's two pair indexes cost 0.111 ms of the server's
time, now 0.026 ms (bench/pair_function_bench.py). PL/pgSQL keeps its plan for the session
and this loop has none. Same pairs as before (order aside, which a GIN index and @> ignore),
so the indexes built by 0008 stay valid: no rebuild."""

from importlib import import_module

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

# The definition being replaced, as 0008 created it (the reverse migration restores it).
SQL = import_module("cases.migrations.0008_bigram_search_indexes").FUNCTION


def to_plpgsql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PLPGSQL)


def to_sql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SQL)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_seq_required")]
    operations = [migrations.RunPython(to_plpgsql, to_sql)]
