"""Settings for hackplatform: one file, read from the environment (healthchecks' shape).

Defaults suit a laptop: SQLite under var/, an embedded (filesystem) Celery broker, files on the
local disk. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=0 and ALLOWED_HOSTS.
"""

from __future__ import annotations

import contextlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
DEBUG = envbool("DEBUG", True)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"


def published_secret_keys() -> set[str]:
    """Keys anyone can read in the repository: the dev default, the one in `.env.example`, and any
    `SECRET_KEY=` line of an example file, so a copied example never reaches production."""
    keys = {_DEV_SECRET_KEY, "change-me-to-at-least-50-random-characters-change-me-change-me"}
    for example in (BASE_DIR / ".env.example", BASE_DIR / "docker-compose.yml"):
        with contextlib.suppress(OSError):
            for line in example.read_text(encoding="utf-8").splitlines():
                name, _sep, value = line.strip().partition("=")
                if name.strip().lstrip("- ").endswith("SECRET_KEY") and value.strip():
                    keys.add(value.strip().strip("\"'"))
    return keys


def secret_key_problem(key: str) -> str | None:
    """Why a production key is unacceptable, or None: published in the repository, short, or repetitive."""
    if key in published_secret_keys():
        return "SECRET_KEY is published in the repository (.env.example or the dev default): generate your own."
    if len(key) < 50 or len(set(key)) < 5 or "change-me" in key.lower():
        return "SECRET_KEY is too weak: use at least 50 random characters."
    return None


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEBUG and (_problem := secret_key_problem(SECRET_KEY)):
    raise ImproperlyConfigured(_problem)

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
# The site's address in emails: by default what `make run` serves (HOST and PORT, as devserver.py reads them).
SITE_URL = (
    os.environ.get("SITE_URL") or f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
)

INSTALLED_APPS = [
    "hackplatform.apps.HackplatformConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "axes",
    "csp",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "accounts",
    "challenges",
    "submissions",
    "judging",
    "communication",
    "bundles",
    "webhooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "hackplatform.middleware.ViewerTimezoneMiddleware",
    "hackplatform.middleware.UserLanguageMiddleware",
    "hackplatform.middleware.RateLimitHeadersMiddleware",
    # Last: turns a login refused by django-axes into a 429 page or API body.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hackplatform.urls"
WSGI_APPLICATION = "hackplatform.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "communication.context_processors.unread_notifications",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", 0),
        # A kept connection is checked before each request reuses it (after a database restart).
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a worker writes; IMMEDIATE transactions take the write
    # lock up front so concurrent writers queue on the timeout instead of failing to upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file (not :memory:) so a real worker process started by a test sees the test database.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DB_NAME", str(VAR_DIR / "test-db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# Internationalization: English, Spanish, Portuguese and French.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish")), ("pt", _("Portuguese")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

# Static files are served by the application itself (whitenoise), under runserver and gunicorn.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Hidden truth files and uploaded submissions: never under a served path.
PRIVATE_ROOT = Path(os.environ.get("PRIVATE_ROOT", VAR_DIR / "private"))

