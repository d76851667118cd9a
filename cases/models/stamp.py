from django.db import models


class ConfigStamp(models.Model):
    """One row whose token changes (to a new random value) whenever configuration or a published
    page changes. Per-process caches (cases.confcache) are valid while the token they were built
    under is still the one in the database; reading it is one primary-key lookup per request."""

    token = models.CharField("版本标识", max_length=32)

    class Meta:
        verbose_name = "配置版本"
        verbose_name_plural = "配置版本"

    def __str__(self) -> str:
        return self.token
