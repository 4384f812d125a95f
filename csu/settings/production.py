"""Production: refuses to start without its secrets and passes ``check --deploy`` cleanly."""

from django.core.exceptions import ImproperlyConfigured

from csu.env import env_bool, env_int, env_list, env_required

from .base import *  # noqa: F403
from .base import (
    CELERY_BROKER_URL,
    CSU_MFA_REQUIRED,
    DATABASES,
    REDIS_SSL_CERT_REQS,
    REDIS_URL,
    STORAGES,
)

SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [env_required("DJANGO_ALLOWED_HOSTS")]
env_required("DATABASE_URL")
env_required("REDIS_URL")
DEBUG = False
if env_bool("DJANGO_DEBUG", False):
    raise ImproperlyConfigured("DJANGO_DEBUG must not be on in production.")
if not CSU_MFA_REQUIRED:
    raise ImproperlyConfigured("CSU_MFA_REQUIRED=false is for the demo only, never production.")

# TLS to PostgreSQL: "prefer" (libpq's default, said out loud) encrypts whenever the server offers
# TLS. It is not "require" because the postgres image in docker-compose.yml serves no certificate
# on its private network, and a setting that refuses to start there would only be switched off.
# Where the server has a certificate, set CSU_DB_SSLMODE=verify-full and CSU_DB_SSLROOTCERT.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("sslmode", "prefer")
# TLS to Redis without checking the certificate is no protection against a man in the middle.
_redis_tls = REDIS_URL.startswith("rediss://") or CELERY_BROKER_URL.startswith("rediss://")
if _redis_tls and REDIS_SSL_CERT_REQS != "required":
    raise ImproperlyConfigured("CSU_REDIS_SSL_CERT_REQS must be 'required' in production.")

SECURE_SSL_REDIRECT = env_bool("CSU_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the container healthcheck calls it over loopback
# X-Forwarded-Proto says "https" only if a TLS proxy in front strips what the client sent and sets
# its own; otherwise any client could claim HTTPS. So it is trusted only when the operator says so.
if env_bool("CSU_TRUST_PROXY_HEADERS", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("CSU_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
