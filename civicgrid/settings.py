"""The one settings module. Everything deployment-specific comes from CIVICGRID_* variables.

Every setting read here is listed in docs/settings.md; tests/test_docs.py fails when one is not.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CIVICGRID_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"CIVICGRID_{name}", default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value in (None, "") else int(value)


def _key_from_var_file(filename: str, nbytes: int) -> str:
    """Development keys live in ./var so that a restarted demo keeps its sessions and data readable."""
    import base64
    import secrets

    path = VAR_DIR / filename
    if path.exists():
        return path.read_text().strip()
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # keys, database, media: the server user only
    value = base64.urlsafe_b64encode(secrets.token_bytes(nbytes)).decode()
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("PRODUCTION", False)

SECRET_KEY = env("SECRET_KEY") or ""
DATA_KEY = env("DATA_KEY") or ""
if PRODUCTION and (not SECRET_KEY or not DATA_KEY):
    raise ImproperlyConfigured("CIVICGRID_SECRET_KEY and CIVICGRID_DATA_KEY are required in production")
SECRET_KEY = SECRET_KEY or _key_from_var_file("secret_key", 48)
# Personal-data encryption key (AES-256-GCM): 32 bytes, urlsafe base64.
DATA_KEY = DATA_KEY or _key_from_var_file("data_key", 32)
# After a rotation: the keys before it, newest first, still read rows until rotate_data_key is done.
DATA_KEYS_PREVIOUS = [k.strip() for k in (env("DATA_KEYS_PREVIOUS") or "").split(",") if k.strip()]
# The look-up hashes' key; unset, the oldest data key above keys them (so a rotation leaves them valid).
LOOKUP_KEY = env("LOOKUP_KEY") or ""

ALLOWED_HOSTS = [h.strip() for h in (env("ALLOWED_HOSTS") or "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in (env("CSRF_TRUSTED_ORIGINS") or "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "django_otp",  # second sign-in factor for administrators (TOTP and recovery codes)
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "civicgrid.core",
    "civicgrid.accounts",
    "civicgrid.geo",
    "civicgrid.people",
    "civicgrid.cases",
    "civicgrid.volunteers",
    "civicgrid.gridops.patrols",
    "civicgrid.gridops.campaigns",
    "civicgrid.gridops.fieldwork",
    "civicgrid.enterprises",
    "civicgrid.innovation",
    "civicgrid.recognition",
    "civicgrid.works",
    "civicgrid.publicservice",
    "civicgrid.investment",
    "civicgrid.subsidies",
    "civicgrid.relief",
    "civicgrid.figures",
    "civicgrid.dashboard",
    "civicgrid.reports",
    "civicgrid.open311",
    "civicgrid.webhooks",
    "civicgrid.api",
    "civicgrid.privacy",
    "civicgrid.ops",
    "civicgrid.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # below WhiteNoise: static files keep their long caching and need no CSP of their own
    "civicgrid.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "civicgrid.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "civicgrid.core.inputs.InputGuardMiddleware",  # NUL characters and oversized bodies, before any view
    "civicgrid.api.middleware.JsonErrorsMiddleware",  # 404/405 under /api/ as {code, message, details}
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "civicgrid.core.middleware.IdleTimeoutMiddleware",
    "civicgrid.core.middleware.RequestContextMiddleware",
    "civicgrid.ops.middleware.RequestLogMiddleware",  # inside the context: its log line has the request id
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "civicgrid.urls"
WSGI_APPLICATION = "civicgrid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "civicgrid" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicgrid.core.context.site",
                "civicgrid.core.context.nav",
            ],
        },
    }
]

# --- database -----------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'civicgrid.sqlite3'}"
DATABASE_URL = env("DATABASE_URL") or DEFAULT_SQLITE
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 600)
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)  # keys, database, media: the server user only
    _db["ENGINE"] = "civicgrid.core.sqlite"  # Django's backend: 0600 files, WAL checkpoints after commits
    _db["OPTIONS"] = {
        # WAL lets readers run while one writer writes; IMMEDIATE avoids lock-upgrade deadlocks. mmap: after
        # another process's commit a connection's page cache starts cold, and mapped pages are read
        # without a system call and a copy each (about 7% less CPU per intake, docs/write-path.md).
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=5000; PRAGMA cache_size=-64000; PRAGMA mmap_size=1073741824;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _db["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_POOL", False):
    # psycopg 3 pool; Django forbids CONN_MAX_AGE together with a pool.
    _db["CONN_MAX_AGE"] = 0
    _db.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN", 2),
        "max_size": env_int("DB_POOL_MAX", 10),
        "timeout": 10,
    }
_db.setdefault("TEST", {})
if _db["ENGINE"] == "civicgrid.core.sqlite":
    # A file, not Django's shared-cache memory database: that one answers "table is locked" at once
    # where real SQLite waits for the writer (busy_timeout), so concurrency tests would mean nothing.
    # Per process, so that parallel test runs never share a file.
    _db["TEST"]["NAME"] = str(VAR_DIR / f"test_civicgrid_{os.getpid()}.sqlite3")
if env("TEST_DATABASE_NAME"):
    _db["TEST"]["NAME"] = env("TEST_DATABASE_NAME")
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache and background tasks -------------------------------------------------------------------
REDIS_URL = env("REDIS_URL") or ""
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

TASKS = {
    "default": {
        "BACKEND": env("TASK_BACKEND") or "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# The scale option: RQ on Redis (CIVICGRID_TASK_BACKEND=django_tasks_rq.RQBackend), with workers started by
# `python -m civicgrid rqworker default` on as many machines as the queue needs (docs/deployment.md).
RQ_BACKEND = "django_tasks_rq.RQBackend"
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}
# the job class that reports results to django_tasks; a worker that stops without a minute's hang
RQ = {"JOB_CLASS": "django_tasks_rq.Job", "WORKER_CLASS": "civicgrid.ops.rqworker.CivicgridWorker"}
if TASKS["default"]["BACKEND"] == RQ_BACKEND:
    if not REDIS_URL:
        raise ImproperlyConfigured("CIVICGRID_TASK_BACKEND=django_tasks_rq.RQBackend needs CIVICGRID_REDIS_URL")
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

# --- identity and security (等保 level 3 defaults; see docs/security.md) -------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Two-factor sign-in (TOTP, docs/security.md AUTH-6): the three administrator roles always need it; these role
# codes (comma-separated, e.g. "dispatcher,street_admin") need it too.
TWO_FACTOR_ROLES = [r.strip() for r in (env("TWO_FACTOR_ROLES") or "").split(",") if r.strip()]
OTP_TOTP_ISSUER = "civicgrid"
# How long a new account's one-time activation link (set your own password) stays valid.
ACTIVATION_LINK_HOURS = env_int("ACTIVATION_LINK_HOURS", 72)
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "civicgrid.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
# Sign-in throttling (accounts/throttle.py): failures of one username from one address before that pair is
# refused for 1, 2, 4 … minutes, capped at LOGIN_LOCKOUT_MINUTES; failures from one address (any usernames)
# within LOGIN_LOCKOUT_MINUTES before the address is refused. Accounts themselves are never locked.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 30)
LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 100)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)
# Exact look-ups of residents by ID number or phone (people.lookup_personal) one user may make per hour;
# the next answers 429 lookup_rate_limited (PIPL: a sensitive read, not a way to test guesses).
LOOKUP_MAX_PER_HOUR = env_int("LOOKUP_MAX_PER_HOUR", 30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# Scripts never read the CSRF cookie: forms carry the token, htmx and fetch take it from the page
# (base.html's hx-headers, read by static/js/safe.js), so script injected into a page cannot read it either.
CSRF_COOKIE_HTTPONLY = True
# The API explorer and its OpenAPI document (/api/v1/docs, /api/v1/openapi.json) for anyone, or only for a
# signed-in user or a bearer token; public by default only in development.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", DEBUG)

# Open311 GeoReport v2 at /open311/v2/ (docs/open311.md): the case types whose categories are published
OPEN311_CASE_TYPES = tuple(t.strip() for t in env("OPEN311_CASE_TYPES", "urban_event").split(",") if t.strip())
OPEN311_CONTACT = env("OPEN311_CONTACT", "区城市运行管理中心 12345")
OPEN311_KEY_SERVICE = env("OPEN311_KEY_SERVICE", "向区城市运行管理中心系统管理员申请接口密钥")
OPEN311_ENDPOINT_TYPE = env("OPEN311_ENDPOINT_TYPE", "production")

# signed event deliveries (docs/webhooks.md)
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)  # 30 s, 1, 2, 4, 8, 16, 32 min apart
WEBHOOK_DISABLE_AFTER = env_int("WEBHOOK_DISABLE_AFTER", 5)  # deliveries in a row given up
SESSION_COOKIE_AGE = 12 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# --- language, time ---------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "civicgrid" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Outside production WhiteNoise serves straight from the app and project static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "civicgrid" / "static"]
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
MEDIA_ROOT = Path(env("MEDIA_ROOT") or VAR_DIR / "media")
MEDIA_URL = "/media/"
# Photos of residents and their homes: readable by the server's own user only (served through views).
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# --- cases --------------------------------------------------------------------------------------------
# Working periods of a working day, for deadlines in working hours (see docs/calendar.md).
WORK_HOURS = env("WORK_HOURS") or "09:00-12:00,13:30-17:30"
# Share of a step's allowed time after which it shows as 即将超期 (due soon).
SLA_WARN_RATIO = float(env("SLA_WARN_RATIO") or 0.8)
# SMS gateway class; the default only writes to the log (no message is really sent).
SMS_BACKEND = env("SMS_BACKEND") or "civicgrid.core.sms.LogBackend"
# Photo uploads on case intake.
CASE_MAX_PHOTOS = env_int("CASE_MAX_PHOTOS", 6)
CASE_MAX_PHOTO_BYTES = env_int("CASE_MAX_PHOTO_MB", 10) * 1024 * 1024
# Largest request body of any kind (uploads included), refused with 413 before it is read; the fields
# of a body without its files are limited by Django's DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_MB", 64) * 1024 * 1024
# Duplicate suggestions on intake: open cases of the same category this close, this recent.
CASE_DUPLICATE_RADIUS_M = env_int("CASE_DUPLICATE_RADIUS_M", 200)
CASE_DUPLICATE_DAYS = env_int("CASE_DUPLICATE_DAYS", 7)
# How far in the future a time a person or phone reports (service end, visit, patrol) may lie.
CLOCK_TOLERANCE_SECONDS = env_int("CLOCK_TOLERANCE_SECONDS", 300)
# Tests only (core/testclock.py): never set from the environment.
TEST_CLOCK = False
# A dispute escalated to the district (提级调处) is handed to this department (its code, e.g. the district's
# 矛调中心); empty: it stays with the district's dispatchers and leaders, who are notified either way.
CASE_DISPUTE_DEPARTMENT = env("CASE_DISPUTE_DEPARTMENT") or ""

# --- map ------------------------------------------------------------------------------------------
# Leaflet tile URL template; empty means "no tile server": the map draws GeoJSON layers on a blank canvas.
MAP_TILE_URL = env("MAP_TILE_URL") or ""
MAP_TILE_ATTRIBUTION = env("MAP_TILE_ATTRIBUTION") or ""
# The datum the tiles are drawn in: "wgs84" (OpenStreetMap and most providers) or "gcj02" (AMap/高德, Tencent
# and other licensed Chinese providers). Stored coordinates are always WGS84; a gcj02 map shifts them for display.
MAP_TILE_CRS = (env("MAP_TILE_CRS") or "wgs84").strip().lower()
if MAP_TILE_CRS not in ("wgs84", "gcj02"):
    raise ImproperlyConfigured(f"CIVICGRID_MAP_TILE_CRS must be wgs84 or gcj02, not {MAP_TILE_CRS!r}")

# Seconds between checks of the boundary version stamp by each process's locator.
GEO_STAMP_CHECK_SECONDS = float(env("GEO_STAMP_CHECK_SECONDS") or 2)


def _tile_source(url: str) -> list[str]:
    """The tile server's origin for the CSP's img-src ("{s}" subdomains become a wildcard)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "*"))
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme in ("http", "https") and parts.netloc else []


