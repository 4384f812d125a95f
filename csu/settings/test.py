"""Settings for the test suite: real PostgreSQL and Redis (whatever DATABASE_URL/REDIS_URL say, else
the embedded ones), mail in memory, a fast password hasher only where tests ask for it."""

from csu.env import env_str

from .base import *  # noqa: F403
from .base import CACHES

SECRET_KEY = "test-only-insecure-key"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A worker process started by a test cannot share its memory: such a test points the worker's
# mail at files (tests/alerts/mail.py) through these two variables.
_mail_backend = env_str("CSU_TEST_EMAIL_BACKEND")
if _mail_backend:
    EMAIL_BACKEND = _mail_backend
    EMAIL_FILE_PATH = env_str("CSU_TEST_EMAIL_DIR") or ""
CACHES["default"]["KEY_PREFIX"] = "csu-test"
CSU_MFA_REQUIRED = True
# Serve static files from the finders (no collectstatic before tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
