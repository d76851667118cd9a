"""Generated documents and uploaded templates hold personal data: private storage only."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    # A callable, so each environment's PRIVATE_ROOT (tests use a temp dir) applies.
    return FileSystemStorage(location=settings.PRIVATE_ROOT, base_url=None)