# --- browser security headers (see docs/security.md) ----------------------------------------------
# Content-Security-Policy (django-csp): scripts only from our own static files, no inline script, no eval;
# every template keeps its scripts in static files (tests/test_security_headers.py checks). Styles allow
# 'unsafe-inline': templates still carry <style> blocks and style="" attributes, and ECharts' SVG writes
# style attributes; a style cannot run script. Images may be data:/blob: URLs (Leaflet, photo previews).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_source(MAP_TILE_URL)],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}
# Browser features the pages may use, for this origin only (core.middleware.SecurityHeadersMiddleware).
PERMISSIONS_POLICY = (
    "geolocation=(self), screen-wake-lock=(self), fullscreen=(self), camera=(), microphone=(), "
    "display-capture=(), payment=(), usb=(), serial=(), hid=(), midi=(), accelerometer=(), "
    "gyroscope=(), magnetometer=(), autoplay=(), publickey-credentials-get=(), xr-spatial-tracking=()"
)

# --- volunteers -------------------------------------------------------------------------------------
# CJK TrueType font (.ttf/.ttc) embedded in volunteer service certificates (Debian: fonts-wqy-microhei).
PDF_FONT_PATH = env("PDF_FONT_PATH") or "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

# --- patrols (gridops) --------------------------------------------------------------------------------
# 每日巡视制度: a worker under the rule who patrolled fewer minutes than this on a day missed it.
PATROL_MIN_MINUTES = env_int("PATROL_MIN_MINUTES", 60)
# The roles the daily patrol rule applies to (others may patrol; their patrols are listed, not judged).
PATROL_RULE_ROLES = tuple(r.strip() for r in (env("PATROL_RULE_ROLES") or "grid_worker").split(",") if r.strip())