STORAGES = {
    "default": {
        "BACKEND": os.environ.get("DEFAULT_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"),
    },
    # Everything participants must not fetch by URL goes here; reads pass a permission check.
    "private": {
        "BACKEND": os.environ.get("PRIVATE_FILE_STORAGE", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": "/no-public-url/"}
        if "FileSystemStorage" in os.environ.get("PRIVATE_FILE_STORAGE", "FileSystemStorage")
        else {},
    },
    # Hashed, compressed names in production (after collectstatic); plain files while developing.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Files on S3-compatible object storage (AWS S3, MinIO, Ceph, ...): with STORAGE_S3_BUCKET set, the public
# media (team logos) and the private files (truth files, datasets, uploads) live in that bucket, under
# STORAGE_S3_MEDIA_PREFIX and STORAGE_S3_PRIVATE_PREFIX, and every process (web, workers on other machines)
# reads and writes them through the storage API: no shared disk. Keys come from AWS_ACCESS_KEY_ID and
# AWS_SECRET_ACCESS_KEY (or the machine's role); AWS_S3_ENDPOINT_URL names a non-AWS server. The bucket must
# not be public: every URL handed out is signed and expires (AWS_QUERYSTRING_EXPIRE seconds).
STORAGE_S3_BUCKET = os.environ.get("STORAGE_S3_BUCKET", "")
if STORAGE_S3_BUCKET:
    _s3_options = {
        "bucket_name": STORAGE_S3_BUCKET,
        "file_overwrite": False,
        "querystring_auth": True,
        "querystring_expire": envint("AWS_QUERYSTRING_EXPIRE", 3600),
        # A file read (scoring, a download) is held in memory up to this size, past it in a temporary file.
        "max_memory_size": envint("AWS_S3_MAX_MEMORY_SIZE", 16 * 1024 * 1024),
    }
    for _option, _variable in (("endpoint_url", "AWS_S3_ENDPOINT_URL"), ("region_name", "AWS_S3_REGION_NAME")):
        if os.environ.get(_variable):
            _s3_options[_option] = os.environ[_variable]
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "location": os.environ.get("STORAGE_S3_MEDIA_PREFIX", "media")},
    }
    STORAGES["private"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {**_s3_options, "location": os.environ.get("STORAGE_S3_PRIVATE_PREFIX", "private")},
    }

# Caches: Redis when configured, else local memory (cached values carry a version read from the
# database, so per-process caches never serve stale leaderboards). Redis is optional for reads: a
# failure is logged and read as a miss (hackplatform/cache.py), each call waits at most
# CACHE_TIMEOUT_MS, and after a failure the process leaves Redis alone for CACHE_RETRY_SECONDS.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_TIMEOUT_MS = envint("CACHE_TIMEOUT_MS", 500)
CACHE_RETRY_SECONDS = envint("CACHE_RETRY_SECONDS", 5)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "hackplatform.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_MS / 1000,
                "socket_timeout": CACHE_TIMEOUT_MS / 1000,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: Redis when configured; otherwise an embedded filesystem broker that needs no server,
# shared by the web process, the worker and beat through var/broker/.
BROKER_DIR = Path(os.environ.get("BROKER_DIR", VAR_DIR / "broker"))
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or REDIS_URL or "filesystem://"
SCORING_SOFT_TIME_LIMIT = envint("SCORING_SOFT_TIME_LIMIT", 300)
SCORING_HARD_TIME_LIMIT = envint("SCORING_HARD_TIME_LIMIT", 360)
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(BROKER_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", f"file://{BROKER_DIR / 'results'}")
else:
    # Longer than the longest job, so a slow job is never delivered twice while it still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": SCORING_HARD_TIME_LIMIT * 4,
        "queue_order_strategy": "priority",
    }
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# One message reserved per worker process: a job never waits behind a long one on a busy worker while
# another is idle. A higher value (fewer round trips for many short jobs) is safe: jobs reserved by a worker
# that dies are sent again by the sweep (drill: test_drill_worker_killed_with_jobs_prefetched...).
CELERY_WORKER_PREFETCH_MULTIPLIER = envint("CELERY_WORKER_PREFETCH_MULTIPLIER", 1)
CELERY_TASK_SOFT_TIME_LIMIT = SCORING_SOFT_TIME_LIMIT
CELERY_TASK_TIME_LIMIT = SCORING_HARD_TIME_LIMIT
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Leases: a running job holds its claim for SCORING_LEASE_SECONDS and a heartbeat thread in the worker
# renews it every SCORING_HEARTBEAT_SECONDS; beat runs the sweep every SCORING_SWEEP_SECONDS, which
# sends again the jobs whose lease lapsed (their worker died). Worst case from a SIGKILL to the job
# being sent again: lease + sweep interval (30 + 15 = 45 s).
SCORING_LEASE_SECONDS = envint("SCORING_LEASE_SECONDS", 30)
SCORING_HEARTBEAT_SECONDS = envint("SCORING_HEARTBEAT_SECONDS", 5)
SCORING_SWEEP_SECONDS = envint("SCORING_SWEEP_SECONDS", 15)
CELERY_BEAT_SCHEDULE: dict = {
    "sweep": {
        "task": "submissions.sweep",
        "schedule": float(SCORING_SWEEP_SECONDS),
        "options": {"expires": max(1, SCORING_SWEEP_SECONDS - 1)},
    },
    # Scheduled announcements, email retries and phase reminders (24 h and 1 h before).
    "communication": {"task": "communication.send_due", "schedule": 60.0, "options": {"expires": 50}},
    "expired-tokens": {"task": "accounts.delete_expired_tokens", "schedule": 3600.0, "options": {"expires": 3000}},
    # Webhook deliveries whose message was lost (broker down when queued, a worker killed mid-try).
    "webhooks": {"task": "webhooks.sweep", "schedule": 60.0, "options": {"expires": 50}},
}
# Every worker consumes all three queues (none is named with -Q). With Redis they are read in this order
# (`queue_order_strategy: priority` below): the sweeper's rare, short runs first, so a lost job is found
# even behind a deadline's backlog; then scoring; then notices (emails, notifications, announcements),
# which wait until no scoring job does.
CELERY_TASK_QUEUES = (Queue("housekeeping"), Queue("celery"), Queue("notify"))
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "submissions.sweep": {"queue": "housekeeping"},
    "accounts.delete_expired_tokens": {"queue": "housekeeping"},
    "submissions.notify_finished": {"queue": "notify"},
    "communication.*": {"queue": "notify"},
}

