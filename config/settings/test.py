"""Tests: fast hashing, an in-memory cache, the database from DATABASE_URL (SQLite when unset)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
_TMP = Path(tempfile.mkdtemp(prefix="onestop-test-"))
MEDIA_ROOT = _TMP / "media"
PRIVATE_ROOT = _TMP / "private"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

# Fixed keys for a laptop and the test suite only (never for real data): `make run`/`make test`
# need no setup. Production refuses to start without ONESTOP_FIELD_KEY.
ONESTOP_FIELD_KEY = os.environ.get("ONESTOP_FIELD_KEY") or "b25lc3RvcC1kZXYtb25seS1maWVsZC1rZXktMzJieXQ="
ONESTOP_HASH_KEY = os.environ.get("ONESTOP_HASH_KEY", "")
