import secrets

from django.db import migrations, models


def create_stamp(apps, schema_editor):
    apps.get_model("cases", "ConfigStamp").objects.create(id=1, token=secrets.token_hex(16))


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_unit_ledger_covering_index")]

    operations = [
        migrations.CreateModel(
            name="ConfigStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("token", models.CharField(max_length=32, verbose_name="版本标识")),
            ],
            options={"verbose_name": "配置版本", "verbose_name_plural": "配置版本"},
        ),
        migrations.RunPython(create_stamp, migrations.RunPython.noop),
    ]
