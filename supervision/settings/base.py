"""Settings shared by every environment. Everything that differs between machines comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "django_celery_beat",
    "axes",
    "supervision",
    "rounds",
    "findings",
    "rectification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "supervision.security.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "supervision.audit.AuditContextMiddleware",
    "supervision.denied.DeniedAccessMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "supervision.security.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a throttled login into the lockout page
]

ROOT_URLCONF = "supervision.urls"
WSGI_APPLICATION = "supervision.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "supervision.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a throttled login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "supervision.security.MinimumLengthValidator",  # Django's, with a Chinese message
     "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Set where a reverse proxy in front of the application appends the client address to X-Forwarded-For.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions (supervision.security.SessionTimeoutMiddleware): logged out after SESSION_IDLE_MINUTES without a request
# and SESSION_COOKIE_AGE seconds after the login whatever the activity; the cookie dies with the browser (shared
# village and township computers). Sessions live in the database, so they survive a Redis outage.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 3600)))
SESSION_ABSOLUTE_SECONDS = SESSION_COOKIE_AGE
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The CSRF cookie stays readable by no script: pages send the token from the form or from hx-headers.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# Login throttling (django-axes, database handler: works without Redis): AXES_FAILURE_LIMIT failed logins for
# one user name from one address lock that pair for AXES_COOLOFF_MINUTES. Unlock: admin (访问尝试) or
# `manage.py axes_reset_username <name>` / `axes_reset`.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the page's "try again in N minutes" stays true
AXES_CLIENT_IP_CALLABLE = "supervision.audit.client_ip"  # honours TRUST_X_FORWARDED_FOR like the audit trail
AXES_LOCKOUT_CALLABLE = "supervision.security.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # successful logins are in the audit trail
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Secure headers (the CSP itself: supervision.security). Production adds HSTS and secure cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False
ANONYMOUS_USER_NAME = None  # no guardian anonymous user: anonymous visitors have no object permissions

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
# Uploaded evidence is never served from a public URL: only permission-checked views stream it.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
IMPORT_MAX_BYTES = int(os.environ.get("IMPORT_MAX_BYTES", str(20 * 1024 * 1024)))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "supervision@localhost")

# Celery: Redis is the broker in production; the embedded default runs tasks in process.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 3, "socket_timeout": 5}
HEALTHZ_BROKER_TIMEOUT = float(os.environ.get("HEALTHZ_BROKER_TIMEOUT", "2"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "巡回驻点监督 API",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # The docs pages' assets come from drf-spectacular-sidecar, served locally (no CDN on the intranet).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Two models have a "state": name their choice sets so the schema does not invent a name.
    "ENUM_NAME_OVERRIDES": {
        "BatchStateEnum": "rounds.models.BatchState",
        "StationStateEnum": "rounds.models.StationState",
        # People and problem sheets both have a "category": persons' categories and checklist themes.
        "PersonCategoryEnum": "supervision.models.PersonCategory",
        "ThemeEnum": "rounds.models.Theme",
        "UnitKindEnum": "supervision.models.UnitKind",
        "FindingStateEnum": "findings.models.FindingState",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint reports every layout step at INFO.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

# Public complaint pages: at most this many submissions per sender address in the window.
PUBLIC_COMPLAINT_LIMIT = int(os.environ.get("PUBLIC_COMPLAINT_LIMIT", "5"))
PUBLIC_COMPLAINT_WINDOW_SECONDS = int(os.environ.get("PUBLIC_COMPLAINT_WINDOW_SECONDS", "3600"))
# The address printed in QR codes of notices: the public host villagers reach (default: this request's host).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
# Evidence uploads: at most this many bytes per file (phone photos and scanned PDFs).
EVIDENCE_MAX_BYTES = int(os.environ.get("EVIDENCE_MAX_BYTES", str(50 * 1024 * 1024)))
# Special campaigns (专项治理): a category of confirmed problems found in at least this many distinct units within
# the last CAMPAIGN_WINDOW_DAYS days is flagged as possibly systemic.
CAMPAIGN_MIN_UNITS = int(os.environ.get("CAMPAIGN_MIN_UNITS", "3"))
CAMPAIGN_WINDOW_DAYS = int(os.environ.get("CAMPAIGN_WINDOW_DAYS", "180"))
# Rectification deadlines (整改时限): an item with at most RECTIFY_GREEN_DAYS days left is green (the handler is
# reminded), at most RECTIFY_YELLOW_DAYS yellow (the leader in charge too), red once overdue (the unit's top leader).
RECTIFY_GREEN_DAYS = int(os.environ.get("RECTIFY_GREEN_DAYS", "20"))
RECTIFY_YELLOW_DAYS = int(os.environ.get("RECTIFY_YELLOW_DAYS", "10"))
# Annual assessment (党风廉政建设责任制考核): score = 100 − Σ weight × measure (floor 0). Override with a JSON object
# in ASSESSMENT_WEIGHTS_JSON, e.g. {"problem": 2, "overdue_open": 5}; keys not given keep these values.
ASSESSMENT_WEIGHTS = {"problem": 2, "overdue_open": 5, "closed_late": 2, "reopened": 3, "lead": 5, "person_dealt": 3}
if os.environ.get("ASSESSMENT_WEIGHTS_JSON"):
    import json as _json

    ASSESSMENT_WEIGHTS = {**ASSESSMENT_WEIGHTS, **{str(key): float(value) for key, value in
                                                   _json.loads(os.environ["ASSESSMENT_WEIGHTS_JSON"]).items()}}
