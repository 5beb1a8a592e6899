"""Veza settings, read from the environment (see `.env.example` for every variable).

`VEZA_ENV` selects the profile: `demo` (default, for a first run on a laptop), `development`, or
`production`. Production refuses to start unless a secret key, allowed hosts and HTTPS are set.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


VEZA_ENV = env("VEZA_ENV", "demo")
if VEZA_ENV not in {"demo", "development", "production"}:
    raise ImproperlyConfigured(
        f"VEZA_ENV must be demo, development or production, not {VEZA_ENV!r}."
    )
PRODUCTION = VEZA_ENV == "production"
DEMO = VEZA_ENV == "demo"
#: Where "leave this page quickly" goes on the pages for the public (the self-check, the survivor
#: feedback form): a busy, harmless site opened in place of Veza. Each instance may choose one
#: that is common and unremarkable where its users live.
LEAVE_URL = env("VEZA_LEAVE_URL", "https://www.wikipedia.org/")

VEZA_DATA_DIR = Path(env("VEZA_DATA_DIR", "./var")).resolve()
VEZA_KEYS_DIR = Path(env("VEZA_KEYS_DIR", str(VEZA_DATA_DIR / "keys"))).resolve()
#: The UNODC GLOTIP export the demo imports (default: ../shared/data/unodc-glotip/ when present).
VEZA_GLOTIP_FILE = env("VEZA_GLOTIP_FILE", "")
VEZA_CONTENT_DIR = Path(env("VEZA_CONTENT_DIR", str(PACKAGE_DIR / "data"))).resolve()
#: The participant this instance serves (AL, BA, XK, ME, MK, RS), or HUB for the regional hub.
VEZA_INSTANCE_PARTICIPANT = env("VEZA_INSTANCE_PARTICIPANT", "")

SECRET_KEY = env("VEZA_SECRET_KEY")
ALLOWED_HOSTS = env_list("VEZA_ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("VEZA_CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    missing = [
        name
        for name, value in (
            ("VEZA_SECRET_KEY", SECRET_KEY),
            ("VEZA_ALLOWED_HOSTS", ALLOWED_HOSTS),
        )
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(
            "Production needs these settings before Veza starts: " + ", ".join(missing)
        )
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured("VEZA_SECRET_KEY must be at least 50 characters long.")
    if not env_bool("VEZA_HTTPS", True):
        raise ImproperlyConfigured("Production serves Veza over HTTPS only (VEZA_HTTPS=true).")
    DEBUG = False
else:
    # Outside production a per-checkout key is generated and kept in the data directory.
    if not SECRET_KEY:
        key_file = VEZA_KEYS_DIR / "django-secret.key"
        if key_file.exists():
            SECRET_KEY = key_file.read_text().strip()
        else:
            from django.utils.crypto import get_random_string

            VEZA_KEYS_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
            SECRET_KEY = get_random_string(64)
            key_file.write_text(SECRET_KEY)
            key_file.chmod(0o600)
    DEBUG = env_bool("VEZA_DEBUG", VEZA_ENV == "development")

INSTALLED_APPS = [
    "veza.core.admin_apps.VezaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "veza.core",
    "veza.organisations",
    "veza.information",
    "veza.indicators",
    "veza.screening",
    "veza.cases",
    "veza.referrals",
    "veza.statistics",
    "veza.federation",
    "veza.interpreters",
    "veza.recommendations",
    "veza.fieldforms",
    "veza.emergencies",
    "veza.knowledge",
    "veza.prevention",
    "veza.feedback",
    "veza.training",
    "veza.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "veza.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "veza.core.uploads.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "veza.core.middleware.SessionLifetimeMiddleware",
    "veza.core.middleware.RequireSecondFactorMiddleware",
    "veza.core.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "veza.core.middleware.VezaErrorMiddleware",
]

ROOT_URLCONF = "veza.urls"
WSGI_APPLICATION = "veza.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "veza.core.context_processors.veza",
            ],
        },
    }
]

# --- Database: SQLite in the data directory unless DATABASE_URL names PostgreSQL. ---------------
DATABASE_URL = env("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VEZA_DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VEZA_DATA_DIR / "veza.sqlite3",
            "OPTIONS": {
                # Writers queue instead of failing: every transaction takes the write lock first,
                # which also serialises the audit chain.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Lanes of the audit chain (veza.core.audit): appends that would queue on a busy lane take another,
# so at most this many transactions append at once. PostgreSQL only; SQLite writes lane 1.
AUDIT_LANES = int(env("VEZA_AUDIT_LANES", "8") or "8")

# --- Authentication ------------------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = ["veza.organisations.backends.MembershipBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "veza.core.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 128}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "organisations:home"
LOGOUT_REDIRECT_URL = "core:login"
OTP_TOTP_ISSUER = "Veza"
#: Login back-off: after this many failures per account or address, waits double up to the cap.
VEZA_LOGIN_FREE_FAILURES = int(env("VEZA_LOGIN_FREE_FAILURES", "5"))
VEZA_LOGIN_BACKOFF_SECONDS = int(env("VEZA_LOGIN_BACKOFF_SECONDS", "30"))
VEZA_LOGIN_BACKOFF_CAP_SECONDS = int(env("VEZA_LOGIN_BACKOFF_CAP_SECONDS", "900"))
# Step-up: exports of personal data and statistics releases need a code from the authenticator
# app typed within this many seconds (at login, on the step-up form or approving a release).
VEZA_STEP_UP_SECONDS = int(env("VEZA_STEP_UP_SECONDS", "600"))

# --- Sessions: 30 minutes idle, 12 hours at most, server-side. -----------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = int(env("VEZA_SESSION_IDLE_SECONDS", "1800"))
# Activity renews the idle limit through core.middleware.SessionLifetimeMiddleware (once a minute).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
VEZA_SESSION_ABSOLUTE_SECONDS = int(env("VEZA_SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "veza.core.views.csrf_failure"
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

HTTPS = env_bool("VEZA_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("VEZA_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("VEZA_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("VEZA_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
#: Number of trusted proxies in front of Veza: the client address is read from X-Forwarded-For then.
VEZA_TRUSTED_PROXIES = int(env("VEZA_TRUSTED_PROXIES", "0"))

# --- Languages -----------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("sq", _("Albanian")),
    ("sr", _("Serbian (Cyrillic)")),
    ("sr-latn", _("Serbian (Latin)")),
    ("bs", _("Bosnian")),
    ("hr", _("Croatian")),
    ("mk", _("Macedonian")),
]
#: Each language's name in that language, for the switcher.
LANGUAGE_NATIVE_NAMES = {
    "en": "English",
    "sq": "Shqip",
    "sr": "Српски",
    "sr-latn": "Srpski",
    "bs": "Bosanski",
    "hr": "Hrvatski",
    "mk": "Македонски",
}
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("VEZA_TIME_ZONE", "Europe/Belgrade")
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VEZA_DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = VEZA_DATA_DIR / "uploads"
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "veza.core.api.authentication.ApiTokenAuthentication",
        "veza.core.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["veza.core.api.permissions.DenyAll"],
    "DEFAULT_PAGINATION_CLASS": "veza.core.api.pagination.VezaPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "veza.core.api.schema.VezaAutoSchema",
    "EXCEPTION_HANDLER": "veza.core.api.errors.api_exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Veza API",
    "DESCRIPTION": (
        "The Veza API. Authenticate with `Authorization: Token <token>` (tokens are issued by an "
        "administrator with `veza token create USERNAME`) or with a verified browser session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ContentStatusEnum": "veza.indicators.choices.ContentStatus",
        "ScreeningStatusEnum": "veza.screening.choices.ScreeningStatus",
        "TraffickingStatusEnum": "veza.cases.choices.TraffickingStatus",
        "ReferralStatusEnum": "veza.referrals.choices.ReferralStatus",
        "InterpreterGenderEnum": "veza.interpreters.models.Gender",
        "RecommendationThemeEnum": "veza.recommendations.choices.Theme",
        "ProgressStatusEnum": "veza.recommendations.choices.ProgressStatus",
        "RecommendationBodyEnum": "veza.recommendations.choices.Body",
        "RecommendationPriorityEnum": "veza.recommendations.choices.Priority",
    },
}

# --- Background work ----------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
#: A worker that has not renewed its lease for this many seconds is taken for dead, and the task
#: it was running is queued again (docs/operations.md, "what happens when a worker dies").
VEZA_WORKER_LEASE_SECONDS = float(env("VEZA_WORKER_LEASE_SECONDS", "60"))
#: A task whose workers died this many times while running it is marked failed, not run again.
VEZA_WORKER_MAX_ATTEMPTS = int(env("VEZA_WORKER_MAX_ATTEMPTS", "3"))

# --- Logging: no personal data, ever. Requests are logged by path only (ids, never names). ------
#: No request body larger than this is read (uploads have their own, smaller caps; federation
#: packets may be up to 25 MB). The reverse proxy should cap at the same size.
VEZA_MAX_REQUEST_BYTES = int(env("VEZA_MAX_REQUEST_BYTES", str(26 * 1024 * 1024)))

#: Error reports (e-mail to ADMINS) never hold what was posted or the frames' variables.
DEFAULT_EXCEPTION_REPORTER_FILTER = "veza.core.reporting.PersonalDataReporterFilter"
ADMINS = [("Veza operator", a) for a in env_list("VEZA_ADMINS")]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("VEZA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        # WeasyPrint logs every layout step at INFO: noise in a server's log.
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
    },
}

EMAIL_BACKEND = env(
    "VEZA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env("VEZA_FROM_EMAIL", "veza@localhost")
EMAIL_HOST = env("VEZA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("VEZA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("VEZA_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("VEZA_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("VEZA_EMAIL_TLS", PRODUCTION)
#: The address people use to reach this instance, for links in e-mails.
VEZA_BASE_URL = env("VEZA_BASE_URL", "http://127.0.0.1:8000")

# --- Federation: this instance among the others (see docs/federation.md) -------------------------
#: A short, unique name of this instance among the peers, e.g. "veza-rs" or "veza-hub".
VEZA_INSTANCE_ID = env("VEZA_INSTANCE_ID", "veza-local")
VEZA_INSTANCE_NAME = env("VEZA_INSTANCE_NAME", "Veza")
#: The participant this instance serves (AL, BA, XK, ME, MK, RS) or HUB for the regional hub.
VEZA_INSTANCE_PARTICIPANT = env("VEZA_INSTANCE_PARTICIPANT", "RS")
VEZA_INSTANCE_ROLE = "hub" if VEZA_INSTANCE_PARTICIPANT == "HUB" else "national"
#: Seconds to wait for a peer's inbox before the packet is tried again later.
VEZA_FEDERATION_TIMEOUT = float(env("VEZA_FEDERATION_TIMEOUT", "15"))
#: Where approved national releases go: "local" (this instance is the hub too, as in the demo) or
#: "hub" (pushed to the hub's instance over the federation).
VEZA_RELEASES_TO = env("VEZA_RELEASES_TO", "local")
