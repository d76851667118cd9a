"""Static files storage for production."""

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage


class CachedManifestStaticFilesStorage(ManifestStaticFilesStorage):
    """Remembers each name's URL. The manifest is read once when the process starts, so a
    name's URL cannot change while it runs; looking it up again for every {% static %} was
    ~18% of rendering a portal page (bench/intake_bench.py under py-spy)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:  # with DEBUG the storage gives unhashed names
            return super().url(name, force)
        try:
            return self._urls[name]
        except KeyError:
            url = self._urls[name] = super().url(name)  # a name not in the manifest raises here
            return url
