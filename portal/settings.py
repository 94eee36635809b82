"""Settings for the portal, read from the environment.

Every value has a default that suits the local demo (SQLite and an embedded Celery broker
under ``var/``). Production (``DJANGO_ENV=production``) refuses to start without a secret key
or with DEBUG on, so a forgotten variable fails loudly instead of running insecurely.

Secrets (``SECRET_KEY``, ``AUDIT_CHECKPOINT_KEY``, ``EVIDENCE_KEYS``, ``DATABASE_URL``) may
instead name a file in ``<NAME>_FILE`` (Docker secrets, systemd credentials). Importing this
module creates no directory: the local ones under ``var/`` are made when the site starts
(``portal.apps``), and ``var/`` itself by ``manage.py``.
"""

import base64
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR") or BASE_DIR / "var")


def env_str(name: str, default: str = "") -> str:
    """The variable's value; unset and empty both mean the default (``X= cmd`` is common)."""
    return os.environ.get(name) or default


def env_secret(name: str, default: str = "") -> str:
    """A secret from ``name``, or read from the file that ``<name>_FILE`` names."""
    file_name = os.environ.get(f"{name}_FILE")
    if not file_name:
        return env_str(name, default)
    if os.environ.get(name):
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both")
    try:
        return Path(file_name).read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(
            f"{name}_FILE names {file_name!r}, which cannot be read ({error.strerror})"
        ) from None


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def local_secret(name: str, generate=lambda: secrets.token_urlsafe(50)) -> str:
    """A key generated once into var/, so local sessions survive restarts (never in
    production, where every secret is given)."""
    path = VAR_DIR / name
    if not path.exists():
        if not VAR_DIR.is_dir():
            raise ImproperlyConfigured(
                f"{VAR_DIR} does not exist: run manage.py once (it creates it), or set "
                f"PORTAL_VAR_DIR to an existing directory, or give every secret"
            )
        path.write_text(generate())
        path.chmod(0o600)
    return path.read_text().strip()


DJANGO_ENV = env_str("DJANGO_ENV", "local")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)

if PRODUCTION:
    SECRET_KEY = env_secret("SECRET_KEY")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off when DJANGO_ENV=production")
else:
    SECRET_KEY = env_secret("SECRET_KEY") or local_secret("secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal.apps.SiteConfig",
    "portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "portal.accounts",
    "portal.audit",
    "registrations",
    "verification",
    "portal.devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.audit.context.AuditRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.lib.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "portal.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once: the worker and the web process share it.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row, nobody anonymous gets grants
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Every visible string is translatable (locale/); Simplified Chinese becomes the default once
# its translation is complete. Until then English is the default and the fallback.
LANGUAGE_CODE = "en"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "staticfiles")))
if not PRODUCTION:
    WHITENOISE_USE_FINDERS = True  # serve straight from static/ without collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Media holds personal data. No route serves MEDIA_URL: files reach people only through
# views that check who is asking (see the verification evidence views).
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Biometric evidence: encrypted on disk (verification/storage.py), outside MEDIA_ROOT, with no
# URL. EVIDENCE_KEYS are Fernet keys, newest first; older ones still decrypt (key rotation).
EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT", str(VAR_DIR / "evidence")))
EVIDENCE_KEYS = [key.strip() for key in env_secret("EVIDENCE_KEYS").split(",") if key.strip()]
if not EVIDENCE_KEYS:
    if PRODUCTION:
        raise ImproperlyConfigured("EVIDENCE_KEYS must be set when DJANGO_ENV=production")
    EVIDENCE_KEYS = [
        local_secret("evidence_key", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode())
    ]


def _is_fernet_key(key: str) -> bool:
    try:
        return len(base64.urlsafe_b64decode(key.encode())) == 32
    except ValueError:
        return False


if not all(_is_fernet_key(key) for key in EVIDENCE_KEYS):
    raise ImproperlyConfigured(
        "EVIDENCE_KEYS holds an invalid key: each is 32 random bytes in URL-safe base64 "
        "(python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key())')"
    )

