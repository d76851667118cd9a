"""Cost of the character-pair indexes per inserted case, old (SQL) and new (PL/pgSQL) function
(migration 0015), measured on the PostgreSQL server alone.

    .venv/bin/python bench/pair_function_bench.py [--rows 4000] [--rounds 5]

In a scratch database (onestop_load_pairs, dropped after) a table shaped like the case table's
two name columns is filled with --rows rows one INSERT statement at a time (as registrations
insert), without pair indexes and with the two pair indexes under each definition, the variants
taking turns --rounds times. Prints the median server milliseconds per insert of each variant
and what the pair indexes add to a plain insert.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from importlib import import_module
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._server import drop_database, fresh_database  # noqa: E402

NAME = "onestop_load_pairs"
MIGRATION = import_module("cases.migrations.0015_bigrams_plpgsql")
SURNAMES, GIVEN = "王李张刘陈杨赵黄周吴郭", ["秀英", "建国", "丽华", "志强", "芳", "伟", "敏"]
EMPLOYERS = ["泫氏建筑", "高平煤业", "沅江造船", "洞庭湖渔业", "三晋物流", "益阳纺织"]
LOAD = """
CREATE OR REPLACE FUNCTION pg_temp.load(n int) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp(); r record;
BEGIN
    FOR r IN SELECT * FROM source LIMIT n LOOP
        EXECUTE 'INSERT INTO target VALUES ($1, $2)' USING r.complainant_name, r.employer_name;
    END LOOP;
    RETURN extract(epoch FROM clock_timestamp() - t0) * 1000 / n;
END $$
"""


def variant(conn, definition: str | None) -> None:
    conn.execute("DROP TABLE IF EXISTS target")
    conn.execute("CREATE TABLE target (complainant_name varchar(100), employer_name varchar(100))")
    if definition is not None:
        conn.execute(definition)
        for column in ("complainant_name", "employer_name"):
            conn.execute(f"CREATE INDEX ON target USING gin (onestop_bigrams(UPPER({column}::text)))")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    url = fresh_database("postgres", NAME)
    rng = random.Random(7)
    rows = [(rng.choice(SURNAMES) + rng.choice(GIVEN),
             f"{rng.choice(['高平市', '沅江市', ''])}{rng.choice(EMPLOYERS)}有限公司")
            for _ in range(args.rows)]
    variants = {"无字对索引": None, "SQL 函数（0008）": MIGRATION.SQL,
                "PL/pgSQL 函数（0015）": MIGRATION.PLPGSQL}
    times: dict[str, list[float]] = {label: [] for label in variants}
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE source (complainant_name text, employer_name text)")
            with conn.cursor() as cursor:
                cursor.executemany("INSERT INTO source VALUES (%s, %s)", rows)
            conn.execute(LOAD)
            for round_no in range(args.rounds):
                order = list(variants.items())
                for label, definition in order if round_no % 2 == 0 else order[::-1]:
                    variant(conn, definition)
                    times[label].append(conn.execute("SELECT pg_temp.load(%s)",
                                                     [args.rows]).fetchone()[0])
    finally:
        drop_database("postgres", NAME)
    plain = statistics.median(times["无字对索引"])
    for label, values in times.items():
        median = statistics.median(values)
        extra = f"，字对索引增加 {median - plain:.3f} 毫秒" if variants[label] else ""
        print(f"{label}：每行 {median:.3f} 毫秒（{args.rounds} 轮中位数）{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
