"""Settings shared by every profile.  Everything comes from the environment.

Profiles: ``embedded`` (default: SQLite + local files under FANWEN_DATA_DIR),
``production`` (PostgreSQL via DATABASE_URL, Redis via REDIS_URL), ``test``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ

env = environ.Env()
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.str("FANWEN_DATA_DIR", default="./var")).resolve()
EXAMPLES_DIR = Path(env.str("FANWEN_EXAMPLES_DIR", default=str(BASE_DIR.parent / "examples")))

DEBUG = False
ALLOWED_HOSTS = env.list("FANWEN_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("FANWEN_CSRF_TRUSTED_ORIGINS", default=[])
# Reverse proxies whose X-Forwarded-For is believed (IPs or CIDRs, comma separated).  Empty:
# the peer address is the client, and X-Forwarded-For is ignored (anyone can send it).
FANWEN_TRUSTED_PROXIES = env.list("FANWEN_TRUSTED_PROXIES", default=[])
SITE_NAME = "范文库"
SITE_URL = env.str("FANWEN_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    # The admin's modules are loaded by fanwen/urls.py (admin.autodiscover), i.e. when a request
    # is served, not at every `fanwen` command's start (they import the payment SDKs).
    "django.contrib.admin.apps.SimpleAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "ninja",  # its static folder ships Swagger UI, so /api/v1/docs works offline
    "fanwen.web",
    "fanwen.accounts",
    "fanwen.library",
    "fanwen.access",
    "fanwen.commerce",
    "fanwen.search",
    "fanwen.audit",
    "fanwen.notices",
    "fanwen.payouts",
    "fanwen.studio",
    "fanwen.stats",
    "fanwen.community",
    "fanwen.moderation",
    "fanwen.ops",
    "fanwen.jobs",
    "fanwen.backups",
]

MIDDLEWARE = [
    # Operations (fanwen/monitoring): request timing, the request id, then /healthz, /readyz
    # and /metrics answered before the host check and HTTPS redirect (probes come by IP).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "fanwen.monitoring.request_id.RequestIdMiddleware",
    "fanwen.monitoring.probes.ProbesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fanwen.web.middleware.ContentSecurityPolicyMiddleware",
    "fanwen.web.middleware.RejectUnstorableInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "fanwen.web.middleware.RejectUnstorableBodyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fanwen.web.middleware.PrivateByDefaultMiddleware",
    "fanwen.monitoring.metrics.BoundedPrometheusAfterMiddleware",  # last: times the view
]

ROOT_URLCONF = "fanwen.urls"
WSGI_APPLICATION = "fanwen.wsgi.application"

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
                "fanwen.web.context.site",
                "fanwen.notices.context.unread",
            ],
        },
    },
]


def _database(url: str) -> dict:
    config = environ.Env.db_url_config(url)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            # WAL lets readers run beside the one writer; IMMEDIATE takes the write
            # lock at BEGIN so two writers queue instead of deadlocking on upgrade.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config.setdefault("CONN_MAX_AGE", 60)
        config["CONN_HEALTH_CHECKS"] = True
    return config


DATABASE_URL = env.str("DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'fanwen.sqlite3'}")
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    # Shared by all worker processes of one host, unlike LocMemCache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    }

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "fanwen.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_ROOT = DATA_DIR / "files"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script anywhere (pages, admin, API docs load theirs from files).  Inline style is
# allowed: it cannot run code, and the admin and Swagger UI set style attributes.  No
# form-action: a checkout form may redirect to a payment provider's page.
FANWEN_CONTENT_SECURITY_POLICY = env.str(
    "FANWEN_CONTENT_SECURITY_POLICY",
    default="default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
# Every upload passes the size limit first, so a huge one is stopped while it streams in.
FILE_UPLOAD_HANDLERS = [
    "fanwen.library.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Documents
FANWEN_MAX_DOCUMENT_BYTES = env.int("FANWEN_MAX_DOCUMENT_BYTES", default=5 * 1024 * 1024)
# Paragraphs per document (upload and import); the examples have 16 and 19.
FANWEN_MAX_BLOCKS = env.int("FANWEN_MAX_BLOCKS", default=5000)
# Uploads per author per clock hour.
FANWEN_UPLOADS_PER_HOUR = env.int("FANWEN_UPLOADS_PER_HOUR", default=20)
# Price for documents with paid blocks when an import names none (yuan; empty = must be given).
FANWEN_DEFAULT_PRICE_YUAN = env.str("FANWEN_DEFAULT_PRICE_YUAN", default="")
FANWEN_PAGE_SIZE = 20
# Files (Word, PDF) one reader may download per day (counted from local midnight).
FANWEN_DOWNLOADS_PER_DAY = env.int("FANWEN_DOWNLOADS_PER_DAY", default=50)
# 站内信 also by email (Django's email backend; EMAIL_URL e.g. smtp://user:pass@host:587): off by default.
FANWEN_NOTIFY_EMAIL = env.bool("FANWEN_NOTIFY_EMAIL", default=False)
# 举报: per reader and per client address (copyright complaints) an hour; flagged at this many open reports.
FANWEN_REPORTS_PER_HOUR = env.int("FANWEN_REPORTS_PER_HOUR", default=10)
FANWEN_COMPLAINTS_PER_HOUR = env.int("FANWEN_COMPLAINTS_PER_HOUR", default=5)
FANWEN_REPORTS_FLAG = env.int("FANWEN_REPORTS_FLAG", default=3)
FANWEN_HISTORY_QUIET_SECONDS = env.int("FANWEN_HISTORY_QUIET_SECONDS", default=300)  # 最近阅读: no write within
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="范文库 <noreply@localhost>")
# PDF renders (about 0.45 s of CPU each) at once per host; 0 = one fewer than the request
# workers or CPUs, whichever is smaller (at least 1), so pages always keep a worker.
# Checks `fanwen ledger check` runs besides the ledger's own (dotted paths).
FANWEN_LEDGER_CHECKS = ["fanwen.payouts.checks.payouts_check"]
FANWEN_PDF_RENDERS = env.int("FANWEN_PDF_RENDERS", default=0)
# How long a PDF download waits for a render slot before a 503 (请稍后重试, Retry-After).
FANWEN_PDF_WAIT_SECONDS = env.float("FANWEN_PDF_WAIT_SECONDS", default=0.0)
FANWEN_PDF_RETRY_AFTER_SECONDS = env.int("FANWEN_PDF_RETRY_AFTER_SECONDS", default=3)
# Invisible per-reader fingerprint of paid text: "light" (zero-width marks; default) or "off".
FANWEN_FINGERPRINT = env.str("FANWEN_FINGERPRINT", default="light")
# Its key; empty = derived from SECRET_KEY (HMAC with a fixed label). Changing it orphans old codes.
FANWEN_FINGERPRINT_KEY = env.str("FANWEN_FINGERPRINT_KEY", default="")
# Failed logins (web form and API token) allowed per window, per account and per client address;
# an address may fail more often than an account, so an office behind one NAT is not locked out.
FANWEN_LOGIN_FAILURES_PER_ACCOUNT = env.int("FANWEN_LOGIN_FAILURES_PER_ACCOUNT", default=5)
FANWEN_LOGIN_FAILURES_PER_ADDRESS = env.int("FANWEN_LOGIN_FAILURES_PER_ADDRESS", default=50)
FANWEN_LOGIN_WINDOW_SECONDS = env.int("FANWEN_LOGIN_WINDOW_SECONDS", default=15 * 60)
# How stale a web worker's view of the search index may be (the worker commits every second).
FANWEN_SEARCH_RELOAD_SECONDS = env.float("FANWEN_SEARCH_RELOAD_SECONDS", default=1.0)

# Log lines: "plain" text, or "json" (one object per line with the request id; production's default).
FANWEN_LOG_FORMAT = env.str("FANWEN_LOG_FORMAT", default="plain")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "fanwen.monitoring.jsonlog.JsonFormatter"},
    },
    "filters": {"request_id": {"()": "fanwen.monitoring.request_id.RequestIdFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": FANWEN_LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    # Never log request bodies or document text; Django's request logger only logs paths.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.security.DisallowedHost": {"handlers": [], "propagate": False},
    },
}

# Operations (fanwen/monitoring).  /readyz answers 503 when this host's search index is more than
# this many outbox rows or seconds behind, or the shared outbox holds more rows (0 = unchecked).
FANWEN_READY_INDEX_LAG_ROWS = env.int("FANWEN_READY_INDEX_LAG_ROWS", default=10_000)
FANWEN_READY_INDEX_LAG_SECONDS = env.float("FANWEN_READY_INDEX_LAG_SECONDS", default=120.0)
FANWEN_READY_OUTBOX_ROWS = env.int("FANWEN_READY_OUTBOX_ROWS", default=1_000_000)
# /metrics: with this bearer token, or straight (not through a proxy) from these networks.
FANWEN_METRICS_TOKEN = env.str("FANWEN_METRICS_TOKEN", default="")
FANWEN_METRICS_ALLOWED_NETWORKS = env.list("FANWEN_METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
# More scrape-time gauges: dotted paths to callables returning (name, help, {((label, value), …): number}).
FANWEN_METRICS_COLLECTORS: list[str] = ["fanwen.jobs.metrics.job_runs"]

# Payments (issue #4).  With no provider keys the sandbox provider is offered.
FANWEN_ALIPAY_APP_ID = env.str("FANWEN_ALIPAY_APP_ID", default="")
FANWEN_ALIPAY_PRIVATE_KEY_FILE = env.str("FANWEN_ALIPAY_PRIVATE_KEY_FILE", default="")  # our app key
FANWEN_ALIPAY_PUBLIC_KEY_FILE = env.str("FANWEN_ALIPAY_PUBLIC_KEY_FILE", default="")  # Alipay's public key
FANWEN_ALIPAY_GATEWAY = env.str("FANWEN_ALIPAY_GATEWAY", default="https://openapi.alipay.com/gateway.do")
FANWEN_WECHATPAY_MCH_ID = env.str("FANWEN_WECHATPAY_MCH_ID", default="")
FANWEN_WECHATPAY_APPID = env.str("FANWEN_WECHATPAY_APPID", default="")
FANWEN_WECHATPAY_APIV3_KEY = env.str("FANWEN_WECHATPAY_APIV3_KEY", default="")
FANWEN_WECHATPAY_PRIVATE_KEY_FILE = env.str("FANWEN_WECHATPAY_PRIVATE_KEY_FILE", default="")
FANWEN_WECHATPAY_CERT_SERIAL = env.str("FANWEN_WECHATPAY_CERT_SERIAL", default="")
FANWEN_WECHATPAY_PUBLIC_KEY_FILE = env.str("FANWEN_WECHATPAY_PUBLIC_KEY_FILE", default="")
FANWEN_WECHATPAY_PUBLIC_KEY_ID = env.str("FANWEN_WECHATPAY_PUBLIC_KEY_ID", default="")
FANWEN_WECHATPAY_GATEWAY = env.str("FANWEN_WECHATPAY_GATEWAY", default="https://api.mch.weixin.qq.com")
FANWEN_SANDBOX_ENABLED = env.bool("FANWEN_SANDBOX_ENABLED", default=True)
FANWEN_ORDER_EXPIRY_MINUTES = env.int("FANWEN_ORDER_EXPIRY_MINUTES", default=30)
# Payment attempts the provider has not notified us about are queried after this long (commerce.services.reconcile).
FANWEN_PAYMENT_RECONCILE_AFTER_SECONDS = env.int("FANWEN_PAYMENT_RECONCILE_AFTER_SECONDS", default=180)
FANWEN_PAYMENT_RECONCILE_BATCH = env.int("FANWEN_PAYMENT_RECONCILE_BATCH", default=50)  # queries per tick
FANWEN_REFUND_MAX_ATTEMPTS = env.int("FANWEN_REFUND_MAX_ATTEMPTS", default=8)  # then 需人工处理
FANWEN_REFUND_RETRY_MAX_WAIT_TICKS = env.int("FANWEN_REFUND_RETRY_MAX_WAIT_TICKS", default=60)  # backoff cap, minutes
FANWEN_AUTHOR_SHARE_PERCENT = env.int("FANWEN_AUTHOR_SHARE_PERCENT", default=70)
FANWEN_PAYOUT_HOLD_DAYS = env.int("FANWEN_PAYOUT_HOLD_DAYS", default=7)  # a sale's share is pending this long
# Rows the platform's revenue and each provider's clearing money are spread over (shard = order id
# mod this), so concurrent sales do not queue on one row lock.  Raising it later is safe.
FANWEN_LEDGER_SHARDS = env.int("FANWEN_LEDGER_SHARDS", default=16)
# A document's read count reaches the search index ("most read" order) at most this often.
FANWEN_VIEWS_REINDEX_SECONDS = env.int("FANWEN_VIEWS_REINDEX_SECONDS", default=300)
FANWEN_PAYOUT_MIN_FEN = env.int("FANWEN_PAYOUT_MIN_FEN", default=1000)  # smallest payout request (¥10)
