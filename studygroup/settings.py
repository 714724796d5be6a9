"""Settings from the environment, with defaults that run a fresh checkout (SQLite, eager Celery).

Every variable is listed in README.md and .env.example.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_json_object, env_list, env_str, load_env_file

BASE_DIR = Path(__file__).resolve().parent.parent
# A checkout's own settings (scripts/run writes DEBUG=1 there); never committed.
load_env_file(BASE_DIR / ".env")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_bootstrap5",
    # Every change to the records kept: who, when, old and new values (audit.history reads it).
    "simple_history",
    "sessions_app",
    "reports",
    "audit",
    # Above the group: organisations (党委（部门）), inspectors, the county table.
    "oversight",
    # 学习通知 and reminders: in the app, e-mail, WeCom, DingTalk.
    "notices",
    # Celery beat's schedules in the database, editable in the admin (the due-notice scan).
    "django_celery_beat",
    # manage.py backup and restore.
    "backups",
    # seed_demo and seed_bulk; the apps above never import it.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "studygroup.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.PermissionDeniedAuditMiddleware",
    # The signed-in user becomes history_user of every history row a request writes.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "studygroup.urls"

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
                "sessions_app.context_processors.current_membership",
            ],
        },
    },
]

WSGI_APPLICATION = "studygroup.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and an eager task write at once: a transaction takes the write lock when
    # it begins (IMMEDIATE) and waits up to timeout seconds for the other writer, instead of
    # failing with "database is locked" when its first read turns into a write. WAL lets
    # readers go on while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "studygroup.passwords.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: it refuses a locked-out account+address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "studygroup.auth_views.locked_out"
# Behind reverse proxies every request comes from a proxy's address: the number of proxies that
# append to X-Forwarded-For tells which address there is the client's own (0: REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "studygroup.auth_views.client_address"
# django-axes logs four INFO lines per login (and a banner at start-up); the console should show
# requests. Off, only its warnings (lockouts) are logged; AXES_VERBOSE=1 brings the lines back.
AXES_VERBOSE = env_bool("AXES_VERBOSE", False)

# Idle timeout: every request moves the session's expiry on, so it ends after this long unused.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Scripts and styles only from our own static files: no inline script, style or handler.
# data: images are Bootstrap's SVG icons in its stylesheet and the blank favicon.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Local disk by default; an S3-compatible store by configuration, e.g.
    # FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage (pip install django-storages[s3]) and
    # FILE_STORAGE_OPTIONS='{"bucket_name": "...", "default_acl": "private"}' (README).
    "default": {
        "BACKEND": env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": env_json_object("FILE_STORAGE_OPTIONS"),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files are private: they are served only through permission-checked views,
# so MEDIA_URL is never routed.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media-not-served/"

# Where `manage.py backup` writes its archives unless told (-o); copy them off the machine.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "backup-archives")))

ESSAY_MAX_UPLOAD_BYTES = env_int("ESSAY_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
# Old Word (.doc) and WPS (.wps) files are read by converting them with LibreOffice
# (intake.convert): the command (a name on PATH or a path; empty: none, and such files are
# refused with advice to save them as .docx), and how long one conversion may take.
OLD_WORD_CONVERTER = env_str("OLD_WORD_CONVERTER", "soffice")
OLD_WORD_CONVERT_TIMEOUT_SECONDS = env_int("OLD_WORD_CONVERT_TIMEOUT_SECONDS", 30)
# Largest spreadsheet a secretary may import (members, the records so far). The upload handler
# stops keeping any upload past ESSAY_MAX_UPLOAD_BYTES, so a larger value has no effect above it.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 5 * 1024 * 1024)
# Form fields other than files: a typed essay is limited in characters by its form (50,000), so
# the request limit only has to let an over-long paste reach the form and get that message:
# 5 MB holds 1,000,000 Chinese characters (3 bytes each in a multipart body).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# An upload past ESSAY_MAX_UPLOAD_BYTES stops being kept (memory or temporary file) at once.
FILE_UPLOAD_HANDLERS = [
    "intake.upload_handlers.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail is optional: many members never read it. With EMAIL_HOST set, mail goes out by SMTP and
# the secretary may also send a sign-in link by e-mail; without it, mail is printed to the console
# (development) and the pages offer no e-mail.
EMAIL_HOST = env_str("EMAIL_HOST")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")
# Whether the secretary may send sign-in links by e-mail (in development, to the console).
EMAIL_ENABLED = bool(EMAIL_HOST) or DEBUG

# One-time sign-in links (sessions_app.signin): days a link works before it expires.
SIGNIN_LINK_VALID_DAYS = env_int("SIGNIN_LINK_VALID_DAYS", 7)
# The site's address as members reach it, for links made outside a request (create_group,
# e-mail), e.g. https://study.example.org; pages use the address they were asked at.
SITE_URL = env_str("SITE_URL").rstrip("/")

# Reminders (notices.dispatch). Chat robots' webhooks must be https on one of these hosts (the
# official WeCom and DingTalk addresses; add a private deployment's). ROBOT_WEBHOOK_ALLOW_HTTP
# also allows http (tests, with 127.0.0.1 in the hosts). Seconds a robot or mail server may take.
ROBOT_WEBHOOK_HOSTS = env_list("ROBOT_WEBHOOK_HOSTS", ["qyapi.weixin.qq.com", "oapi.dingtalk.com"])
ROBOT_WEBHOOK_ALLOW_HTTP = env_bool("ROBOT_WEBHOOK_ALLOW_HTTP", False)
REMINDER_SEND_TIMEOUT = env_int("REMINDER_SEND_TIMEOUT", 10)
# A failed send is retried this many times, REMINDER_RETRY_BACKOFF seconds after the first try
# and twice as long before each further one; then the secretary sees the error.
REMINDER_MAX_RETRIES = env_int("REMINDER_MAX_RETRIES", 3)
REMINDER_RETRY_BACKOFF = env_int("REMINDER_RETRY_BACKOFF", 60)

# Celery: with no broker configured, tasks run eagerly in the web process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
# The queue tasks go to and workers read (several deployments may share one Redis).
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# `celery beat` reads its schedule from the database (django-celery-beat; the admin edits it).
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
# A pool process killed mid-task (out of memory, SIGKILL) gives its task back, not drops it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Seconds: past the soft limit a task is told to stop and records why; at the hard limit its
# process is killed.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int(
    "CELERY_TASK_SOFT_TIME_LIMIT", CELERY_TASK_TIME_LIMIT * 4 // 5
)
# Redis gives an unacknowledged task to another worker after the visibility timeout: it must be
# longer than any task may run, or a slow task would run twice at once.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", CELERY_TASK_TIME_LIMIT * 2)
if not 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Need 0 < CELERY_TASK_SOFT_TIME_LIMIT < CELERY_TASK_TIME_LIMIT < CELERY_VISIBILITY_TIMEOUT"
    )
# Redis down must not hang a web request: connecting gives up after a few seconds.
CELERY_BROKER_CONNECT_TIMEOUT = env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2)
CELERY_BROKER_CONNECTION_TIMEOUT = CELERY_BROKER_CONNECT_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    # A task whose worker died is given out again within the visibility timeout and one sweep
    # (kombu's default sweep is every 100 s).
    "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": CELERY_BROKER_CONNECT_TIMEOUT,
    "socket_timeout": CELERY_BROKER_CONNECT_TIMEOUT,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 0.5,
}
# Megabytes of address space a prefork pool process may take (0: no cap; the solo pool has
# none): past it a render fails, with MemoryError or by its process dying, instead of pushing
# the machine into swap (studygroup.celery).
CELERY_WORKER_MEMORY_LIMIT_MB = env_int("CELERY_WORKER_MEMORY_LIMIT_MB", 2048)
# A render that ran out of memory leaves its pool process bloated, and the next render there would
# fail too: a process whose peak resident memory passed half the cap is replaced after its task
# (KiB).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = CELERY_WORKER_MEMORY_LIMIT_MB * 1024 // 2 or None
# Transient failures of a report's task (storage, database) are retried this many times.
REPORT_PDF_MAX_RETRIES = env_int("REPORT_PDF_MAX_RETRIES", 3)
# Seconds before the first retry; doubled for each further one.
REPORT_PDF_RETRY_BACKOFF = env_int("REPORT_PDF_RETRY_BACKOFF", 5)
# The HTML a PDF is made from: a bigger document fails with a message before rendering
# (1 MB is about 2,500 study sessions in a half-year summary).
REPORT_PDF_MAX_HTML_BYTES = env_int("REPORT_PDF_MAX_HTML_BYTES", 1024 * 1024)

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "INFO" if AXES_VERBOSE else "WARNING"},
    },
}