# Uploads and scoring limits.
# Scoring jobs: a job claimed this many times ends failed (a poison file stops looping); a queued job
# not claimed within QUEUED_LOST seconds while the broker's queue is empty was lost (a wiped broker):
# sent again; while the queue still holds messages it may be waiting its turn, so only after
# QUEUED_STALE seconds; a running one whose lease lapsed, or older than the hard limit + STALE_MARGIN
# (a backstop), has lost its worker.
SCORING_MAX_ATTEMPTS = envint("SCORING_MAX_ATTEMPTS", 3)

# Organizers' webhooks: deliveries refuse loopback/private/link-local addresses (checked at every send)
# unless this is on (tests deliver to a receiver on 127.0.0.1); a few seconds per try; retried with
# exponential backoff (base, 2 x base, 4 x base...) up to WEBHOOKS_MAX_ATTEMPTS tries in all.
WEBHOOKS_ALLOW_PRIVATE = envbool("WEBHOOKS_ALLOW_PRIVATE", False)
WEBHOOKS_TIMEOUT_SECONDS = envint("WEBHOOKS_TIMEOUT_SECONDS", 5)
WEBHOOKS_MAX_ATTEMPTS = envint("WEBHOOKS_MAX_ATTEMPTS", 5)
WEBHOOKS_RETRY_BASE_SECONDS = envint("WEBHOOKS_RETRY_BASE_SECONDS", 30)
SCORING_QUEUED_LOST_SECONDS = envint("SCORING_QUEUED_LOST_SECONDS", 20)
SCORING_QUEUED_STALE_SECONDS = envint("SCORING_QUEUED_STALE_SECONDS", 120)
SCORING_STALE_MARGIN = envint("SCORING_STALE_MARGIN", 60)
# How long after the deadline the body of an upload that started in time may still be arriving.
SUBMISSION_UPLOAD_ALLOWANCE_SECONDS = envint("SUBMISSION_UPLOAD_ALLOWANCE_SECONDS", 300)
SUBMISSION_MAX_UPLOAD_BYTES = envint("SUBMISSION_MAX_UPLOAD_BYTES", 100 * 1024 * 1024)
SCORING_MAX_DECOMPRESSED_BYTES = envint("SCORING_MAX_DECOMPRESSED_BYTES", 200 * 1024 * 1024)
# How many prepared truths (read, validated, indexed) each worker process keeps: at a deadline every job of
# a phase scores against the same truth. 0 reads the truth for every job.
SCORING_TRUTH_CACHE_SIZE = envint("SCORING_TRUTH_CACHE_SIZE", 4)
# How much each worker process lowers its CPU priority (nice): the web answers first when both want the CPU.
SCORING_WORKER_NICENESS = envint("SCORING_WORKER_NICENESS", 10)
DATASET_MAX_UPLOAD_BYTES = envint("DATASET_MAX_UPLOAD_BYTES", 500 * 1024 * 1024)
# Event bundles (bundles/): the uploaded file, everything in its zip once unpacked, and its YAML alone.
BUNDLE_MAX_BYTES = envint("BUNDLE_MAX_BYTES", 100 * 1024 * 1024)
BUNDLE_MAX_UNPACKED_BYTES = envint("BUNDLE_MAX_UNPACKED_BYTES", 500 * 1024 * 1024)
BUNDLE_MAX_YAML_BYTES = envint("BUNDLE_MAX_YAML_BYTES", 1024 * 1024)
IMAGE_MAX_UPLOAD_BYTES = envint("IMAGE_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
IMAGE_MAX_PIXELS = envint("IMAGE_MAX_PIXELS", 25_000_000)
# Extra scorers from installed packages: "kind=dotted.path:callable" pairs, comma separated.
SCORING_EXTRA_SCORERS = envlist("SCORING_EXTRA_SCORERS", "")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Proxies in front of the site whose X-Forwarded-For is trusted (0: use the socket's address).
# The login lockout and the API throttles read the caller's address the same way; from 1 on, an upload's
# arrival time is the proxy's X-Request-Start (when the proxy received it), not when gunicorn got it.
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)

# Login throttling (django-axes, see accounts/login_guard.py): failures within the cool-off count;
# each lock lifts by itself once the cool-off has passed since the last failure.
AXES_HANDLER = "accounts.login_guard.LoginGuardHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"]
LOGIN_FAILURE_LIMITS = {
    "username_ip": envint("LOGIN_FAILURE_LIMIT", 10),
    "username": envint("LOGIN_FAILURE_LIMIT_PER_USERNAME", 30),
    "ip": envint("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 50),
}
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMITS["username_ip"]
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_COOLOFF_MINUTES", 15))
# Hammering a locked account does not extend its lock: Retry-After stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A success must not wipe the address's count (a sprayer would log into their own account to reset it).
AXES_RESET_ON_SUCCESS = False
AXES_CLIENT_IP_CALLABLE = "accounts.login_guard.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.login_guard.lockout_response"
AXES_VERBOSE = False

# API tokens (django-rest-knox): only a hash is stored; the token is shown once.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=envint("API_TOKEN_TTL_DAYS", 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": 20,
}

