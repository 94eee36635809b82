"""Settings for the portal, read from the environment.

Every value has a default that suits the local demo (SQLite and an embedded Celery broker
under ``var/``). Production (``DJANGO_ENV=production``) refuses to start without a secret key
or with DEBUG on, so a forgotten variable fails loudly instead of running insecurely.

Secrets (``SECRET_KEY``, ``AUDIT_CHECKPOINT_KEY``, ``EVIDENCE_KEYS``, ``DATABASE_URL``,
``SUBSCRIBER_DATA_KEYS``, ``SUBSCRIBER_INDEX_KEY``) may instead name a file in
``<NAME>_FILE`` (Docker secrets, systemd credentials). Importing this module creates no
directory: the local ones under ``var/`` are made when the site starts (``portal.apps``),
and ``var/`` itself by ``manage.py``.
"""

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

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


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, not {raw!r}") from None
    if not value >= minimum:  # also refuses nan
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {raw!r}")
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
        # Created private (0600) from the start: a chmod after writing leaves a moment in
        # which the key is readable by others.
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it just now
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(generate())
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

# make bench-api's server only: a bare JsonResponse (portal/urls.py), the ceiling the API is
# measured against. Never in production.
BENCH_ENDPOINTS = env_bool("BENCH_ENDPOINTS", False)
if PRODUCTION and BENCH_ENDPOINTS:
    raise ImproperlyConfigured("BENCH_ENDPOINTS must be off when DJANGO_ENV=production")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "portal.apps.SiteConfig",
    "portal.ops",
    "django_prometheus",
    "portal.outbox",
    "portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "portal.accounts",
    "portal.audit",
    "registrations",
    "verification",
    "portal.api.apps.ApiConfig",
    "portal.supervision.apps.SupervisionConfig",
    "portal.selfservice.apps.SelfServiceConfig",
    "portal.devtools",
    "axes",  # last, as django-axes asks: brute-force locks on sign-in
]

MIDDLEWARE = [
    # First and last: each request's count and time by view, for /metrics.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A signed-in person's own language, over the cookie and the browser's.
    "portal.accounts.middleware.UserLanguageMiddleware",
    "portal.audit.context.AuditRequestMiddleware",
    # The partner API: problem details for every error, then Idempotency-Key on writes.
    "portal.api.middleware.ApiProblemMiddleware",
    "portal.api.middleware.IdempotencyMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.lib.middleware.PrivatePagesMiddleware",
    "portal.lib.middleware.DatabaseUnavailableMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages (the sign-in page says why a session ended) and django-otp.
    "portal.accounts.middleware.SessionTimeoutMiddleware",
    "portal.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a sign-in refused by the lock into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                "portal.accounts.context_processors.language",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_secret("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        # Keep connections between requests in production (a new PostgreSQL connection per
        # request costs more than most views); the local demo opens one per request.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once: the worker and the web process share it.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: a locked account and address pair is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, the groups and permissions read in one query.
    "portal.accounts.backends.ModelBackendInOneQuery",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row, nobody anonymous gets grants
GUARDIAN_RAISE_403 = False

# Every password set through the portal (accounts services, the one-time reset links) meets
# these; only the demo accounts of a non-production seed may skip them.
PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 12, minimum=12)
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Brute force (django-axes): after LOGIN_FAILURE_LIMIT failed sign-ins to one account from one
# address within LOGIN_LOCKOUT_MINUTES, that pair is locked for as long; other addresses are
# not. A failure during the lock neither counts nor lengthens it. The address is the client's
# as seen through TRUSTED_PROXY_COUNT reverse proxies (portal/lib/client_ip.py; django-ipware,
# which axes' AXES_IPWARE_* settings need, is not installed).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.lib.client_ip.client_ip_address"
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
# The audit trail is the record of sign-ins: no second log of every success, no admin pages
# listing typed usernames, and nothing typed in a second-factor field kept with a failure.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "otp_token", "token", "code"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Simplified Chinese by default (the people at the counter, in the back office and at the
# ministry read it first), English the second language. Each language is named in itself in
# the switch (see portal.accounts.languages); a signed-in person's choice is kept on the user.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SECURE = PRODUCTION
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