# Uploads stay in memory and never reach a temporary file: they hold faces. A request body
# over FILE_UPLOAD_MAX_MEMORY_SIZE loses its file (the view then says the file is too large).
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
VERIFICATION_MAX_CAPTURE_BYTES = env_int("VERIFICATION_MAX_CAPTURE_BYTES", 30 * 1024 * 1024)
VERIFICATION_MAX_PORTRAIT_BYTES = env_int("VERIFICATION_MAX_PORTRAIT_BYTES", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = VERIFICATION_MAX_CAPTURE_BYTES + 1024 * 1024

# Live verification: how long a challenge lives, how many captures a registration may try
# before it goes to review, and when a job counts as stuck (the sweeper queues it again).
VERIFICATION_CHALLENGE_TTL_S = env_int("VERIFICATION_CHALLENGE_TTL_S", 120, minimum=10)
VERIFICATION_MAX_ATTEMPTS = env_int("VERIFICATION_MAX_ATTEMPTS", 3, minimum=1)
VERIFICATION_STUCK_AFTER_S = env_int("VERIFICATION_STUCK_AFTER_S", 300, minimum=30)
# A submitted or verifying registration with no job in flight and nothing done for this long
# goes to a person (review), so that it never holds its number forever.
VERIFICATION_STRANDED_AFTER_S = env_int("VERIFICATION_STRANDED_AFTER_S", 3600, minimum=300)
VERIFICATION_MAX_DELIVERIES = env_int("VERIFICATION_MAX_DELIVERIES", 5, minimum=1)
# Fixes the actions of every challenge (for example "turn_left,blink"): for browser tests
# whose fake camera plays a known clip, and for demos. Empty: random actions.
VERIFICATION_CHALLENGE_ACTIONS = env_list("VERIFICATION_CHALLENGE_ACTIONS", [])
BIOMETRIC_CONSENT_VERSION = "2026-11"

# A strict Content-Security-Policy: scripts, styles, images and media from the portal only,
# no inline script or style anywhere (the pages have none), nothing framed, no plugins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "media-src": ["'self'"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Second factor (django-otp): TOTP, single-use backup codes and passkeys (WebAuthn). The
# relying party is the portal's own host; browsers accept passkeys only on a secure origin
# (https, or http://localhost).
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "SIM registration portal")
_public_hosts = [host.lstrip(".") for host in ALLOWED_HOSTS if host not in {"*", ""}]
OTP_WEBAUTHN_RP_ID = env_str(
    "OTP_WEBAUTHN_RP_ID", _public_hosts[0] if PRODUCTION and _public_hosts else "localhost"
)
OTP_WEBAUTHN_RP_NAME = env_str("OTP_WEBAUTHN_RP_NAME", "SIM registration portal")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "OTP_WEBAUTHN_ALLOWED_ORIGINS",
    [f"https://{host}" for host in _public_hosts] if PRODUCTION else ["http://localhost:8000"],
)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The ministry's default cap; the live value is edited by the ministry admin in the portal.
REGISTRATION_CAP_PER_OPERATOR = env_int("REGISTRATION_CAP_PER_OPERATOR", 5, minimum=1)

# The audit trail's signed checkpoints: the key signs, the file is meant for write-once
# storage elsewhere (an object-lock bucket, a WORM volume).
if PRODUCTION:
    AUDIT_CHECKPOINT_KEY = env_secret("AUDIT_CHECKPOINT_KEY")
    if not AUDIT_CHECKPOINT_KEY:
        raise ImproperlyConfigured("AUDIT_CHECKPOINT_KEY must be set when DJANGO_ENV=production")
else:
    AUDIT_CHECKPOINT_KEY = env_secret("AUDIT_CHECKPOINT_KEY") or local_secret(
        "audit_checkpoint_key"
    )
AUDIT_CHECKPOINT_FILE = Path(
    env_str("AUDIT_CHECKPOINT_FILE", str(VAR_DIR / "audit" / "checkpoints.jsonl"))
)

# Celery. Default: kombu's filesystem transport under var/, so the demo needs no server.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
_celery_queue_dir = VAR_DIR / "celery" / "queue"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_queue_dir),
        "data_folder_out": str(_celery_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis gives a message taken by a worker that died unacknowledged to another worker after
    # this many seconds (kombu's default: an hour). Longer than any task's time limit.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT_S", 600, minimum=180)
    }
_default_result_backend = (
    CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    else f"file://{VAR_DIR / 'celery' / 'results'}"
)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", _default_result_backend)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "audit-checkpoint-hourly": {"task": "audit.checkpoint", "schedule": 3600.0},
    "verification-sweep": {"task": "verification.sweep_stuck_jobs", "schedule": 60.0},
    "stranded-registrations": {
        "task": "verification.sweep_stranded_registrations",
        "schedule": 300.0,
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Every API error as RFC 9457 problem details, with the portal's reason codes.
    "EXCEPTION_HANDLER": "portal.lib.errors.problem_details_handler",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Request bodies can hold ID numbers: never let Django log them.
    "loggers": {"django.request": {"level": "ERROR", "propagate": True}},
}