# REST API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": [
        # DRF's, which also send RateLimit-* headers (hackplatform.throttling, RateLimitHeadersMiddleware).
        "hackplatform.throttling.AnonRateThrottle",
        "hackplatform.throttling.UserRateThrottle",
        "hackplatform.throttling.ScopedRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "120/min"),
        "user": os.environ.get("THROTTLE_USER", "600/min"),
        # Per address: sign-ups (page and API), token requests (besides the lockout above).
        "signup": os.environ.get("THROTTLE_SIGNUP", "20/hour"),
        "login": os.environ.get("THROTTLE_LOGIN", "30/min"),
        # Per team: uploads (page and API), on top of the phase's daily limit.
        "upload": os.environ.get("THROTTLE_UPLOAD", "20/min"),
        # Per user: verification links sent again on request.
        "email": os.environ.get("THROTTLE_EMAIL", "5/hour"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_PAGINATION_CLASS": "hackplatform.pagination.Pagination",
    "PAGE_SIZE": 50,
    # JSON bodies everywhere; views that take a file list MultiPartParser first (hackplatform.schema.AutoSchema
    # documents each operation's first parser only: one media type per operation).
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_SCHEMA_CLASS": "hackplatform.schema.AutoSchema",
    "EXCEPTION_HANDLER": "hackplatform.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "hackplatform API",
    "DESCRIPTION": "Events, challenges, phases, teams, submissions, leaderboards and judging.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Requests and answers get components of their own: read-only fields are not required in requests,
    # and file fields are binary in requests (a URL in answers).
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hackplatform.schema.document_refusals",
    ],
}

# Email: printed to the console unless an SMTP host is configured.
# Links that verify an address (or confirm a new one) expire after this many seconds (3 days).
EMAIL_LINK_MAX_AGE = envint("EMAIL_LINK_MAX_AGE", 3 * 24 * 3600)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "hackplatform <noreply@localhost>")

# Security: strict when DEBUG is off (manage.py check --deploy is clean).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from files of the site itself, no
# inline code; a page that needs a script of its own gets a nonce (request.csp_nonce).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if envbool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
