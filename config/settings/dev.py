"""Local development: `make run`."""

import os

from .base import *  # noqa: F403
from .base import ALLOWED_HOSTS

DEBUG = True
# A fixed key for a laptop only; production refuses to start without SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-only-insecure-key-never-use-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS + ["0.0.0.0", "[::1]"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