# --- enterprises -------------------------------------------------------------------------------------
# Days before a qualification's valid-until on which its expiry reminder goes to the enterprise's officers
# and contacts (each threshold once per certificate and valid-until).
ENTERPRISE_REMINDER_DAYS = tuple(sorted({int(d) for d in (env("ENTERPRISE_REMINDER_DAYS") or "90,30").split(",")
                                         if d.strip()}, reverse=True))

# --- publicservice ----------------------------------------------------------------------------------
# No-shows: this many missed appointments within the window block online booking for the block period.
PUBLICSERVICE_NO_SHOW_LIMIT = env_int("PUBLICSERVICE_NO_SHOW_LIMIT", 3)
PUBLICSERVICE_NO_SHOW_WINDOW_DAYS = env_int("PUBLICSERVICE_NO_SHOW_WINDOW_DAYS", 90)
PUBLICSERVICE_NO_SHOW_BLOCK_DAYS = env_int("PUBLICSERVICE_NO_SHOW_BLOCK_DAYS", 30)
# Uploaded materials of an online service request: largest file, and working days given for 补正.
PUBLICSERVICE_MAX_MATERIAL_BYTES = env_int("PUBLICSERVICE_MAX_MATERIAL_BYTES", 10 * 1024 * 1024)
PUBLICSERVICE_CORRECTION_DAYS = env_int("PUBLICSERVICE_CORRECTION_DAYS", 5)

