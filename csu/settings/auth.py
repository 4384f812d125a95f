"""Authentication settings (CJIS C1-C6, C14, C15): users, API tokens, passwords, lockout and
sign-in throttling, MFA, sessions. Star-imported by ``base`` at this point of its order."""

from __future__ import annotations

from datetime import timedelta

from csu.env import env_bool, env_int

AUTH_USER_MODEL = "csu.User"
# API tokens (django-rest-knox): digests only, expiring, scoped; see ``csu.models.ApiToken``.
KNOX_TOKEN_MODEL = "csu.ApiToken"  # noqa: S105 - a model label, not a secret
# The default lifetime is also the longest one can ask for on *My account*.
CSU_API_TOKEN_MAX_HOURS = env_int("CSU_API_TOKEN_HOURS", 12)
# knox's own model is swapped out, so its migrations would only leave an empty table behind.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=CSU_API_TOKEN_MAX_HOURS),
    "TOKEN_PREFIX": "csu_",
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must be first (C1)
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
LOGIN_URL = "csu:login"
LOGIN_REDIRECT_URL = "csu:home"
LOGOUT_REDIRECT_URL = "csu:login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "csu.passwords.MaximumLengthValidator"},
]

# django-axes: lock the *account* after 5 consecutive failures until an admin releases it.
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_COOLOFF_TIME = None
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "csu/auth/locked.html"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# axes.W006 asks for IP lockout too. CJIS AC-7 locks the account, and an office behind one NAT
# address would lock out every colleague after five typos; rotating user agents does not get
# past a lock by username, which is what W006 worries about.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]  # no proxy header trusted unless configured
# In front of axes, by address (``csu.throttle``): failed sign-in attempts per window. The
# address+username limit stays below AXES_FAILURE_LIMIT, so one address alone cannot lock an
# account within a window.
CSU_SIGNIN_THROTTLE_WINDOW = env_int("CSU_SIGNIN_THROTTLE_WINDOW", 15 * 60)
CSU_SIGNIN_THROTTLE_PER_ADDRESS = env_int("CSU_SIGNIN_THROTTLE_PER_ADDRESS", 20)
CSU_SIGNIN_THROTTLE_PER_ADDRESS_USERNAME = min(
    env_int("CSU_SIGNIN_THROTTLE_PER_ADDRESS_USERNAME", 3), AXES_FAILURE_LIMIT - 1
)

# MFA: TOTP for every user. Only the demo may switch it off, and every page then says so.
CSU_MFA_REQUIRED = env_bool("CSU_MFA_REQUIRED", True)
CSU_OTP_FAILURE_LIMIT = 5
CSU_PENDING_LOGIN_SECONDS = 300
# A new or MFA-reset account enrols only with a one-time code an admin hands over.
CSU_MFA_ENROLMENT_CODE_HOURS = env_int("CSU_MFA_ENROLMENT_CODE_HOURS", 72)
# Passwords expire (CJIS IA-5 allows up to 365 days alongside the other controls); an
# admin-chosen password must be replaced at first sign-in.
CSU_PASSWORD_MAX_AGE_DAYS = env_int("CSU_PASSWORD_MAX_AGE_DAYS", 365)
OTP_TOTP_ISSUER = "CSU"
OTP_TOTP_THROTTLE_FACTOR = 1

# Sessions: server-side, sliding 30-minute idle limit, re-login every 12 hours (C4, A6).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSU_SESSION_MAX_AGE = 12 * 60 * 60
CSU_ACCOUNT_INACTIVE_DAYS = 90
