"""Settings shared by every environment. Values that differ per deployment come from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("ONESTOP_VAR_DIR", BASE_DIR / "var"))


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

DJANGO_APPS = [
    "django.contrib.admin",  # modeladmin lists use its filters and templatetags; not mounted
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
THIRD_PARTY_APPS = [
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "wagtail_modeladmin",
    "modelcluster",
    "taggit",
    "django_filters",
    "simple_history",
    "django_tasks",
    "django_tasks_db",  # the database task queue (TASKS_BACKEND=database)
    "rest_framework",  # Wagtail API v2
    "wagtail.api.v2",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
]
LOCAL_APPS = [
    "home",
    "forms.apps.IntakeConfig",
    "cases",
    "docgen",
    "security",
    "analytics",
    "integrations",
    "notifications",
]
INSTALLED_APPS = LOCAL_APPS + THIRD_PARTY_APPS + DJANGO_APPS

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "security.middleware.ContentSecurityPolicyMiddleware",
    "security.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "forms.tracking.TrackingCookieMiddleware",
    "security.middleware.SessionTimeoutMiddleware",  # after auth and messages
    "security.middleware.OTPRequiredMiddleware",  # after OTPMiddleware
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "home.routing.CachedPageRouteMiddleware",  # before Wagtail serves a page
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]


def database_from_env() -> dict:
    """DATABASE_URL, or a SQLite file under var/. SQLite gets WAL and IMMEDIATE transactions:
    in Django's default deferred mode concurrent writers fail with "database is locked"."""
    default_sqlite = f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    config = dj_database_url.parse(os.environ.get("DATABASE_URL", default_sqlite), conn_max_age=0)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    else:
        # A worker keeps its connection between requests: opening one costs PostgreSQL ~17 ms,
        # more than a whole intake registration's queries (bench/intake_bench.py).
        config["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
        config["CONN_HEALTH_CHECKS"] = True  # dj-database-url sets False: setdefault did nothing
        if config["ENGINE"] == "django.db.backends.postgresql":
            config["ENGINE"] = "config.postgresql"  # Django's; its health check reads the stamp
    return config


DATABASES = {"default": database_from_env()}
# The registration's one big statement is prepared on each PostgreSQL connection (cases/sql.py).
# Set DB_PREPARED_STATEMENTS=0 behind a transaction pooler that cannot keep prepared statements.
ONESTOP_PREPARED_STATEMENTS = os.environ.get("DB_PREPARED_STATEMENTS", "1") != "0"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "security.passwords.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Complaint attachments and generated documents hold personal data: kept outside the web root
# and served only through views that check permissions.
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "onestop",
    }
}

# Background tasks: immediate until a worker backend is configured (see README).
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# Wagtail
WAGTAIL_SITE_NAME = "征缴争议一站结"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai"]
WAGTAIL_ENABLE_UPDATE_CHECK = False  # offices run on closed networks
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False  # its links lead to wagtail.org
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_I18N_ENABLED = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["docx", "pdf", "xlsx"]

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True  # history is a record, never an editing tool

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# Security and audit (docs/security.md)
AUTHENTICATION_BACKENDS = [
    "security.backends.LockoutBackend",  # django-axes; must come first
    "django.contrib.auth.backends.ModelBackend",
]
# 等保: lock a username on one address after 5 consecutive failures, for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # "consecutive" failures: a good login starts the count again
AXES_LOCKOUT_CALLABLE = "security.views.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "security.net.client_ip"  # honours TRUSTED_PROXY_HOPS like the portal
AXES_DISABLE_ACCESS_LOG = True  # logins are in security.AuditEvent, kept and purged in one place
AXES_COOLOFF_MESSAGE = "登录失败次数过多，账号已暂停登录30分钟，请稍后再试。"
AXES_PERMALOCK_MESSAGE = "登录失败次数过多，账号已锁定，请联系系统管理员。"
AXES_VERBOSE = False  # no banner on every manage.py command
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # lockouts only; every attempt is audited

# Idle timeout 30 minutes and at most 12 hours per login (security.middleware).
SESSION_COOKIE_AGE = 30 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # shared office PCs
ONESTOP_SESSION_IDLE_SECONDS = 30 * 60
ONESTOP_SESSION_MAX_SECONDS = 12 * 3600

