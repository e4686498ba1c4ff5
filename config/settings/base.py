"""Settings shared by every environment. Values come from the environment (see config/env.py)."""

from datetime import timedelta
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from config.env import database_from_env, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # daphne first: its runserver replaces Django's and speaks WebSocket.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "core",
    "accounts",
    "quiz",
    "leaderboard",
    "campaign",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before any other work: a request that waited in the queue too long gets 503 server_busy.
    "core.middleware.QueueTimeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Only under DEBUG: /api/ errors as JSON where Django would show its technical pages.
    "core.middleware.DebugApiJsonErrorsMiddleware",
]

# Seconds a request may have waited between the proxy and Django (nginx's `X-Request-Start: t=$msec`)
# before it is answered 503 `server_busy` without being worked on (core/middleware.py); 0 = never.
# Without the header (no proxy, `make run`) nothing is refused.
REQUEST_QUEUE_LIMIT_SECONDS = float(env_str("REQUEST_QUEUE_LIMIT_SECONDS", "10"))

# Proxies whose X-Forwarded-For hops are believed (CIDRs, comma-separated; default none: the
# client address is REMOTE_ADDR). Set it to the load balancer's address(es): core/net.py.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Wrong passwords are limited per account and per account + address (django-axes, database
# handler; accounts/login_limits.py), never per address alone: a unit's people log in together
# from one office network. The axes backend refuses a locked-out account before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "accounts.login_limits.AccountLockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
# Failures of one account from one address before it is locked for that address...
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
# ...and of one account from anywhere (guessing spread over many addresses).
LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
# How long a lock lasts after the last counted failure.
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
# Tries refused during a lock are not counted: one address can add at most AXES_FAILURE_LIMIT to
# the account's count, so locking an account everywhere takes several addresses.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "core.net.client_ip"
AXES_DISABLE_ACCESS_LOG = True  # no row per successful log-in
AXES_VERBOSE = False  # no banner on every manage.py command; lockouts are still logged
# The views answer a lockout themselves (JSON 429 under /api/, the form with 429 on the site),
# so axes' middleware, which would replace those answers with its own page, is not installed.
SILENCED_SYSTEM_CHECKS = ["axes.W002"]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],  # every template lives in its app's templates/ folder
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": database_from_env(BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# REDIS_URL switches the cache (throttles) and the live leaderboards (core/redis.py) to Redis;
# several server processes then share them. Without it everything stays in the one process.
# No CHANNEL_LAYERS: the one consumer (the live dashboard) polls the leaderboard store and
# never joins a group (channel_layer_alias = None), so no channel layer is configured.
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_PREFIX", "quiz"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "quiz"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Django's rule, with the zh-Hans message Django 5.2's catalogue lacks (accounts/validators.py).
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language, short and long alike: 2026年6月1日 14:05 / 1 Jun 2026 14:05.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end packages come from the npm registry (package.json); only the built files are exposed.
_VENDOR_DIST = {"echarts": "echarts/dist", "alpinejs": "alpinejs/dist"}
STATICFILES_DIRS = [
    (f"vendor/{name}", BASE_DIR / "node_modules" / dist)
    for name, dist in _VENDOR_DIST.items()
    if (BASE_DIR / "node_modules" / dist).is_dir()
]
MEDIA_URL = "/media/"
MEDIA_ROOT = BASE_DIR / "media"

# The benchmark's floor (GET /api/v1/bench/baseline/, docs/benchmarks.md) is routed only when
# asked: the test settings and the bench harness (bench/run.py) turn it on, production leaves it out.
BENCH_ROUTES = env_bool("BENCH_ROUTES")

LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Bodies: JSON and form fields (everything but uploaded files) at most 2.5 MB (a submission is a few
# KB); larger is 400 `request_too_large`. Uploaded files above 2.5 MB go to a temporary file instead
# of memory; question banks and unit lists are at most IMPORT_MAX_FILE_BYTES (checked by the import).
# The proxy refuses bigger bodies before they reach a server process (docs/deployment.md).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 10 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 20_000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # DRF's negotiation with a shortcut for the usual Accept headers (same answers, less CPU).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.negotiation.JSONFirstNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        # Per-address ceilings, successes included: a hall of a few hundred people behind one
        # address must get through (docs/security.md). Wrong passwords are limited per account.
        "login": env_str("THROTTLE_LOGIN", "600/hour"),
        "register": env_str("THROTTLE_REGISTER", "600/hour"),
        "attempt_start": env_str("THROTTLE_ATTEMPT_START", "30/min"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Safety knowledge quiz competition API",
    "DESCRIPTION": "HTTP contract of the Safety Production Month knowledge competition platform.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from our own static files (drf-spectacular-sidecar), not a CDN: the docs page
    # works on a network without internet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The framework's own error answers (400/401/403/404/429), documented on every operation.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.add_error_responses",
    ],
}

# An API token unused this long expires; used after half of it, it is renewed quietly (core/tokens.py).
TOKEN_TTL_HOURS = env_int("TOKEN_TTL_HOURS", 24 * 30)
# Seconds a token and its user stay in the cache (no SQL for authentication); invalidated at once
# on log-out, password change, deactivation and any save of the user (core/tokens.py). Off without
# Redis: a local-memory cache is per process and could not be invalidated in the others.
TOKEN_CACHE_SECONDS = env_int("TOKEN_CACHE_SECONDS", 300 if REDIS_URL else 0)

# Seconds after an attempt's deadline during which a submission is still taken as on time
# (the phone's last request may be in flight when the clock runs out).
ATTEMPT_GRACE_SECONDS = env_int("ATTEMPT_GRACE_SECONDS", 15)
# How often, at most, a competition's dashboards receive an update.
LIVE_BROADCAST_INTERVAL_SECONDS = float(env_str("LIVE_BROADCAST_INTERVAL_SECONDS", "1.0"))
# How often each server process reads the version of each watched competition (one Redis GET): a
# change after a quiet interval reaches the dashboards within this much (leaderboard/live.py).
LIVE_POLL_SECONDS = float(env_str("LIVE_POLL_SECONDS", "0.1"))
# Redis keys of the live leaderboard start with this (several deployments or test runs can share a Redis db).
LEADERBOARD_KEY_PREFIX = env_str("LEADERBOARD_KEY_PREFIX", "lb")
# How often each server process consumes the leaderboard outbox (deletes the rows of attempts the
# live figures hold, records the others: a process killed after a commit, Redis unreachable) and
# rebuilds open competitions Redis lost; 0 turns it off (then run `manage.py leaderboard_catch_up`).
LEADERBOARD_CATCH_UP_SECONDS = float(env_str("LEADERBOARD_CATCH_UP_SECONDS", "2.0"))
# Width of one step of the dashboard's "participants and attempts over time" chart.
LIVE_TIMELINE_BUCKET_SECONDS = env_int("LIVE_TIMELINE_BUCKET_SECONDS", 300)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.channels.server": {"level": env_str("ACCESS_LOG_LEVEL", "WARNING")}},
}
