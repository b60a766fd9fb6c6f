"""Django settings. Every value that differs between installations comes from the environment
through `envhub.core.config`, which parses strictly; see docs/operations.md for the list."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from envhub.core import completeness
from envhub.core import config as envconfig

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent

CONFIG = envconfig.load(os.environ, BASE_DIR)
if CONFIG.problems:
    raise ImproperlyConfigured(
        "envhub is misconfigured (run `envhub check` for details):\n- "
        + "\n- ".join(CONFIG.problems)
    )

VAR_DIR = CONFIG.var_dir
VAR_DIR.mkdir(parents=True, exist_ok=True)
if CONFIG.database_vendor == "sqlite":
    envconfig.create_private_file(Path(CONFIG.database["NAME"]))

SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = CONFIG.allowed_hosts
CSRF_TRUSTED_ORIGINS = CONFIG.csrf_trusted_origins

INSTALLED_APPS = [
    "envhub.core",
    "envhub.accounts",
    "envhub.registry",
    "envhub.compliance",
    "envhub.monitoring",
    "envhub.airquality",
    "envhub.surveys",
    "envhub.dashboard",
    "envhub.catalog",
    "envhub.library",
    "envhub.news",
    "envhub.demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "envhub.core.api_errors.ApiErrorEnvelopeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "envhub.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "envhub.core.middleware.LanguageMiddleware",
    # After the language is chosen (refusals are in the caller's language), before anything
    # reads the query string.
    "envhub.core.limits.RequestLimitsMiddleware",
    "envhub.core.middleware.NullCharacterMiddleware",
    "envhub.core.budget.RequestBudgetMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "envhub.accounts.actors.ActorMiddleware",
    "envhub.core.middleware.DomainErrorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "envhub.urls"
WSGI_APPLICATION = "envhub.wsgi.application"
ASGI_APPLICATION = "envhub.asgi.application"

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
                "envhub.core.context_processors.site",
                "envhub.compliance.views.unread_count",
            ],
        },
    },
]

DATABASES = {"default": CONFIG.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# A state information system: sessions end after a working day or when the browser closes.
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "envhub.core.views.csrf_failure"  # in the reader's language
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if CONFIG.https:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
# Numbers people read go through envhub.core.numbers (templates: {% load numbers %}), whose
# marks are Django's own for vi and en (decimal comma, dot for thousands; the reverse). Django
# groups no thousands itself: an id or a year written into a page or a URL must stay "1234".
USE_THOUSAND_SEPARATOR = False
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(VAR_DIR / "media")}},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
    # The library's files: a folder of their own, or an S3-compatible object store
    # (ENVHUB_LIBRARY_STORAGE_URL, `core/store_url.py`).
    "library": CONFIG.library_storage,
}
# Serve straight from the app folders when collectstatic has not run (tests, first start).
WHITENOISE_USE_FINDERS = True

ENVHUB_MAP_TILE_URL = CONFIG.map_tile_url
ENVHUB_MAP_TILE_ATTRIBUTION = CONFIG.map_tile_attribution
# Province codes of the main cities whose VN_AQI days the dashboard and reports count.
ENVHUB_DASHBOARD_CITIES = CONFIG.dashboard_cities
# E-mail (alerts): EMAIL_BACKEND, EMAIL_HOST, …, DEFAULT_FROM_EMAIL from ENVHUB_SMTP_URL and
# ENVHUB_EMAIL_FROM.
globals().update(CONFIG.email)
ENVHUB_WEB_BIND = CONFIG.web_bind
# Reverse proxies whose X-Forwarded-For names the client (`core/proxies.py`).
ENVHUB_TRUSTED_PROXIES = CONFIG.trusted_proxies
ENVHUB_WEB_WORKERS = CONFIG.web_workers
ENVHUB_LATE_AFTER = CONFIG.late_after
ENVHUB_OFFLINE_AFTER = CONFIG.offline_after
ENVHUB_ANNOUNCE_LATE = CONFIG.announce_late
ENVHUB_DIGEST_HOUR = CONFIG.digest_hour
# The site's address (no trailing slash), or "" when unset: e-mails then carry paths only.
ENVHUB_SITE_URL = CONFIG.site_url
ENVHUB_MAX_FILE_BYTES = CONFIG.max_file_bytes
# Caps on every request (envhub.core.limits, envhub.core.uploads, envhub.core.budget): the query
# string and each of its values, JSON and form bodies (DATA_UPLOAD_MAX_MEMORY_SIZE, checked
# against Content-Length before the body is read), multipart uploads (refused from their
# Content-Length, each file kept in memory up to its limit, never spooled to a temporary file),
# and the time a request's database work may take.
ENVHUB_MAX_QUERY_BYTES = CONFIG.max_query_bytes
ENVHUB_MAX_PARAM_CHARS = CONFIG.max_param_chars
ENVHUB_MAX_UPLOAD_BYTES = CONFIG.max_upload_bytes
ENVHUB_MAX_DATASET_FILE_BYTES = CONFIG.max_dataset_file_bytes
ENVHUB_LIBRARY_MAX_FILE_BYTES = CONFIG.library_max_file_bytes
ENVHUB_LIBRARY_MAX_PAGES = CONFIG.library_max_pages
ENVHUB_NEWS_MAX_IMAGE_BYTES = CONFIG.news_max_image_bytes
ENVHUB_NEWS_MAX_ATTACHMENT_BYTES = CONFIG.news_max_attachment_bytes
ENVHUB_REQUEST_SECONDS = CONFIG.request_seconds
DATA_UPLOAD_MAX_MEMORY_SIZE = CONFIG.max_body_bytes
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
# The library's routes first: their files go to disk (envhub/library/uploads.py).
FILE_UPLOAD_HANDLERS = ["envhub.library.uploads.LibraryUploadHandler",
                        "envhub.core.uploads.BoundedUploadHandler"]
ENVHUB_MAX_FILE_LINES = CONFIG.max_file_lines
# The most data rows a survey upload may have (envhub.surveys.readers).
ENVHUB_MAX_SURVEY_ROWS = CONFIG.max_survey_rows
ENVHUB_FUTURE_TOLERANCE_MINUTES = CONFIG.future_tolerance_minutes
ENVHUB_MAX_AGE_DAYS = CONFIG.max_age_days
# When an hour, a day or an averaging window is valid (rollups, VN_AQI, QCVN 05, compliance).
ENVHUB_COMPLETENESS = completeness.Rule(CONFIG.hour_coverage, CONFIG.period_coverage)
# The FTP receiver (`envhub ftp`, also started by `envhub run`).
ENVHUB_FTP_BIND = CONFIG.ftp_bind
ENVHUB_FTP_ROOT = CONFIG.ftp_root
ENVHUB_FTP_PASSIVE_PORTS = CONFIG.ftp_passive_ports
ENVHUB_FTP_MASQUERADE = CONFIG.ftp_masquerade
# API paging: default and largest page a client may ask for.
ENVHUB_PAGE_SIZE = 50
ENVHUB_MAX_PAGE_SIZE = 500

NINJA_PAGINATION_MAX_LIMIT = ENVHUB_MAX_PAGE_SIZE

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "filters": {
        "refusals_without_traceback": {"()": "envhub.core.log.RefusalsWithoutTraceback"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain",
                    "filters": ["refusals_without_traceback"]},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint's font subsetting logs a dozen lines a PDF at INFO: 1,600 lines (185 kB)
        # when the worker makes a month's reports, enough to fill a pipe nobody reads.
        "fontTools": {"level": "WARNING"},
    },
}
