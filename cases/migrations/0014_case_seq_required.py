# The registration inserts the case row already numbered (cases.numbering.case_insert_numbered),
# so no row is ever without its sequence number again: the database guards it (0012 undone).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0013_historicalcase_fewer_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='seq',
            field=models.PositiveIntegerField(verbose_name='年度序号'),
        ),
        migrations.AlterField(
            model_name='historicalcase',
            name='seq',
            field=models.PositiveIntegerField(verbose_name='年度序号'),
        ),
    ]