# --- recognition (好人榜) and works (创城项目) -----------------------------------------------------------
# Days of the public notice (公示) of an approved nomination, during which anyone may object: at least 7.
RECOGNITION_NOTICE_DAYS = max(7, env_int("RECOGNITION_NOTICE_DAYS", 7))
# Largest PDF accepted as a nomination's supporting material (photos follow CASE_MAX_PHOTO_MB).
RECOGNITION_MAX_MATERIAL_BYTES = env_int("RECOGNITION_MAX_MATERIAL_MB", 10) * 1024 * 1024

# --- proxy -------------------------------------------------------------------------------------------
# Behind a reverse proxy that sets X-Forwarded-For, audit records take the client address from it.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# The same proxy says whether the browser came over TLS: HSTS and secure redirects depend on it.
if TRUST_X_FORWARDED_FOR:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS (sent on TLS requests only): a year in production, so a browser never falls back to plain HTTP.
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 365 * 24 * 3600 if PRODUCTION else 0)

# --- demo ---------------------------------------------------------------------------------------------
DEMO_PASSWORD = env("DEMO_PASSWORD") or ""

# Logs: text for a terminal, or one JSON object a line (with the request id) for a log shipper.
LOG_FORMAT = env("LOG_FORMAT") or ("json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "civicgrid.ops.logs.JsonFormatter"},
                   "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL") or "WARNING"},
    # one line per request (method, route, status, duration, user id)
    "loggers": {"civicgrid.request": {"level": "INFO" if env_bool("LOG_REQUESTS", PRODUCTION) else "WARNING"}},
}
# /metrics answers loopback, or a scraper sending "Authorization: Bearer <token>" when this is set.
METRICS_TOKEN = env("METRICS_TOKEN") or ""
# A task RUNNING longer than this whose worker has not beaten its heart for as long is lost (a worker killed
# with kill -9 leaves its row RUNNING): `run_worker` fails it and queues an idempotent one again (ops/recovery.py).
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 300)
# Dotted paths of further tasks safe to run twice (the periodic jobs' tasks always are), comma-separated.
TASK_RETRY_ON_LOSS = [t.strip() for t in (env("TASK_RETRY_ON_LOSS") or "").split(",") if t.strip()]

# --- privacy (PIPL) ----------------------------------------------------------------------------------
# Days after which anonymise_expired blanks personal data: cases (after closing; the case is kept),
# resident accounts switched off, bookings (after booking), online service requests (after closing).
PRIVACY_RETENTION_DAYS = {"cases": env_int("RETAIN_CASE_REPORTER_DAYS", 1825), "accounts": 1095,
                          "bookings": 730, "requests": 730}
