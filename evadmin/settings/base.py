"""evadmin settings shared by every environment: every deployment knob is an environment variable
(see README), read through django-environ.

The defaults are the embedded development setup: SQLite, the bundled sandbox API on
127.0.0.1:8001 and a Celery broker on the file system, so `make run` needs no server.
Importing this module creates nothing: development and tests make their folders when Django
starts (evadmin/local_folders), production expects them to exist.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import dj_database_url
import environ
from celery.schedules import crontab


class Env(environ.Env):
    """django-environ, except that a value starting with "$" is taken as it is. django-environ reads
    it as the name of another variable (falling back to the default when there is none), and a
    generated SECRET_KEY or client secret may start with "$": https://github.com/joke2k/django-environ/issues/415
    """

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        value = self.ENVIRON.get(f"{self.prefix}{var}")
        if isinstance(value, str) and value.startswith("$"):
            return self.parse_value(value, cast)
        return super().get_value(var, cast=cast, default=default, parse_default=parse_default)


env = Env()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env.str("EVADMIN_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", cast=str.strip, default=["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "evadmin.staff.admin_site.StaffAdminConfig",  # django.contrib.admin with evadmin's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",  # Content-Security-Policy header (see the Security block below)
    "django_htmx",
    "django_tables2",
    "django_filters",
    "template_partials",
    "evadmin.core",
    "evadmin.evenergy",
    "evadmin.staff",
    "evadmin.audit",
    "evadmin.drivers",
    "evadmin.driver_directory",
    "evadmin.bulk",
    "evadmin.data_quality",
    "evadmin.api_budget",
    "evadmin.charging",
    "evadmin.devices",
    "evadmin.fixes",
    "evadmin.tickets",
    "evadmin.programs",
    "evadmin.playbooks",
    "evadmin.rebates",  # issue 17: rebates, subscription and payout method
    "evadmin.energy",  # issue 17: energy devices
    "evadmin.notifications",  # issue 17: a driver's notifications and notification preferences
    "evadmin.carbon",  # issue 17: grid carbon intensity and tariff prices
    "axes",  # sign-in throttling and lockout (see the AXES block below)
]

MIDDLEWARE = [
    # First, so every response, errors included, carries X-Request-ID (evadmin/core/middleware.py).
    "evadmin.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # API requests a page sends count as its staff member's (evadmin/evenergy/attribution.py).
    "evadmin.core.middleware.ApiAttributionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Ends sessions older than EVADMIN_SESSION_MAX_HOURS, however active (evadmin/staff/sessions.py);
    # after HtmxMiddleware, so an htmx request is sent to sign in with a client redirect.
    "evadmin.staff.sessions.SessionLifetimeMiddleware",
    # A database outage becomes a 503 "try again shortly" page or htmx banner (evadmin/core/db_errors.py).
    "evadmin.core.db_errors.DatabaseUnavailableMiddleware",
    # API failures become a friendly page or an htmx banner, never a 500 (evadmin/core/api_errors.py).
    "evadmin.core.api_errors.ApiErrorMiddleware",
    # Last: turns a sign-in refused for lockout into the sign-in page with the lockout message.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "evadmin.urls"
WSGI_APPLICATION = "evadmin.wsgi.application"

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
                "evadmin.api_budget.context_processors.api_budget",
                "evadmin.audit.context_processors.audit_chain_alarm",
            ],
        },
    },
]
# Every django-tables2 table: rows drawn in Python, htmx sort and page links (evadmin/core/tables.py).
DJANGO_TABLES2_TEMPLATE = "components/table.html"

# The app's own database (development and tests add the sandbox API's: development.py).
# dj-database-url parses the URL, as before: django-environ's db_url would leave a percent-encoded
# socket folder (postgres://evadmin@%2Frun%2Fpostgresql/evadmin) undecoded.
DATABASES = {
    "default": dj_database_url.parse(
        env.str("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'evadmin.sqlite3'}"), conn_max_age=60,
        # A persistent connection broken by a database restart is found by a ping at the start of
        # the next request and replaced, rather than failing that request (tests/core/test_database_outage.py).
        conn_health_checks=True,
    ),
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets the web server and the Celery worker read while the other writes.
    # IMMEDIATE transactions take the write lock up front, so the rate budget's
    # count-then-insert cannot interleave between processes. synchronous=NORMAL: in WAL mode a
    # commit then waits for no disk flush (about 13 ms each, three per API-backed page under load;
    # bench/load.py); a power cut may lose the last commits but never corrupts the file.
    # https://www.sqlite.org/pragma.html#pragma_synchronous
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis, when configured, backs the cache (the shared OAuth token) and the rate budget.
# Without it both live in the database, which every process shares just as well.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # The read cache keeps four entries per driver page (evadmin/evenergy/read_cache.py): Django's
    # default of 300 entries would cull it after some 70 drivers. 50,000 rows are a few MB.
    # https://docs.djangoproject.com/en/5.2/topics/cache/#cache-arguments
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "evadmin_cache",
                          "OPTIONS": {"MAX_ENTRIES": 50_000}}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/users/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# --- AXES: sign-in throttling and lockout (django-axes, evadmin/staff/signin_throttle.py) -----
# EVADMIN_SIGNIN_MAX_FAILURES (default 5) wrong passwords for one username from one IP address lock
# that pair out for EVADMIN_SIGNIN_LOCKOUT_MINUTES (default 15), counted from the last failure.
# Keyed on username+IP, not username alone (anyone could lock every agent out by typing their names)
# nor IP alone (agents behind one office NAT would lock each other out). So that rotating usernames
# from one IP does not give unlimited guesses, the IP as a whole is also locked after
# EVADMIN_SIGNIN_MAX_FAILURES_PER_IP (default 4 x the per-username limit) failures in the window.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
EVADMIN_SIGNIN_MAX_FAILURES = env.int("EVADMIN_SIGNIN_MAX_FAILURES", default=5)
EVADMIN_SIGNIN_LOCKOUT_MINUTES = env.int("EVADMIN_SIGNIN_LOCKOUT_MINUTES", default=15)
EVADMIN_SIGNIN_MAX_FAILURES_PER_IP = env.int("EVADMIN_SIGNIN_MAX_FAILURES_PER_IP", default=4 * EVADMIN_SIGNIN_MAX_FAILURES)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out attempt before any password check
    "django.contrib.auth.backends.ModelBackend",
]
# The database handler on the default database: counts are shared by every web process, survive
# restarts, and admins see and clear lockouts at /admin/axes/ or with `manage.py axes_reset`
# (the cache handler offers neither, and Redis is optional here).
AXES_HANDLER = "evadmin.staff.signin_throttle.SignInThrottleHandler"
AXES_FAILURE_LIMIT = EVADMIN_SIGNIN_MAX_FAILURES
AXES_COOLOFF_TIME = timedelta(minutes=EVADMIN_SIGNIN_LOCKOUT_MINUTES)
# The first group is the per-person lockout; the handler applies the higher per-IP limit to the second.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# The same client IP as the audit trail (honours EVADMIN_TRUSTED_PROXY_COUNT), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "evadmin.core.middleware.client_ip"
AXES_USERNAME_CALLABLE = "evadmin.staff.signin_throttle.attempted_username"
# A fixed cool-off: retrying while locked out (even with the right password) neither extends the
# lockout nor is checked against the password; each such attempt is still in the audit trail.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_RESET_ON_SUCCESS = True  # a successful sign-in forgets that person's earlier typos (not the IP's)
AXES_LOCKOUT_CALLABLE = "evadmin.staff.views.sign_in_locked_out"
# Failed attempts keep the form's fields for /admin/axes/; the CSRF token is masked with them.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
AXES_DISABLE_ACCESS_LOG = True  # the audit trail already records every sign-in and sign-out
AXES_VERBOSE = False  # no banner on every process start; lockouts are in the audit trail

# --- Staff sessions and request metadata (evadmin/staff, evadmin/core) -------------------
# EVADMIN_SESSION_IDLE_MINUTES (default 30): staff are signed out after this many minutes
# without a request. Saving the session on every request pushes the cookie's expiry forward
# each time, so SESSION_COOKIE_AGE measures idleness rather than total session length.
EVADMIN_SESSION_IDLE_MINUTES = env.int("EVADMIN_SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = EVADMIN_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
# EVADMIN_SESSION_MAX_HOURS (default 12): a session ends this long after sign-in however active it
# is (evadmin/staff/sessions.py); the sign-in time is stored in the session.
EVADMIN_SESSION_MAX_HOURS = env.float("EVADMIN_SESSION_MAX_HOURS", default=12.0)
# EVADMIN_TRUSTED_PROXY_COUNT (default 0): how many reverse proxies in front of evadmin append
# to X-Forwarded-For; the audit trail's client IP is read from that header only if this is > 0.
EVADMIN_TRUSTED_PROXY_COUNT = env.int("EVADMIN_TRUSTED_PROXY_COUNT", default=0)

# --- Security: HTTPS, cookies, Content-Security-Policy -----------------------------------
# `manage.py check --deploy --fail-level WARNING` passes with EVADMIN_HTTPS=1, DEBUG off and a real
# SECRET_KEY (tests/core/test_security_settings.py). EVADMIN_HTTPS (default false): evadmin is served
# over HTTPS, so http is redirected, HSTS is sent and cookies are Secure. Off by default because
# `make run` serves plain http://127.0.0.1:8000.
EVADMIN_HTTPS = env.bool("EVADMIN_HTTPS", default=False)
SECURE_SSL_REDIRECT = EVADMIN_HTTPS
# EVADMIN_HSTS_SECONDS (default one year, the preload list's minimum): how long browsers insist on
# HTTPS; start lower (e.g. 3600) while trying HTTPS out. https://hstspreload.org/#deployment-recommendations
SECURE_HSTS_SECONDS = env.int("EVADMIN_HSTS_SECONDS", default=31536000) if EVADMIN_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # names under evadmin's own host only, never its parent domain
# "preload" only makes the host eligible for browsers' built-in list; someone still has to submit it.
SECURE_HSTS_PRELOAD = env.bool("EVADMIN_HSTS_PRELOAD", default=True)
# EVADMIN_PROXY_SSL_HEADER (default empty): behind a TLS-terminating proxy, the header it sets to
# "https", e.g. X-Forwarded-Proto. Set it only if the proxy always sets (overwrites) that header:
# otherwise a client could claim HTTPS itself. https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
EVADMIN_PROXY_SSL_HEADER = env.str("EVADMIN_PROXY_SSL_HEADER", default="").strip()
if EVADMIN_PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + EVADMIN_PROXY_SSL_HEADER.upper().replace("-", "_"), "https")
SESSION_COOKIE_SECURE = EVADMIN_HTTPS
CSRF_COOKIE_SECURE = EVADMIN_HTTPS
SESSION_COOKIE_HTTPONLY = True
# htmx sends the token from <body hx-headers> (base.html), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
# Lax, not Strict: a link to evadmin from a ticket or chat would arrive without Strict cookies,
# signed out, and with a new CSRF cookie that breaks the forms in evadmin tabs already open.
# Lax still keeps both off cross-site POSTs, iframes and fetches.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# No inline script or style anywhere (tests/core/test_templates.py), so no 'unsafe-inline' and no
# 'unsafe-eval'; Pico draws its icons from data: SVG images. Django admin needs nothing more.
# A browser test visits every page and expects no violation (tests/e2e/test_csp.py).
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"upgrade-insecure-requests": True} if EVADMIN_HTTPS else {}),
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise warns at every start when STATIC_ROOT is missing (before collectstatic), so development
# and tests make it when Django starts (evadmin/local_folders).
STATIC_ROOT = BASE_DIR / "staticfiles"

# --- The ev.energy API -------------------------------------------------------------------
EVADMIN_API_BASE_URL = env.str("EVADMIN_API_BASE_URL", default="http://127.0.0.1:8001/v2").rstrip("/")
EVADMIN_API_TOKEN_URL = env.str("EVADMIN_API_TOKEN_URL", default="http://127.0.0.1:8001/o/token/")
EVADMIN_API_CLIENT_ID = env.str("EVADMIN_API_CLIENT_ID", default="evadmin-dev")
EVADMIN_API_CLIENT_SECRET = env.str("EVADMIN_API_CLIENT_SECRET", default="evadmin-dev-secret")
EVADMIN_API_TOKEN = env.str("EVADMIN_API_TOKEN", default="")
# Scopes to ask for; empty asks for none and gets what the API granted the client. evadmin uses
# user:read user:write tariff:read evse:read vehicle:read charging_session:read (and the spec
# puts /evse_sites under site:read).
EVADMIN_API_SCOPES = env.list("EVADMIN_API_SCOPES", cast=str.strip, default=[])
EVADMIN_API_RATE_LIMIT_PER_HOUR = env.int("EVADMIN_API_RATE_LIMIT_PER_HOUR", default=1000)
EVADMIN_API_TIMEOUT = env.float("EVADMIN_API_TIMEOUT", default=10.0)
# GET retries on 5xx, 429 and transport errors; waits are capped so a page never hangs long.
EVADMIN_API_MAX_RETRIES = env.int("EVADMIN_API_MAX_RETRIES", default=3)
EVADMIN_API_MAX_RETRY_WAIT = env.float("EVADMIN_API_MAX_RETRY_WAIT", default=5.0)

# --- The budget policy: staff before background work (evadmin/evenergy/ratelimit.py, README "API budget") ---
# Background work (bulk jobs, directory syncs) may only use what staff leave: the hour's limit less a
# reserve for staff, the larger of EVADMIN_API_STAFF_FLOOR (default 0.15) of the limit and twice
# what staff spent in the last EVADMIN_API_STAFF_LOOKBACK_MINUTES (default 10), projected over the
# hour. Staff reads are refused (and pages drawn from evadmin's own copies) only when the whole
# hour is spent. Auth0 keeps a similar floor for interactive traffic; 15% is 150 of the default
# 1,000: fifty driver pages an hour with nobody else asking.
EVADMIN_API_STAFF_FLOOR = env.float("EVADMIN_API_STAFF_FLOOR", default=0.15)
EVADMIN_API_STAFF_LOOKBACK_MINUTES = env.float("EVADMIN_API_STAFF_LOOKBACK_MINUTES", default=10.0)
# EVADMIN_API_READ_CACHE_SECONDS (default 120): how long a page's API read (a driver, their devices,
# a page of the API's user list) is served again from the shared cache without a request. Writes
# through evadmin refresh what they touched at once; every panel shows its data's age and a Refresh.
EVADMIN_API_READ_CACHE_SECONDS = env.int("EVADMIN_API_READ_CACHE_SECONDS", default=120)
# EVADMIN_API_LAST_COPY_DAYS (default 7): how long the last copy of each read is kept, to draw a
# page from when the budget is spent or the API is down (with its age said on the page).
EVADMIN_API_LAST_COPY_DAYS = env.int("EVADMIN_API_LAST_COPY_DAYS", default=7)
# EVADMIN_API_LEDGER_DAYS (default 30): how long the ledger of every API request (who or what
# spent it, the operation, the answer) is kept for /api-budget/; beat deletes older entries nightly.
EVADMIN_API_LEDGER_DAYS = env.int("EVADMIN_API_LEDGER_DAYS", default=30)

# --- Celery ------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Its folders are made by evadmin/local_folders in development and tests.
    _broker_dir = Path(env.str("EVADMIN_CELERY_BROKER_DIR", default=str(VAR_DIR / "celery-broker")))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # broadcast (pidbox) files; default is ./control
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Tokens live 10 h and are renewed 5 min ahead of expiry; checking every 30 min is plenty.
    "evenergy-refresh-token": {"task": "evenergy.refresh_token", "schedule": 1800.0},
    # The API ledger keeps EVADMIN_API_LEDGER_DAYS; older entries go nightly.
    "evenergy-ledger-purge": {"task": "evenergy.ledger_purge", "schedule": crontab(hour=3, minute=40)},
}

# --- Reports: account audit reports (evadmin/data_quality) --------------------------------
# EVADMIN_REPORTS_SCHEDULE: when Celery beat queues a report, as a cron line "minute hour
# day-of-month month day-of-week" in UTC (https://docs.celeryq.dev/en/stable/reference/celery.schedules.html);
# empty: no scheduled reports. The default runs daily at 06:00, after a night's full sync.
EVADMIN_REPORTS_SCHEDULE = env.str("EVADMIN_REPORTS_SCHEDULE", default="0 6 * * *").strip()
# Whether scheduled reports run a fresh full sync of the directory first (it costs one API request
# per 100 accounts from the hourly budget, so off by default: the directory's own schedule keeps it fresh).
EVADMIN_REPORTS_SYNC_FIRST_ON_SCHEDULE = env.bool("EVADMIN_REPORTS_SYNC_FIRST_ON_SCHEDULE", default=False)
# How often a report waiting for its sync looks again, in seconds.
EVADMIN_REPORTS_SYNC_POLL_SECONDS = env.float("EVADMIN_REPORTS_SYNC_POLL_SECONDS", default=15.0)
EVADMIN_REPORTS_FINDINGS_PER_PAGE = env.int("EVADMIN_REPORTS_FINDINGS_PER_PAGE", default=50)
EVADMIN_REPORTS_CHART_REPORTS = env.int("EVADMIN_REPORTS_CHART_REPORTS", default=30)  # reports the chart shows
if EVADMIN_REPORTS_SCHEDULE:
    CELERY_BEAT_SCHEDULE["audit-reports-scheduled"] = {
        "task": "audit_reports.run_scheduled", "schedule": crontab.from_string(EVADMIN_REPORTS_SCHEDULE),
    }

# --- Directory: the local copy of every account (evadmin/driver_directory) -----------------
# EVADMIN_DIRECTORY_BUDGET_SHARE (default 0.5): the most of the hourly API budget a sync may use
# (it waits when the share is spent), so staff browsing always keeps the rest.
EVADMIN_DIRECTORY_BUDGET_SHARE = env.float("EVADMIN_DIRECTORY_BUDGET_SHARE", default=0.5)
# EVADMIN_DIRECTORY_INCREMENTAL_MINUTES (default 5; 0 turns it off): how often beat fetches new
# accounts (one request when there are fewer than 100). It also resumes a crashed sync.
EVADMIN_DIRECTORY_INCREMENTAL_MINUTES = env.int("EVADMIN_DIRECTORY_INCREMENTAL_MINUTES", default=5)
# EVADMIN_DIRECTORY_FULL_SYNC_AT (default 02:30, UTC; empty turns it off): the nightly full sync,
# which also marks accounts the API no longer lists as gone. 100,000 accounts cost 1,000
# requests: two hours at half of the default budget.
EVADMIN_DIRECTORY_FULL_SYNC_AT = env.str("EVADMIN_DIRECTORY_FULL_SYNC_AT", default="02:30").strip()
# EVADMIN_DIRECTORY_MAX_GONE_SHARE (default 0.1): a full sync that did not list more than this share
# of the directory's accounts marks none of them gone (an API answering a short or empty list is
# likelier than a tenth of all drivers leaving overnight), records why and mails ADMINS; the next
# full sync that misses the same accounts agrees, and marks them.
EVADMIN_DIRECTORY_MAX_GONE_SHARE = env.float("EVADMIN_DIRECTORY_MAX_GONE_SHARE", default=0.1)
if EVADMIN_DIRECTORY_INCREMENTAL_MINUTES > 0:
    CELERY_BEAT_SCHEDULE["directory-sync-incremental"] = {
        "task": "directory.sync",
        "schedule": EVADMIN_DIRECTORY_INCREMENTAL_MINUTES * 60.0,
        "kwargs": {"kind": "incremental"},
        # Ticks queued while no worker ran are worthless once the next one is due.
        "options": {"expires": EVADMIN_DIRECTORY_INCREMENTAL_MINUTES * 60.0},
    }
if EVADMIN_DIRECTORY_FULL_SYNC_AT:
    _full_hour, _full_minute = (int(part) for part in EVADMIN_DIRECTORY_FULL_SYNC_AT.split(":"))
    CELERY_BEAT_SCHEDULE["directory-sync-full"] = {
        "task": "directory.sync",
        "schedule": crontab(hour=_full_hour, minute=_full_minute),
        "kwargs": {"kind": "full"},
    }

# --- Large /locations/ exports (evadmin/driver_directory/export_jobs.py) ---------------------
# EVADMIN_EXPORT_INLINE_ROWS (default 10,000): an export of at most this many accounts is written in
# the request, as before; a larger one is a background job with a progress page and a download link
# (100,000 accounts as XLSX took ~18 s in the request, past what staff should wait on a page).
EVADMIN_EXPORT_INLINE_ROWS = env.int("EVADMIN_EXPORT_INLINE_ROWS", default=10000)
# EVADMIN_EXPORT_KEEP_HOURS (default 24): a prepared file is deleted this long after it is ready
# (customers' addresses do not sit in the database longer than needed); the hourly purge does it.
EVADMIN_EXPORT_KEEP_HOURS = env.float("EVADMIN_EXPORT_KEEP_HOURS", default=24.0)
# EVADMIN_EXPORT_QUEUE: the Celery queue of export jobs.
EVADMIN_EXPORT_QUEUE = env.str("EVADMIN_EXPORT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE["directory-exports-purge"] = {
    "task": "directory.export_purge_expired", "schedule": 3600.0, "options": {"expires": 3600.0},
}
CELERY_BEAT_SCHEDULE["directory-exports-revive"] = {
    # Exports whose task was lost (broker restart) or whose worker died are queued again.
    "task": "directory.export_revive", "schedule": 300.0, "options": {"expires": 300.0},
}

# --- Bulk jobs (evadmin/bulk) -------------------------------------------------------------
# EVADMIN_BULK_MAX_UPLOAD_MB (default 20): the largest file accepted, in MB of 1,048,576 bytes.
EVADMIN_BULK_MAX_UPLOAD_BYTES = int(env.float("EVADMIN_BULK_MAX_UPLOAD_MB", default=20.0) * 1024 * 1024)
# EVADMIN_BULK_MAX_ROWS (default 100,000): the most data rows one file (one job) may have.
EVADMIN_BULK_MAX_ROWS = env.int("EVADMIN_BULK_MAX_ROWS", default=100000)
# EVADMIN_BULK_APPROVAL_THRESHOLD (default 1,000): jobs sending more rows than this need a second
# bulk operator or an admin to approve them before they start.
EVADMIN_BULK_APPROVAL_THRESHOLD = env.int("EVADMIN_BULK_APPROVAL_THRESHOLD", default=1000)
# EVADMIN_BULK_BUDGET_SHARE (default 0.8): the share of the API's hourly request budget bulk
# jobs may use together, so support staff keep working meanwhile.
EVADMIN_BULK_BUDGET_SHARE = env.float("EVADMIN_BULK_BUDGET_SHARE", default=0.8)
# EVADMIN_BULK_RETENTION_DAYS (default 90): uploaded files and row data are deleted this long after
# the upload; the job's summary and the audit trail stay.
EVADMIN_BULK_RETENTION_DAYS = env.int("EVADMIN_BULK_RETENTION_DAYS", default=90)
# The job engine (evadmin/bulk/run/engine.py). EVADMIN_BULK_QUEUE: the Celery queue of the pump tasks.
EVADMIN_BULK_QUEUE = env.str("EVADMIN_BULK_QUEUE", default="celery")
# EVADMIN_BULK_MAX_ATTEMPTS (default 5): requests started for one row before it is parked.
EVADMIN_BULK_MAX_ATTEMPTS = env.int("EVADMIN_BULK_MAX_ATTEMPTS", default=5)
# EVADMIN_BULK_STALE_SECONDS (default 60): a pump silent this long is dead and its job is taken
# over. It beats before every request and a request ends within EVADMIN_API_TIMEOUT (10 s).
EVADMIN_BULK_STALE_SECONDS = env.float("EVADMIN_BULK_STALE_SECONDS", default=60.0)
# EVADMIN_BULK_FULL_SYNC_MAX_AGE_HOURS (default 24): a job starting later than this after the last
# complete full directory sync runs a full one first (otherwise an incremental one).
EVADMIN_BULK_FULL_SYNC_MAX_AGE_HOURS = env.float("EVADMIN_BULK_FULL_SYNC_MAX_AGE_HOURS", default=24.0)
# Job-finished emails (console backend unless EMAIL_BACKEND says otherwise).
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="evadmin@localhost")
# Redis broker: a message not acknowledged within visibility_timeout is delivered again, and
# countdown (ETA) tasks are held unacknowledged until due, so every countdown and time limit must
# stay well under it (tests/bulk/test_celery_settings.py pins this).
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 7200}
CELERY_BEAT_SCHEDULE["bulk-watchdog"] = {
    # Revives jobs whose pump chain was lost (main worker process killed, broker restarted).
    "task": "bulk.watchdog", "schedule": 60.0, "options": {"expires": 60.0},
}
CELERY_BEAT_SCHEDULE["bulk-purge-expired"] = {
    # Uploaded files and row data go after EVADMIN_BULK_RETENTION_DAYS; jobs and audit events stay.
    "task": "bulk.purge_expired", "schedule": crontab(hour=3, minute=15),
}

# --- Audit trail integrity (evadmin/audit) ------------------------------------------------
# EVADMIN_AUDIT_VERIFY_MINUTES (default 60; 0 turns it off): how often beat recomputes the audit
# hash chain (100,000 events: 10-15 s, 12 MB); a broken chain logs CRITICAL, mails ADMINS and
# puts a banner on auditors' and admins' pages until a later check passes.
EVADMIN_AUDIT_VERIFY_MINUTES = env.int("EVADMIN_AUDIT_VERIFY_MINUTES", default=60)
if EVADMIN_AUDIT_VERIFY_MINUTES > 0:
    CELERY_BEAT_SCHEDULE["audit-verify-chain"] = {
        "task": "audit.verify_chain",
        "schedule": EVADMIN_AUDIT_VERIFY_MINUTES * 60.0,
        "options": {"expires": EVADMIN_AUDIT_VERIFY_MINUTES * 60.0},
    }
# ADMINS: who gets alarm mails, comma-separated "Name <email>" or plain addresses.
ADMINS = [(name or address, address) for name, address in getaddresses([env.str("ADMINS", default="")]) if address]
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)  # the sender of mails to ADMINS

# --- Logging: secrets are scrubbed by a filter on every handler ---------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "evadmin.core.logging.RedactSecretsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
        "requests_oauthlib": {"level": "WARNING"},
        "oauthlib": {"level": "WARNING"},
    },
}