# Subscribers' ID numbers and names are sealed in the database (portal/lib/fieldcrypt.py):
# SUBSCRIBER_DATA_KEYS are AES-256 keys in the same format, newest first (older ones still
# open older rows). SUBSCRIBER_INDEX_KEY, a separate secret, keys the blind index that finds
# a subscriber by ID number; changing it means recomputing every index.
SUBSCRIBER_DATA_KEYS = [
    key.strip() for key in env_secret("SUBSCRIBER_DATA_KEYS").split(",") if key.strip()
]
SUBSCRIBER_INDEX_KEY = env_secret("SUBSCRIBER_INDEX_KEY")
if PRODUCTION:
    for _name, _value in (
        ("SUBSCRIBER_DATA_KEYS", SUBSCRIBER_DATA_KEYS),
        ("SUBSCRIBER_INDEX_KEY", SUBSCRIBER_INDEX_KEY),
    ):
        if not _value:
            raise ImproperlyConfigured(f"{_name} must be set when DJANGO_ENV=production")
else:
    SUBSCRIBER_DATA_KEYS = SUBSCRIBER_DATA_KEYS or [
        local_secret(
            "subscriber_data_key", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode()
        )
    ]
    SUBSCRIBER_INDEX_KEY = SUBSCRIBER_INDEX_KEY or local_secret("subscriber_index_key")
