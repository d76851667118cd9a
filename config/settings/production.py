"""Production: every secret from the environment, HTTPS only."""

import os

from django.core.exceptions import ImproperlyConfigured

from security.crypto import decode_key as _check_key

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("生产环境必须通过环境变量 SECRET_KEY 提供密钥。")

ONESTOP_FIELD_KEY = os.environ.get("ONESTOP_FIELD_KEY", "")
if not ONESTOP_FIELD_KEY:
    raise ImproperlyConfigured("生产环境必须通过环境变量 ONESTOP_FIELD_KEY 提供个人信息加密密钥"
                               "（32 字节随机数的 base64 编码）。")
ONESTOP_HASH_KEY = os.environ.get("ONESTOP_HASH_KEY", "")
_check_key(ONESTOP_FIELD_KEY, name="ONESTOP_FIELD_KEY")  # a malformed key fails here, not mid-request
if ONESTOP_HASH_KEY:
    _check_key(ONESTOP_HASH_KEY, name="ONESTOP_HASH_KEY")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") == "1"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.CachedManifestStaticFilesStorage"},
}

if os.environ.get("CACHE_URL", "").startswith("redis://"):
    # Several gunicorn workers must share rate-limit counters: use one cache server.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": os.environ["CACHE_URL"]}
    }
