"""All settings, read from the environment; with no environment at all the registry runs on an
embedded SQLite file with Celery tasks executed in-process."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE

from config.secrets import local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
# Unset SECRET_KEY: a random key is made once and kept in a git-ignored file beside the code,
# so a laptop needs no set-up; production sets SECRET_KEY (shared by every web process).
SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(BASE_DIR / ".secret_key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

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
    "simple_history",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    "inventory",
    "curation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.RequestBodyLimit",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "reports"
LOGOUT_REDIRECT_URL = "login"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "config" / "static"]

# Local corpora may only be read below these named roots: STORAGE_ROOTS="name=/path,other=/path",
# locations written name:relative/path (resolved, symlinks included).
STORAGE_ROOTS = {
    name: Path(path).resolve()
    for name, path in env.dict(
        "STORAGE_ROOTS", default={"fixtures": str(BASE_DIR / "fixtures")}
    ).items()
}
LOCATIONS_ALLOW_HTTP = env.bool("LOCATIONS_ALLOW_HTTP", default=False)
# Networks an operator trusts on purpose (an internal store); metadata addresses stay refused.
LOCATIONS_ALLOWED_NETWORKS = env.list("LOCATIONS_ALLOWED_NETWORKS", default=[])
LOCATIONS_MAX_REDIRECTS = env.int("LOCATIONS_MAX_REDIRECTS", default=3)
LOCATIONS_MAX_SECONDS = env.float("LOCATIONS_MAX_SECONDS", default=600.0)
LOCATIONS_MAX_BYTES = env.int("LOCATIONS_MAX_BYTES", default=50 * 1024**3)
S3_OPTIONS = {
    key: value
    for key, value in {
        "key": env.str("S3_ACCESS_KEY_ID", default=""),
        "secret": env.str("S3_SECRET_ACCESS_KEY", default=""),
        "endpoint_url": env.str("S3_ENDPOINT_URL", default=""),
    }.items()
    if value
} | {"anon": env.bool("S3_ANONYMOUS", default=False)}
# Without a key and secret (and not anonymous) s3:// locations are refused: s3fs's own credential
# chain ends at the cloud metadata address, whose instance credentials are the machine's.
S3_ALLOW_INSTANCE_CREDENTIALS = env.bool("S3_ALLOW_INSTANCE_CREDENTIALS", default=False)

# --- Security: strict unless DEBUG is asked for --------------------------------------------------
SESSION_COOKIE_SECURE = not DEBUG and env.bool("SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=["security.W008"])
# Reverse proxies in front of the site that append the address they saw to X-Forwarded-For; the
# client's address is the one the outermost of them wrote (inventory.auth.client_address). 0: no
# proxy, REMOTE_ADDR is the client, and X-Forwarded-For is ignored (anyone can write it).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Every response: nothing but this site's own scripts, styles and images; no plugins, frames or
# foreign form targets. Style attributes (not <style> elements) are allowed: the matplotlib SVG
# chart inlined in the report pages colours itself with them, and so does the browsable API.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2_621_440)

# --- REST API ----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "inventory.auth.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "inventory.permissions.TokenScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "profile": env.str("PROFILE_THROTTLE_RATE", default="60/hour"),
        "catalogue_anon": env.str("CATALOGUE_ANON_THROTTLE_RATE", default="60/hour"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Sovereign Corpus Registry API",
    "DESCRIPTION": "Corpora held by a nation in its own languages: inventory, profiles, "
    "coverage and curated manifests.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Swagger UI and Redoc from this site's static files (drf-spectacular-sidecar), not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Failed token authentications from one client address before its token attempts are refused
# for the window (its sessions and anonymous reads are not).
AUTH_FAILURE_LIMIT = env.int("AUTH_FAILURE_LIMIT", default=20)
AUTH_FAILURE_WINDOW_SECONDS = env.int("AUTH_FAILURE_WINDOW_SECONDS", default=300)
# Throttle counters live here: set CACHE_URL (e.g. redis://127.0.0.1:6379/1, Django's own
# RedisCache) when several web processes must share them; unset, each process counts alone.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# Password guessing on /accounts/login/ and /admin/login/ (django-axes): a (username, client
# address) pair that fails this many times is answered 429 until the cool-off has passed.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "inventory.auth.login_address"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # no banner on every start; failures and lockouts are still logged

# Pipelines' API tokens (django-rest-knox): stored hashed, expiring, revocable, scoped.
KNOX_TOKEN_MODEL = "inventory.ApiToken"
# knox's own migrations create its default token table even when the model is swapped.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_PREFIX": "scr_",
    "TOKEN_TTL": None,  # every token is created with an explicit expiry
    "AUTO_REFRESH": False,
    "AUTH_HEADER_PREFIX": "Token",
}

# --- Celery ------------------------------------------------------------------------------------
# No broker configured: tasks run in-process (eager), so the demo and a laptop need no server.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
# A task is acknowledged only once it has finished and re-delivered if its worker process dies:
# every task is written to be safe to run twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The broker re-delivers an unacknowledged message after the visibility timeout; the time limits
# stay below it, so a slow task is killed before a second copy of it can start.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=1800)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=1500)
if not CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise environ.ImproperlyConfigured(
        "Celery time limits must satisfy CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < "
        f"CELERY_VISIBILITY_TIMEOUT; got {CELERY_TASK_SOFT_TIME_LIMIT}, "
        f"{CELERY_TASK_TIME_LIMIT}, {CELERY_VISIBILITY_TIMEOUT}"
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {}
HEALTH_PING_TIMEOUT = env.float("HEALTH_PING_TIMEOUT", default=0.5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Profiling runs ------------------------------------------------------------------------------
PROFILE_SAMPLE_SIZE = env.int("PROFILE_SAMPLE_SIZE", default=5000)
# An asset registered through the API or the admin is profiled at once (curation.lifecycle).
PROFILE_ON_REGISTER = env.bool("PROFILE_ON_REGISTER", default=True)
# A claimed pack of shards is leased for PROFILE_LEASE_SECONDS and its worker renews the lease
# every PROFILE_LEASE_RENEW_SECONDS while it profiles: a live worker keeps its pack however long it
# takes (up to the task's hard time limit), a dead one's pack is free again within a lease.
PROFILE_LEASE_SECONDS = env.int("PROFILE_LEASE_SECONDS", default=60)
PROFILE_LEASE_RENEW_SECONDS = env.float(
    "PROFILE_LEASE_RENEW_SECONDS", default=PROFILE_LEASE_SECONDS / 3
)
if not 0 < PROFILE_LEASE_RENEW_SECONDS < PROFILE_LEASE_SECONDS:
    raise environ.ImproperlyConfigured(
        "PROFILE_LEASE_RENEW_SECONDS must be above 0 and below PROFILE_LEASE_SECONDS; got "
        f"{PROFILE_LEASE_RENEW_SECONDS} and {PROFILE_LEASE_SECONDS}"
    )
# Small files are profiled in packs of up to PROFILE_PACK_BYTES of stored bytes and
# PROFILE_PACK_FILES files; a small asset is cut into about PROFILE_PACK_SPREAD packs so that
# several workers share it.
PROFILE_PACK_BYTES = env.int("PROFILE_PACK_BYTES", default=128 * 1024 * 1024)
PROFILE_PACK_FILES = env.int("PROFILE_PACK_FILES", default=2000)
PROFILE_PACK_SPREAD = env.int("PROFILE_PACK_SPREAD", default=16)
# A file bigger than this that the engine can read in line ranges (uncompressed text or JSON
# lines, one document per line, on a local root or S3) is cut into ranges of PROFILE_PACK_BYTES.
PROFILE_SPLIT_BYTES = env.int("PROFILE_SPLIT_BYTES", default=2 * PROFILE_PACK_BYTES)
# A queued shard nobody claimed for this long (its message was lost) is queued again.
PROFILE_REQUEUE_SECONDS = env.int("PROFILE_REQUEUE_SECONDS", default=300)
PROFILE_MAX_ATTEMPTS = env.int("PROFILE_MAX_ATTEMPTS", default=5)
PROFILE_RECONCILE_SECONDS = env.float("PROFILE_RECONCILE_SECONDS", default=60.0)
CELERY_BEAT_SCHEDULE["reconcile-profile-runs"] = {
    "task": "curation.reconcile_runs",
    "schedule": PROFILE_RECONCILE_SECONDS,
}

# --- Coverage reports ----------------------------------------------------------------------------
# A refresh runs this many seconds after the change that queued it (a countdown, not a debounce:
# each change queues one; identical inputs write nothing).
COVERAGE_DEBOUNCE_SECONDS = env.int("COVERAGE_DEBOUNCE_SECONDS", default=10)
CELERY_BEAT_SCHEDULE["refresh-all-coverage"] = {
    "task": "curation.refresh_all_coverage",
    "schedule": crontab(hour=2, minute=30),
}

# --- Manifests ------------------------------------------------------------------------------------
# Versions are materialised in the request when the owner has up to this many profiled assets to
# choose from; otherwise by a task.
MANIFEST_INLINE_ASSETS = env.int("MANIFEST_INLINE_ASSETS", default=50)
# The site's public address, used in exported manifests and the catalogue (default: the request's).
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")