if not all(_is_fernet_key(key) for key in SUBSCRIBER_DATA_KEYS):
    raise ImproperlyConfigured(
        "SUBSCRIBER_DATA_KEYS holds an invalid key: each is 32 random bytes in URL-safe base64"
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
# Challenges a registration may ask for per attempt: a budget spent without a capture counts
# as an attempt used, and the challenges of one attempt ask the same actions: re-asking until an
# easy challenge comes up never helps.
VERIFICATION_CHALLENGES_PER_ATTEMPT = env_int("VERIFICATION_CHALLENGES_PER_ATTEMPT", 3, minimum=1)
# A random challenge: this many steps, each drawn from the five actions (repeats allowed);
# 5 steps make 5^5 = 3125 sequences, so a fixed recording passes one with p <= 1/3125.
VERIFICATION_CHALLENGE_STEPS = env_int("VERIFICATION_CHALLENGE_STEPS", 5, minimum=1)
# Each step's window of the recording (seconds from its start): the first opens at FIRST_S,
# each lasts WINDOW_S, with GAP_S between two. The page records until the last one ends.
VERIFICATION_CHALLENGE_FIRST_S = env_float("VERIFICATION_CHALLENGE_FIRST_S", 1.0)
VERIFICATION_CHALLENGE_WINDOW_S = env_float("VERIFICATION_CHALLENGE_WINDOW_S", 2.5, minimum=1.0)
VERIFICATION_CHALLENGE_GAP_S = env_float("VERIFICATION_CHALLENGE_GAP_S", 0.5)
# Fixes the windows' start times (for example "1.0,4.0"), one per fixed action: for tests.
try:
    VERIFICATION_CHALLENGE_SCHEDULE = [
        float(start) for start in env_list("VERIFICATION_CHALLENGE_SCHEDULE", [])
    ]
except ValueError:
    raise ImproperlyConfigured(
        "VERIFICATION_CHALLENGE_SCHEDULE must be seconds separated by commas, e.g. 1.0,4.0"
    ) from None
# The capture page's "upload a recorded clip" fallback: a file proves no liveness, so even
# when allowed an uploaded capture is never approved without a person. Off in production
# unless switched on; the ministry's policy can also switch it off (both must allow it).
VERIFICATION_ALLOW_UPLOADS = env_bool("VERIFICATION_ALLOW_UPLOADS", not PRODUCTION)
# How long one stated reason lets its viewer see a registration's evidence (a viewing grant).
VERIFICATION_VIEWING_GRANT_S = env_int("VERIFICATION_VIEWING_GRANT_S", 600, minimum=60)
# The consent notice in force (verification/consent_notice.py holds every published wording).
BIOMETRIC_CONSENT_VERSION = "2026-12"

# Fairness between outlets: a worker that takes a job of an outlet already running this many
# hands it back to the broker for DEFER_S seconds and takes the next, so that one outlet's
# heavy captures never hold every worker while other outlets' customers wait.
VERIFICATION_OUTLET_MAX_RUNNING = env_int("VERIFICATION_OUTLET_MAX_RUNNING", 1, minimum=1)
VERIFICATION_OUTLET_DEFER_S = env_int("VERIFICATION_OUTLET_DEFER_S", 2, minimum=1)

# The cache: rate-limit counters (portal/lib/ratelimit.py). Redis when CACHE_URL (or
# REDIS_URL) is set, shared by every web process and machine; else this process's memory,
# which suits the demo's one web process (several processes would each count on their own).
_cache_url = env_secret("CACHE_URL") or env_secret("REDIS_URL")
if _cache_url and not _cache_url.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured("CACHE_URL must be a redis://, rediss:// or unix:// URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}
    ),
    # A list's rendered rows for the readers who change none (portal/lib/page_cache.py): in
    # each process's memory, never in Redis, as they hold masked personal data.
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pages",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}
# How long those rows are kept: an inspector's list is at most this many seconds old; 0: never.
LIST_PAGE_KEPT_S = env_int("LIST_PAGE_KEPT_S", 5)


def env_rate(name: str, default: str) -> str:
    """A rate limit, ``N/second|minute|hour|day``; ``off`` (or ``0``) means no limit."""
    value = env_str(name, default).strip().lower()
    if value in {"off", "0"}:
        return ""
    count, _slash, period = value.partition("/")
    if not count.isdigit() or period not in {"second", "minute", "hour", "day"}:
        raise ImproperlyConfigured(f"{name} must look like 30/hour (or off), not {value!r}")
    return value


# Requests per staff account and per outlet (portal/lib/ratelimit.py): over them, 429 with
# Retry-After. An outlet's figures allow a few busy counters; an account's, a busy day.
RATE_LIMITS = {
    "challenge": {
        "account": env_rate("RATE_LIMIT_CHALLENGES_PER_ACCOUNT", "30/hour"),
        "outlet": env_rate("RATE_LIMIT_CHALLENGES_PER_OUTLET", "120/hour"),
        "api_key": env_rate("RATE_LIMIT_CHALLENGES_PER_API_KEY", "3000/hour"),
    },
    "capture_upload": {
        "account": env_rate("RATE_LIMIT_UPLOADS_PER_ACCOUNT", "20/hour"),
        "outlet": env_rate("RATE_LIMIT_UPLOADS_PER_OUTLET", "60/hour"),
        "api_key": env_rate("RATE_LIMIT_UPLOADS_PER_API_KEY", "1000/hour"),
    },
    "registration": {
        "account": env_rate("RATE_LIMIT_REGISTRATIONS_PER_ACCOUNT", "100/day"),
        "outlet": env_rate("RATE_LIMIT_REGISTRATIONS_PER_OUTLET", "200/day"),
        "api_key": env_rate("RATE_LIMIT_REGISTRATIONS_PER_API_KEY", "20000/day"),
    },
    # The subscriber's sign-in at /me/ (portal/selfservice): per ID (its blind index), per
    # number a code is sent to, and per address, so that a loop of guesses stops soon.
    "selfservice_start": {
        "id": env_rate("RATE_LIMIT_SELFSERVICE_PER_ID", "10/hour"),
        "address": env_rate("RATE_LIMIT_SELFSERVICE_PER_ADDRESS", "30/hour"),
    },
    "selfservice_code": {
        "number": env_rate("RATE_LIMIT_SELFSERVICE_CODES_PER_NUMBER", "5/hour"),
        "id": env_rate("RATE_LIMIT_SELFSERVICE_CODES_PER_ID", "5/hour"),
    },
    "selfservice_check": {
        "address": env_rate("RATE_LIMIT_SELFSERVICE_CHECKS_PER_ADDRESS", "30/hour")
    },
}

# The subscriber's sign-in: a code lives 5 minutes and takes 5 wrong tries; the session it
# opens lasts 15 minutes from sign-in, however active.
SELFSERVICE_CODE_TTL_S = env_int("SELFSERVICE_CODE_TTL_S", 300, minimum=60)
SELFSERVICE_CODE_TRIES = env_int("SELFSERVICE_CODE_TRIES", 5, minimum=1)
SELFSERVICE_SESSION_S = env_int("SELFSERVICE_SESSION_S", 900, minimum=60)
# How long each class of a registration's data is kept (verification/retention.py): days
# after the decision (capture video, key frames) or after the number's end (the rest).
RETENTION_CAPTURE_VIDEO_DAYS = env_int("RETENTION_CAPTURE_VIDEO_DAYS", 90, minimum=1)
RETENTION_KEY_FRAMES_DAYS = env_int("RETENTION_KEY_FRAMES_DAYS", 365, minimum=1)
RETENTION_ID_PORTRAIT_DAYS = env_int("RETENTION_ID_PORTRAIT_DAYS", 30, minimum=1)
RETENTION_ENGINE_RESULT_DAYS = env_int("RETENTION_ENGINE_RESULT_DAYS", 730, minimum=1)
RETENTION_REGISTRATION_RECORD_DAYS = env_int("RETENTION_REGISTRATION_RECORD_DAYS", 730, minimum=1)
RETENTION_AUDIT_EVENTS_DAYS = env_int("RETENTION_AUDIT_EVENTS_DAYS", 2190, minimum=183)

# Where a text message sends the person (the site's address as the public sees it).
PORTAL_PUBLIC_URL = env_str(
    "PORTAL_PUBLIC_URL",
    f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION and ALLOWED_HOSTS else "http://localhost:8000",
).rstrip("/")
# How long an operator has to uphold or answer a subscriber's dispute of a registration.
SELFSERVICE_DISPUTE_DAYS = env_int("SELFSERVICE_DISPUTE_DAYS", 15, minimum=1)

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

# A passkey is a second factor here, never a way to sign in without the password.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
# Looking at biometrics needs a second-factor check at most this old (else: check again).
SECOND_FACTOR_STEP_UP_S = env_int("SECOND_FACTOR_STEP_UP_S", 600, minimum=30)
# Sessions end after this long without a request: ministry, carrier and reviewer accounts,
# and outlet staff at the counter (who see no biometrics); and this long after signing in.
SESSION_IDLE_TIMEOUT_S = env_int("SESSION_IDLE_TIMEOUT_S", 15 * 60, minimum=60)
SESSION_IDLE_TIMEOUT_OUTLET_S = env_int("SESSION_IDLE_TIMEOUT_OUTLET_S", 60 * 60, minimum=60)
SESSION_ABSOLUTE_TIMEOUT_S = env_int("SESSION_ABSOLUTE_TIMEOUT_S", 12 * 3600, minimum=300)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Load balancers and Prometheus ask these over the private network, in plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
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
# Workers log through LOGGING above (JSON, the task's id on each line), not Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
# The outbox (portal/outbox): a message the broker refused is tried again after 1, 2, 4...
# seconds, at most OUTBOX_BACKOFF_MAX_S apart, and given up (dead, for an operator) once it
# has waited OUTBOX_DEAD_AFTER_S. Beat runs the relay every OUTBOX_RELAY_EVERY_S seconds.
OUTBOX_BACKOFF_MAX_S = env_int("OUTBOX_BACKOFF_MAX_S", 30, minimum=1)
OUTBOX_DEAD_AFTER_S = env_int("OUTBOX_DEAD_AFTER_S", 86400, minimum=60)
OUTBOX_RELAY_EVERY_S = env_int("OUTBOX_RELAY_EVERY_S", 5, minimum=1)
CELERY_BEAT_SCHEDULE = {
    # What the send after each commit missed (the broker down, a process gone).
    "outbox-relay": {"task": "outbox.relay", "schedule": float(OUTBOX_RELAY_EVERY_S)},
    "audit-checkpoint-hourly": {"task": "audit.checkpoint", "schedule": 3600.0},
    "verification-sweep": {"task": "verification.sweep_stuck_jobs", "schedule": 60.0},
    "stranded-registrations": {
        "task": "verification.sweep_stranded_registrations",
        "schedule": 300.0,
    },
    "api-idempotency-purge": {"task": "api.purge_idempotent_requests", "schedule": 3600.0},
    # Webhook messages due (a retry's time has come, or the broker was down at commit).
    "webhooks-drain": {"task": "api.drain_webhooks", "schedule": 10.0},
    # Text messages not delivered yet (the broker was down at commit, or the gateway failed).
    "sms-drain": {"task": "selfservice.drain_sms", "schedule": 30.0},
    # Risk signals over recent windows, upserted as alerts (portal/supervision/risk).
    "supervision-evaluate-risk": {"task": "supervision.evaluate_risk", "schedule": 900.0},
    # What the retention rules say is due, deleted (verification/retention.py).
    "evidence-purge-daily": {"task": "verification.purge_evidence", "schedule": 86400.0},
}

# Risk signals (README "Risk signals"): a unit's rate is flagged when a one-sided test against
# its peers gives p under SUPERVISION_RISK_P_VALUE, with at least SUPERVISION_RISK_MIN_VOLUME
# cases, over the registrations of the last SUPERVISION_RISK_WINDOW_DAYS days.
SUPERVISION_RISK_WINDOW_DAYS = env_int("SUPERVISION_RISK_WINDOW_DAYS", 30, minimum=1)
SUPERVISION_RISK_P_VALUE = env_float("SUPERVISION_RISK_P_VALUE", 0.01, minimum=1e-9)
SUPERVISION_RISK_MIN_VOLUME = env_int("SUPERVISION_RISK_MIN_VOLUME", 30, minimum=1)
# ... and only a rate at least this many times its baseline's (a large volume makes a point
# of difference significant).
SUPERVISION_RISK_MIN_RATIO = env_float("SUPERVISION_RISK_MIN_RATIO", 1.5, minimum=1.0)
# Local time (TIME_ZONE) in which outlets are expected to work, HH:MM-HH:MM.
SUPERVISION_OPENING_HOURS = env_str("SUPERVISION_OPENING_HOURS", "08:00-21:00")
SUPERVISION_BURST_WINDOW_HOURS = env_int("SUPERVISION_BURST_WINDOW_HOURS", 24, minimum=1)
SUPERVISION_BURST_BASELINE_DAYS = env_int("SUPERVISION_BURST_BASELINE_DAYS", 28, minimum=1)
SUPERVISION_BURST_MIN_COUNT = env_int("SUPERVISION_BURST_MIN_COUNT", 10, minimum=1)
SUPERVISION_BURST_MIN_BASELINE = env_float("SUPERVISION_BURST_MIN_BASELINE", 2.0, minimum=0.1)
SUPERVISION_BURST_P_VALUE = env_float("SUPERVISION_BURST_P_VALUE", 0.001, minimum=1e-9)
SUPERVISION_NEAR_THRESHOLD_MARGIN = env_float("SUPERVISION_NEAR_THRESHOLD_MARGIN", 0.03)
SUPERVISION_ID_WINDOW_DAYS = env_int("SUPERVISION_ID_WINDOW_DAYS", 30, minimum=1)
SUPERVISION_ID_MIN_OUTLETS = env_int("SUPERVISION_ID_MIN_OUTLETS", 3, minimum=2)
SUPERVISION_ID_MIN_OPERATORS = env_int("SUPERVISION_ID_MIN_OPERATORS", 3, minimum=2)
SUPERVISION_STUCK_AFTER_S = env_int("SUPERVISION_STUCK_AFTER_S", 7200, minimum=600)
# A dismissed (or confirmed) alert is not raised again for its subject within this many days.
SUPERVISION_RISK_COOLDOWN_DAYS = env_int("SUPERVISION_RISK_COOLDOWN_DAYS", 14, minimum=0)
SUPERVISION_ALERT_MAX_REGISTRATIONS = env_int("SUPERVISION_ALERT_MAX_REGISTRATIONS", 200, minimum=1)

# Fairness monitoring judges a group's approval rate only from this many decisions on.
SUPERVISION_FAIRNESS_MIN_VOLUME = env_int("SUPERVISION_FAIRNESS_MIN_VOLUME", 100, minimum=1)

# Webhooks: private, loopback and link-local addresses are refused unless this is on (tests,
# the demo: a receiver on the same machine); each POST gives up after this many seconds.
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)
WEBHOOK_TIMEOUT_S = env_float("WEBHOOK_TIMEOUT_S", 5.0, minimum=0.5)
# The longest wait a receiver's Retry-After may ask for before the next attempt.
WEBHOOK_RETRY_AFTER_MAX_S = env_int("WEBHOOK_RETRY_AFTER_MAX_S", 86400, minimum=1)

