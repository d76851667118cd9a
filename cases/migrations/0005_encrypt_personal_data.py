"""Encrypt complainant ID numbers and phones at rest (docs/security.md).

Schema: both columns become text holding ``enc1:…`` ciphertext, each gets a blind-index
sibling (HMAC-SHA256), and the btree indexes move from the plaintext columns to the hashes.
The pg_trgm indexes of 0003 cover complainant_name and employer_name only, which stay plain, so
nothing there changes.

Data: every live and historical row is rewritten in place with raw SQL, in pk batches (history
keeps only the ciphertext; the hashes are searched on live rows). The historical rows ARE the
history, so rewriting their storage form adds no history of its own.
Rows already encrypted are left alone, so a re-run (or a half-done run) is harmless. The
reverse decrypts, so the migration can be rolled back with the same key.
"""

from django.conf import settings
from django.db import migrations, models

import security.fields
from security.crypto import blind_index, decrypt, encrypt, is_encrypted

FIELDS = ("complainant_id_number", "complainant_phone")
BATCH = 2000


def _tables(apps):
    for name, hashed in (("Case", True), ("HistoricalCase", False)):
        meta = apps.get_model("cases", name)._meta
        yield meta.db_table, meta.pk.column, hashed


def _rewrite(apps, schema_editor, convert):
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f) for f in FIELDS)
    for table, pk, hashed in _tables(apps):
        assignments = ", ".join(f"{qn(f)} = %s, {qn(f + '_hash')} = %s" if hashed else f"{qn(f)} = %s"
                                for f in FIELDS)
        last = None
        while True:
            with connection.cursor() as cursor:
                where = f"WHERE {qn(pk)} > %s " if last is not None else ""
                cursor.execute(f"SELECT {qn(pk)}, {columns} FROM {qn(table)} {where}"
                               f"ORDER BY {qn(pk)} LIMIT {BATCH}", [last] if last is not None else [])
                rows = cursor.fetchall()
                if not rows:
                    break
                updates = []
                for row_pk, *values in rows:
                    params = []
                    for field, value in zip(FIELDS, values, strict=True):
                        text, digest = convert(field, value or "")
                        params += [text, digest] if hashed else [text]
                    updates.append([*params, row_pk])
                cursor.executemany(f"UPDATE {qn(table)} SET {assignments} WHERE {qn(pk)} = %s",
                                   updates)
            last = rows[-1][0]


def _encrypt(field, value):
    if is_encrypted(value):  # already done by an earlier run
        return value, blind_index(decrypt(value, context=field))
    return encrypt(value, context=field), blind_index(value)


def _decrypt(field, value):
    return (decrypt(value, context=field) if is_encrypted(value) else value), ""


def encrypt_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, _encrypt)


def decrypt_rows(apps, schema_editor):
    _rewrite(apps, schema_editor, _decrypt)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0004_mechanism_forum_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='case_complainant_id',
        ),
        migrations.RemoveIndex(
            model_name='case',
            name='case_complainant_phone',
        ),
        migrations.AddField(
            model_name='case',
            name='complainant_id_number_hash',
            field=security.fields.BlindIndexField(blank=True, default='', editable=False, max_length=64, verbose_name='证件号码盲索引'),
        ),
        migrations.AddField(
            model_name='case',
            name='complainant_phone_hash',
            field=security.fields.BlindIndexField(blank=True, default='', editable=False, max_length=64, verbose_name='联系电话盲索引'),
        ),
        migrations.AlterField(
            model_name='case',
            name='complainant_id_number',
            field=security.fields.EncryptedTextField(blank=True, blind_index='complainant_id_number_hash', help_text='个人填居民身份证号，单位填统一社会信用代码', max_length=18, verbose_name='证件号码'),
        ),
        migrations.AlterField(
            model_name='case',
            name='complainant_phone',
            field=security.fields.EncryptedTextField(blank=True, blind_index='complainant_phone_hash', max_length=20, verbose_name='联系电话'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='complainant_id_number',
            field=security.fields.EncryptedTextField(blank=True, blind_index='complainant_id_number_hash', help_text='个人填居民身份证号，单位填统一社会信用代码', max_length=18, verbose_name='证件号码'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='complainant_phone',
            field=security.fields.EncryptedTextField(blank=True, blind_index='complainant_phone_hash', max_length=20, verbose_name='联系电话'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['complainant_id_number_hash'], name='case_complainant_id_hash'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['complainant_phone_hash'], name='case_complainant_phone_hash'),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows),
    ]
