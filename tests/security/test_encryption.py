"""ID numbers and phones are encrypted at rest; exact search still works through blind indexes."""

import base64
import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection

from cases.actors import Actor
from cases.models import Case
from cases.selectors import possible_duplicates
from security.crypto import FieldDecryptionError, blind_index

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LEDGER = "/admin/cases/case/"
ID_NUMBER = "14058119800101001X"  # valid check character
PHONE = "13912346621"
OTHER_KEY = base64.b64encode(b"another-deployment-key-32-bytes!").decode()


def raw_rows(table: str, where: str, params) -> list[tuple]:
    # History keeps the ciphertext only; the blind indexes live on the case table.
    hashes = ", complainant_id_number_hash, complainant_phone_hash" if table == "cases_case" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT complainant_id_number, complainant_phone{hashes} FROM {table} "
                       f"WHERE {where}", params)
        return cursor.fetchall()


@pytest.fixture
def petition(gaoping, staff):
    return staff(gaoping, "petition")


@pytest.fixture
def case(gaoping, petition, register):
    return register(gaoping, Actor.staff(petition), complainant_id_number=ID_NUMBER,
                    complainant_phone=PHONE)


def test_the_database_column_holds_no_plain_id_number_or_phone(case):
    [row] = raw_rows("cases_case", "id = %s", [case.pk])
    for value in row:
        assert ID_NUMBER not in value and PHONE not in value
        assert "0101001" not in value and "1234" not in value  # not even a fragment
    assert row[0].startswith("enc1:") and row[1].startswith("enc1:")
    again = Case.objects.get(pk=case.pk)
    assert (again.complainant_id_number, again.complainant_phone) == (ID_NUMBER, PHONE)


def test_two_cases_of_one_person_store_different_ciphertexts_but_the_same_hash(
        gaoping, petition, register, case):
    second = register(gaoping, Actor.staff(petition), complainant_id_number=ID_NUMBER,
                      complainant_phone=PHONE)
    [first_row] = raw_rows("cases_case", "id = %s", [case.pk])
    [second_row] = raw_rows("cases_case", "id = %s", [second.pk])
    assert first_row[0] != second_row[0]  # random nonce: equal values are not visible as equal
    assert first_row[2:] == second_row[2:] == (blind_index(ID_NUMBER), blind_index(PHONE))


def test_history_rows_are_encrypted_too(case, petition):
    from cases.services import handling

    handling.case_transfer(case=case, actor=Actor.staff(petition),
                           lead_unit=case.mechanism.units.get(code="tax"))
    rows = raw_rows("cases_historicalcase", "id = %s", [case.pk])
    assert len(rows) >= 2
    for row in rows:
        assert row[0].startswith("enc1:") and row[1].startswith("enc1:")
        assert all(ID_NUMBER not in v and PHONE not in v for v in row)
    assert {h.complainant_id_number for h in case.history.all()} == {ID_NUMBER}


def test_the_ledger_finds_a_case_by_full_id_number_or_phone(client, case, gaoping, petition,
                                                            register, staff):
    other = register(gaoping, Actor.staff(petition), complainant_name="赵丽华")
    client.force_login(staff(gaoping, "office"))
    # As typed by a clerk: lower-case x, spaces, full-width digits, a +86 prefix.
    for query in (ID_NUMBER.lower(), "140581 19800101 001x", "１４０５８１１９８００１０１００１Ｘ",
                  PHONE, "+86 139-1234-6621"):
        html = client.get(LEDGER, {"q": query}).content.decode()
        assert case.number in html, query
        assert other.number not in html, query


def test_possible_duplicates_match_the_same_person(case, gaoping, petition, register):
    later = register(gaoping, Actor.staff(petition), complainant_id_number=ID_NUMBER.lower())
    by_id = possible_duplicates(mechanism=gaoping, complainant_id_number=ID_NUMBER,
                                exclude_pk=later.pk)
    by_phone = possible_duplicates(mechanism=gaoping, complainant_phone="+86 139-1234-6621",
                                   exclude_pk=later.pk)
    assert by_id == [case] and by_phone == [case]


