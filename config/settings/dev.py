"""Local development: `make run`."""

import os

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS

DEBUG = True
# A fixed key for a laptop only; production refuses to start without SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS + ["0.0.0.0", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Fixed keys for a laptop and the test suite only (never for real data): `make run`/`make test`
# need no setup. Production refuses to start without ONESTOP_FIELD_KEY.
ONESTOP_FIELD_KEY = os.environ.get("ONESTOP_FIELD_KEY") or "b25lc3RvcC1kZXYtb25seS1maWVsZC1rZXktMzJieXQ="
ONESTOP_HASH_KEY = os.environ.get("ONESTOP_HASH_KEY", "")