# Optional TOTP for staff; "1" makes every staff member enrol before using the admin.
ONESTOP_REQUIRE_2FA_FOR_STAFF = os.environ.get("ONESTOP_REQUIRE_2FA_FOR_STAFF", "0") == "1"
OTP_TOTP_ISSUER = "OneStop"

ONESTOP_AUDIT_RETENTION_DAYS = 180  # 网络安全法 第二十一条: logs kept at least six months

# Personal data at rest (security.crypto): base64 of 32 random bytes each. The hash key may be
# left out and is then derived from the field key. dev/test fill fixed keys; production refuses
# to start without ONESTOP_FIELD_KEY. Losing the field key loses every ID number and phone.
ONESTOP_FIELD_KEY = os.environ.get("ONESTOP_FIELD_KEY", "")
ONESTOP_HASH_KEY = os.environ.get("ONESTOP_HASH_KEY", "")
# Archived cases older than this are anonymised by `manage.py anonymise_cases` (5 years).
ONESTOP_RETENTION_DAYS = int(os.environ.get("ONESTOP_RETENTION_DAYS", 5 * 365 + 1))

# Content-Security-Policy (django-csp 4). The public site runs no inline code at all.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Under /admin/ (security.middleware.ContentSecurityPolicyMiddleware): Wagtail's page editor,
# listing filters, date widgets and chooser modals run inline scripts, so the admin in general
# needs 'unsafe-inline'. Pages showing what the public typed were checked in Chromium to need
# none (tests/security/test_browser.py) and keep scripts to 'self'.
ONESTOP_CSP_ADMIN_REPLACE = {
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "frame-ancestors": ["'self'"],  # Wagtail's preview frames admin URLs
}
ONESTOP_CSP_STRICT_ADMIN_PATTERNS = [
    r"^/admin/$", r"^/admin/login/", r"^/admin/cases/case/", r"^/admin/onestop/",
    r"^/admin/docgen/", r"^/admin/security/",
]
ONESTOP_CSP_STRICT_ADMIN_REPLACE = {
    "style-src": ["'self'", "'unsafe-inline'"],  # <style> blocks in the case templates
    "frame-ancestors": ["'self'"],
}

# Channel API, Open311 and notifications (docs/api.md, docs/notifications.md)
# Background tasks: immediate (in-process) unless TASKS_BACKEND=database, worked by db_worker.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "immediate")
if TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# With a real queue, each committed outbox row wakes a worker; otherwise run_outbox polls.
ONESTOP_OUTBOX_KICK = TASKS_BACKEND == "database"
ONESTOP_NOTIFICATION_BACKENDS = {
    "sms": (
        {"BACKEND": "notifications.backends.SmsGatewayBackend",
         "OPTIONS": {"url": os.environ["SMS_GATEWAY_URL"], "key": os.environ.get("SMS_GATEWAY_KEY", ""),
                     "sign": os.environ.get("SMS_GATEWAY_SIGN", ""),
                     "timeout": float(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))}}
        if os.environ.get("SMS_GATEWAY_URL") else "notifications.backends.LogBackend"
    ),
    "email": ("notifications.backends.EmailBackend" if os.environ.get("NOTIFY_BY_EMAIL") == "1"
              else "notifications.backends.LogBackend"),
}
ONESTOP_NOTIFICATION_MAX_ATTEMPTS = 8
ONESTOP_NOTIFICATION_RETRY_BASE_SECONDS = 60  # then 2, 4, 8 … minutes
ONESTOP_NOTIFICATION_RETRY_MAX_SECONDS = 6 * 3600
ONESTOP_NOTIFICATION_LEASE_SECONDS = 600  # a claimed row is re-sent after this if unconfirmed
ONESTOP_SURVEY_DELAY_HOURS = 24  # the follow-up survey invitation, after the result
ONESTOP_PUBLIC_BASE_URL = os.environ.get("ONESTOP_PUBLIC_BASE_URL", "")  # links in messages
ONESTOP_OPEN311_ANON_RATE_PER_MINUTE = 60
ONESTOP_OPEN311_MAX_REQUESTS = 1000
