"""Production: refuses to start without its secrets and passes ``check --deploy`` cleanly."""

from django.core.exceptions import ImproperlyConfigured

from csu.env import env_bool, env_int, env_list, env_required

from .base import *  # noqa: F403
from .base import CSU_MFA_REQUIRED, STORAGES

SECRET_KEY = env_required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or [env_required("DJANGO_ALLOWED_HOSTS")]
env_required("DATABASE_URL")
env_required("REDIS_URL")
DEBUG = False
if env_bool("DJANGO_DEBUG", False):
    raise ImproperlyConfigured("DJANGO_DEBUG must not be on in production.")
if not CSU_MFA_REQUIRED:
    raise ImproperlyConfigured("CSU_MFA_REQUIRED=false is for the demo only, never production.")

SECURE_SSL_REDIRECT = env_bool("CSU_SECURE_SSL_REDIRECT", True)
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
