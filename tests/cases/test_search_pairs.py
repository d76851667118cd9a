"""The character-pair function behind two-character name search on PostgreSQL (migrations 0008,
0015): the PL/pgSQL version gives exactly the pairs of the original SQL one, so the indexes built
with the old definition still find every case; the ledger search itself is covered in
test_admin_workspace.py."""

from importlib import import_module

import pytest
from django.db import connection

# The SQL definition the pair indexes were built with (0008), which 0015 replaced.
ORIGINAL = import_module("cases.migrations.0008_bigram_search_indexes").FUNCTION

NAMES = ["王丽华", "赵丽", "高平市泫氏建筑有限公司", "阿阿阿阿", "ABAB", "A", "", "丽", "郭芳 芳郭",
         "Ω-1号 2号", "𠀀𠀁𠀂"]


def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("字对索引只在 PostgreSQL 上使用（CI 在 PostgreSQL 上运行）。")


@pytest.mark.django_db
def test_the_pairs_are_those_of_the_original_definition():
    _postgresql_only()
    with connection.cursor() as cursor:
        cursor.execute(ORIGINAL.replace("onestop_bigrams", "pg_temp.old_bigrams"))
        for name in [*NAMES, None]:
            cursor.execute("SELECT onestop_bigrams(%s), pg_temp.old_bigrams(%s)", [name, name])
            new, old = cursor.fetchone()
            assert sorted(new) == sorted(old), name
            assert len(new) == len(set(new)), name  # each pair once