# The partner API (portal/api). An Idempotency-Key is remembered this long (documented: 24 h).
API_IDEMPOTENCY_TTL_S = env_int("API_IDEMPOTENCY_TTL_S", 24 * 3600, minimum=3600)
# A second request with a key whose first is still running waits this long for the first's
# answer to replay, then gets a 409 (a first whose process died holds nothing: see
# portal/api/services.py idempotent_request_begin).
API_IDEMPOTENCY_WAIT_S = env_float("API_IDEMPOTENCY_WAIT_S", 2.0, minimum=0.1)
# The largest request body the API reads (a capture video and its form fields).
API_MAX_REQUEST_BYTES = env_int("API_MAX_REQUEST_BYTES", FILE_UPLOAD_MAX_MEMORY_SIZE)
# Each key's token bucket: this many requests a second sustained, bursts of API_BURST.
API_RATE_PER_S = env_float("API_RATE_PER_S", 20.0, minimum=0.1)
API_BURST = env_int("API_BURST", 100, minimum=1)

REST_FRAMEWORK = {
    # Partner API keys only: no session, so no CSRF (portal/api/auth.py).
    "DEFAULT_AUTHENTICATION_CLASSES": ["portal.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_THROTTLE_CLASSES": ["portal.api.throttles.ApiKeyRateThrottle"],
    # JSON only: no browsable HTML API.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Every API error as RFC 9457 problem details, with the portal's reason codes.
    "EXCEPTION_HANDLER": "portal.lib.errors.problem_details_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "SIM registration partner API",
    "VERSION": "1.0.0",
    "DESCRIPTION": """Register subscribers online, with live face verification, as an outlet does.

**Authentication.** Every operation takes an API key from your carrier:
`Authorization: Bearer simk_<public id>_<secret><checksum>`. A key acts for your partner
account of one operator; it may expire, be limited to IP networks and be revoked. Keys match
`simk_[0-9A-Za-z]{12}_[0-9A-Za-z]{38}` (the last 6 characters a CRC32 checksum), so a secret
scanner can find a leaked one.

**Idempotency.** Every POST, PUT, PATCH and DELETE needs an `Idempotency-Key` header (a new
UUID per operation). Sending the same request again with the same key within 24 hours
replays the first response, with `Idempotent-Replayed: true`; the same key with a different
request is a 422; while the first is still running, a 409. A 5xx is not kept: retry it with
the same key.

**Errors.** Every error is RFC 9457 `application/problem+json`: `type` (a page describing the
problem), `title`, `status`, `detail`, `instance`, `reasons` (stable codes; `GET
/api/v1/reasons` gives their plain sentences) and `errors` (each refusal with its `field`).

**Rate limit.** Each key may make 20 requests a second sustained, in bursts of 100; beyond,
a 429 with `Retry-After`.

**Pagination.** Lists are cursor-paginated: follow `next` until it is null.""",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set the operations share (registration and verification).
    "ENUM_NAME_OVERRIDES": {
        "RegistrationStatusEnum": "registrations.models.Registration.Status",
        "ChallengeActionEnum": "verification.engine.reasons.ACTIONS",
        "VerificationJobStatusEnum": "verification.models.VerificationJob.Status",
        "VerificationStatusEnum": "verification.views.api.VERIFICATION_STATUSES",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.problems_and_idempotency",
    ],
}

# Text messages (portal/lib/sms.py): "file" (one JSON line per message in SMS_FILE_PATH: the
# demo's and the tests' phone), "console", or "http" (an operator's SMS platform, each POST
# signed with HMAC-SHA256 under SMS_HTTP_KEY). Production sends through a gateway only.
SMS_BACKEND = env_str("SMS_BACKEND", "http" if PRODUCTION else "file")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms.jsonl"))
SMS_HTTP_URL = env_str("SMS_HTTP_URL")
SMS_HTTP_KEY = env_secret("SMS_HTTP_KEY")
if SMS_BACKEND not in ("file", "console", "http"):
    raise ImproperlyConfigured(f"SMS_BACKEND must be file, console or http, not {SMS_BACKEND!r}")
if PRODUCTION and SMS_BACKEND != "http":
    raise ImproperlyConfigured("In production SMS_BACKEND must be http (an SMS gateway)")
if SMS_BACKEND == "http" and not (SMS_HTTP_URL and SMS_HTTP_KEY):
    raise ImproperlyConfigured("SMS_BACKEND=http needs SMS_HTTP_URL and SMS_HTTP_KEY")

# The operations team's bearer token: /readyz's detail and /metrics. Without it neither is
# readable (the status codes of /healthz and /readyz always are).
OPS_TOKEN = env_secret("OPS_TOKEN") or ("" if PRODUCTION else local_secret("ops_token"))

# One JSON object a line in production (LOG_FORMAT=json), for a log collector; plain text for
# a person reading a terminal. Both carry the request's (or Celery task's) id.
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or plain, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.audit.context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "portal.lib.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Request bodies can hold ID numbers: never let Django log them.
    "loggers": {
        "django.request": {"level": "ERROR", "propagate": True},
        # axes logs every failed sign-in with the typed username and the address.
        "axes": {"level": "ERROR", "propagate": True},
    },
}
