"""One settings module for every environment, driven by environment variables.

Nothing set → a local SQLite file, Celery tasks run eagerly in-process, DEBUG on: a newcomer needs only
Python. Set DATABASE_URL / REDIS_URL for PostgreSQL and a real broker; set DEBUG=false for production,
which then refuses to start without a real SECRET_KEY and ALLOWED_HOSTS.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# Read once here: test runners switch DEBUG off, but that does not make a test run production.
PRODUCTION = not DEBUG
TESTING = env.bool("SENDREVIEW_TESTING", default=False)

_DEV_SECRET = "dev-only-insecure-key-never-use-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

if not DEBUG:
    if not SECRET_KEY or SECRET_KEY == _DEV_SECRET or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Production mode (DEBUG=false) needs a real SECRET_KEY of 50+ characters."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Production mode (DEBUG=false) needs ALLOWED_HOSTS.")

INSTALLED_APPS = [
    "sendreview.apps.PlatformAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "crispy_forms",
    "crispy_forms_gds",
    "django_htmx",
    "django_celery_beat",
    "django_tables2",
    "django_filters",
    "csp",
    "sendreview",
    "accounts",
    "schools",
    "frameworks",
    "workplans",
    "audits",
    "audits.visits",
    "reports",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sendreview.middleware.SessionLimitsMiddleware",
    "sendreview.middleware.MFARequiredMiddleware",
    "sendreview.middleware.TenantScopeMiddleware",
    # Inside the tenant scope: both read the acting membership.
    "sendreview.middleware.AccessLogMiddleware",
    "sendreview.middleware.ThrottleMiddleware",
    "sendreview.middleware.NoStoreForLoggedInMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that a lockout short-circuits after everything else has run.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sendreview.urls"
WSGI_APPLICATION = "sendreview.wsgi.application"

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
                "csp.context_processors.nonce",
                "sendreview.context_processors.service",
            ],
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the dev server and an in-process job share the file. Every request
    # is a transaction (ATOMIC_REQUESTS); IMMEDIATE takes the write lock at its start, because a
    # deferred one that reads and then writes fails at once with "database is locked" when another
    # process wrote in between (seen with concurrent autosaves under gunicorn).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE"}
    )
    # Tests on SQLite use a file too, not the in-memory default: the browser tests' live server
    # answers requests on several threads, and SQLite's shared in-memory cache refuses a second
    # writer at once ("database table is locked", no busy timeout), which a user never meets.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = str(BASE_DIR / "test-db.sqlite3")
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "TEST_DATABASE_NAME", default="test_sendreview"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # allauth's sign-in without Django's model permissions (unused: rights come from `rules`).
    "sendreview.auth_backends.AuthenticationBackend",
]
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
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
# Re-authentication before a sensitive change (a factor, the password) asks for the password or the
# second factor. allauth's third method, a code e-mailed to the user (its pages
# account_request_reauthentication_code / account_confirm_reauthentication_code), is off: whoever
# holds a signed-in session and the mailbox would pass without knowing either factor. Its pages answer
# 403 to everyone signed in (tests/access/matrix_accounts.py).
ACCOUNT_REAUTHENTICATION_METHODS = ("password", "mfa")
# allauth merges a dict into its own defaults, so False is the only way to switch throttling off.
SENDREVIEW_LOGIN_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
ACCOUNT_RATE_LIMITS = False if TESTING else SENDREVIEW_LOGIN_RATE_LIMITS
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "sendreview"
MFA_RECOVERY_CODE_COUNT = 10

# Every role reaches personal data about children, so every account needs a second factor.
# The local demo may switch this off (it then says so in a banner); production refuses to (checks.py).
SENDREVIEW_MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)

AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = timedelta(
    minutes=15
)  # locked accounts come back: no permanent lock-out by an attacker
AXES_LOCKOUT_PARAMETERS = [
    "username",
    "ip_address",
]  # each counted on its own: per account and per IP
AXES_USERNAME_CALLABLE = "accounts.adapter.axes_username"
AXES_RESET_ON_SUCCESS = True
# A retry during the lock-out must not restart the 15 minutes the lock-out page promises.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_ENABLE_ADMIN = False

# Idle timeout 30 minutes from the last request; absolute limit in middleware. The session row is
# written back when it changes or when its idle deadline is over a minute old (sendreview.sessions),
# not on every request: the deadline runs from the last request to within SESSION_REFRESH_SECONDS.
SESSION_ENGINE = "sendreview.sessions"
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = False
SENDREVIEW_SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SENDREVIEW_SESSION_ABSOLUTE_SECONDS = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="sendreview <no-reply@sendreview.invalid>"
)

# --- Security headers -----------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY: dict[str, list[str]] = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
# Longer than the hard limit, so a message is only re-delivered once its worker is surely gone.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT + 150}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    # A job whose worker vanished past every retry is shown as failed, with its "try again" button.
    "expire-stale-report-jobs": {"task": "reports.expire_stale_jobs", "schedule": 300.0},
    # Audit visits: whoever owes the next step is reminded once (idempotent, safe to run often).
    "audit-visit-reminders": {"task": "audit_visits.send_reminders", "schedule": 6 * 3600.0},
    # SEN audit returns: the SENCOs of a school that still owes its return (idempotent per step).
    "audit-return-reminders": {
        "task": "audits.send_return_reminders",
        "schedule": crontab(hour=7, minute=15),
    },
    # Work-plan reminders to those who owe (idempotent: a second run the same day sends nothing).
    "work-plan-reminders": {
        "task": "workplans.send_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Retention (README "Retention"): purge what is past its period, nightly; safe to run twice.
    "purge-expired-records": {
        "task": "sendreview.purge_expired_records",
        "schedule": crontab(hour=2, minute=30),
    },
    # Full rebuild of the dashboard summary tables; reports (and logs) any difference it corrects.
    "rebuild-dashboard-summaries": {
        "task": "dashboards.rebuild_summaries",
        "schedule": crontab(hour=3, minute=15),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# --- Service ----------------------------------------------------------------------------------------
SENDREVIEW_PHASE = "beta"
SENDREVIEW_FEEDBACK_EMAIL = env.str("FEEDBACK_EMAIL", default="feedback@sendreview.invalid")
SCHOOLS_PER_PAGE = 25
CSV_IMPORT_MAX_BYTES = 1_000_000
ACCESS_LOG_PER_PAGE = 50

# Expensive actions, limited per user AND per LA (sendreview/throttle.py): "count/period", period
# s, m, h or d with an optional multiple ("5/10m"). Apps add their action here and use it by name.
SENDREVIEW_THROTTLES = {
    "report-request": {"user": "30/h", "la": "600/h"},
    "report-batch": {"user": "3/h", "la": "6/h"},
    "school-import": {"user": "20/h", "la": "40/h"},
    "export": {"user": "30/h", "la": "300/h"},
    "audit-import": {"user": "20/h", "la": "200/h"},
    "dashboard-export": {"user": "30/h", "la": "300/h"},
}

# Retention periods in days (README "Retention", a policy decision: change both together); the
# nightly task purges what is older.
SENDREVIEW_RETENTION_DAYS = {
    "access_log": 2 * 365,
    "report_files": 365,
    "failed_report_jobs": 90,
    "report_batches": 365,
    "login_attempts": 90,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