def test_repeat_complainants_are_counted_by_the_blind_index(case, gaoping, petition, register):
    from analytics.statistics import repeat_complainants

    register(gaoping, Actor.staff(petition), complainant_id_number=ID_NUMBER)
    register(gaoping, Actor.staff(petition))  # someone else, once
    table = repeat_complainants(Case.objects.filter(mechanism=gaoping))
    assert table.rows == [["王**", "140581********001X", 2]]


def test_a_wrong_key_fails_loudly_in_chinese_instead_of_showing_garbage(case, settings):
    settings.ONESTOP_FIELD_KEY = OTHER_KEY
    with pytest.raises(FieldDecryptionError, match="另一把密钥.*ONESTOP_FIELD_KEY"):
        Case.objects.get(pk=case.pk)


def test_tampered_ciphertext_is_refused(case):
    [row] = raw_rows("cases_case", "id = %s", [case.pk])
    head, body = row[1].rsplit(":", 1)
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET complainant_phone = %s WHERE id = %s",
                       [f"{head}:{flipped}", case.pk])
    with pytest.raises(FieldDecryptionError, match="校验失败"):
        Case.objects.get(pk=case.pk)


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(case):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET complainant_phone = complainant_id_number WHERE id = %s",
                       [case.pk])
    with pytest.raises(FieldDecryptionError):
        Case.objects.get(pk=case.pk)


def test_a_lookup_on_the_encrypted_value_refuses_rather_than_missing_silently(case):
    with pytest.raises(FieldError, match="complainant_phone_hash"):
        list(Case.objects.filter(complainant_phone=PHONE))
    with pytest.raises(FieldError):
        list(Case.objects.filter(complainant_id_number__icontains="0101"))
    assert Case.objects.filter(complainant_phone_hash=blind_index(PHONE)).get() == case
    assert not Case.objects.filter(complainant_phone="").exists()  # "has no phone" still works


def test_the_data_migration_encrypts_plaintext_rows_and_is_idempotent(case):
    migration = importlib.import_module("cases.migrations.0005_encrypt_personal_data")
    with connection.cursor() as cursor:  # the state before the migration: plaintext, no hashes
        cursor.execute("UPDATE cases_case SET complainant_id_number = %s, complainant_phone = %s, "
                       "complainant_id_number_hash = '', complainant_phone_hash = '' WHERE id = %s",
                       [ID_NUMBER, PHONE, case.pk])
        cursor.execute("UPDATE cases_historicalcase SET complainant_id_number = %s, "
                       "complainant_phone = %s WHERE id = %s", [ID_NUMBER, PHONE, case.pk])
    with pytest.raises(FieldDecryptionError, match="未加密"):
        Case.objects.get(pk=case.pk)

    editor = SimpleNamespace(connection=connection)  # the function only needs its connection
    migration.encrypt_rows(apps, editor)
    for table in ("cases_case", "cases_historicalcase"):
        for row in raw_rows(table, "id = %s", [case.pk]):
            assert row[0].startswith("enc1:") and row[1].startswith("enc1:")
    [row] = raw_rows("cases_case", "id = %s", [case.pk])
    assert row[2:] == (blind_index(ID_NUMBER), blind_index(PHONE))
    assert {h.complainant_phone for h in case.history.all()} == {PHONE}
    first = raw_rows("cases_case", "id = %s", [case.pk])
    migration.encrypt_rows(apps, editor)  # a second run changes nothing
    assert raw_rows("cases_case", "id = %s", [case.pk]) == first
    assert Case.objects.get(pk=case.pk).complainant_phone == PHONE


def test_production_refuses_to_start_without_the_field_key():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "ONESTOP_FIELD_KEY", "ONESTOP_HASH_KEY")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", SECRET_KEY="x" * 60)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "ONESTOP_FIELD_KEY" in result.stderr
    env["ONESTOP_FIELD_KEY"] = "not base64!"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "base64" in result.stderr
