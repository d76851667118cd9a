from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "security"
    label = "security"
    verbose_name = "安全与审计"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from security import signals  # noqa: F401 — connects the login/logout receivers
