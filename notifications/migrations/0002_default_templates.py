from django.db import migrations


def create_defaults(apps, schema_editor):
    from notifications.defaults import DEFAULT_TEMPLATES

    MessageTemplate = apps.get_model("notifications", "MessageTemplate")
    for (event, channel), values in DEFAULT_TEMPLATES.items():
        MessageTemplate.objects.get_or_create(
            event=event, channel=channel,
            defaults={"subject": values.get("subject", ""), "body": values["body"]})


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
