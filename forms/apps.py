from django.apps import AppConfig


class IntakeConfig(AppConfig):
    # "forms" would clash with django.forms in app labels.
    name = "forms"
    label = "intake"
    verbose_name = "网上受理"

    def ready(self):
        from forms import intake_form, links  # noqa: F401 - connect the caches' signals
