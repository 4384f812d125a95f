"""Settings for running CSU on one machine (the README's run command): debug tools off by default,
a throwaway secret key, localhost only."""

from csu.env import env_bool, env_list, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
EMAIL_BACKEND = env_str("CSU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
