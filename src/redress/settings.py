"""Settings for Redress, read from the environment.

This module is the only reader of the environment: every other module reads
``django.conf.settings``, so a test overrides a setting and never sets a variable.

One rule names them. A variable for one of Django's own settings has Django's name (``SECRET_KEY``,
``DEBUG``, ``ALLOWED_HOSTS``, ``EMAIL_BACKEND``, ``STATIC_ROOT``...), the database is
``DATABASE_URL``, and every other variable starts with ``REDRESS_``. The Python setting has the
variable's name without ``REDRESS_`` (``REDRESS_VETTING_DAILY_LIMIT`` is
``settings.VETTING_DAILY_LIMIT``); no setting's own name starts with ``REDRESS_``. A variable
renamed to follow the rule is still read under its former name, with a warning at start-up, so
that existing deployments keep working while their operators move (``formerly=`` below).

Safe by default: DEBUG is off, cookies are secure unless explicitly served over plain HTTP on
loopback, and every secret lives in the data folder or the environment, never in the repository.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from redress.core import keyfiles, paths
from redress.core.limits import UPLOAD_MAX_FILE_BYTES


def env(name: str, default: str = "", *, formerly: str | None = None) -> str:
    """The variable ``name``, else ``default``. ``formerly``: the name it had before, still read
    (when ``name`` is unset) with a warning printed at start-up."""
    value = _lookup(name, formerly)
    return default if value is None else value


def env_bool(name: str, default: bool, *, formerly: str | None = None) -> bool:
    value = _lookup(name, formerly)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _lookup(name: str, formerly: str | None) -> str | None:
    value = os.environ.get(name)
    if formerly is not None and formerly in os.environ:
        if value is None:
            value = os.environ[formerly]
            warnings.warn(
                f"{formerly} is renamed {name}: set {name} instead; the old name will stop "
                "being read in a later release",
                FutureWarning,
                stacklevel=3,
            )
        else:
            warnings.warn(
                f"{formerly} is ignored: {name}, its new name, is set", FutureWarning, stacklevel=3
            )
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DATA_DIR: Path = paths.data_dir(os.environ.get("REDRESS_DATA_DIR"))
KEYS_DIR: Path = DATA_DIR / "keys"
# A command that needs a data folder made before makes none (cli.py refuses it when the folder
# or its database is missing); everything else makes the folder on first use.
MAKE_DATA_DIR = not paths.EXISTING_ONLY or DATA_DIR.is_dir()
if MAKE_DATA_DIR:
    DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)

SECRET_KEY = os.environ.get("SECRET_KEY") or (
    keyfiles.read_or_create(
        KEYS_DIR / "django-secret-key", lambda: secrets.token_urlsafe(50).encode()
    ).decode()
    if MAKE_DATA_DIR
    else ""
)

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Plain HTTP is allowed only where the operator says so (the demo on loopback); everywhere else
# cookies are secure-only and browsers are told to insist on TLS.
INSECURE_HTTP = env_bool("REDRESS_INSECURE_HTTP", False)
SESSION_COOKIE_SECURE = not INSECURE_HTTP
CSRF_COOKIE_SECURE = not INSECURE_HTTP
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = 0 if INSECURE_HTTP else int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not INSECURE_HTTP
BEHIND_TLS_PROXY = env_bool("REDRESS_BEHIND_TLS_PROXY", False, formerly="BEHIND_TLS_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# How many proxies of ours each add themselves to X-Forwarded-For: the client is the address
# that many places from its end. Read only to throttle (an in-memory fingerprint), never kept.
PROXY_HOPS = int(os.environ.get("REDRESS_PROXY_HOPS", "1" if BEHIND_TLS_PROXY else "0"))
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Staff sessions end after 15 minutes without a request.
IDLE_TIMEOUT_SECONDS = int(os.environ.get("REDRESS_IDLE_TIMEOUT_SECONDS", "900"))
SESSION_COOKIE_AGE = IDLE_TIMEOUT_SECONDS
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "ninja",
    # Trust core
    "redress.core",
    "redress.ledger",
    "redress.vault",
    "redress.accounts",
    # Records
    "redress.directory",
    "redress.register",
    # Workflow
    "redress.cases",
    "redress.helpline",
    "redress.disclosure",
    # Capabilities
    "redress.intake",
    "redress.vetting",
    "redress.escrow",
    "redress.retention",
    "redress.subjectaccess",
    # Reporting
    "redress.reports",
    # Front doors
    "redress.public",
    "redress.staff",
    "redress.respond",
    "redress.api",
    "redress.demo",
    "redress.ops",
]

MIDDLEWARE = [
    "redress.core.middleware.RequestPrivacyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "redress.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the request: a body over the limits is answered 413 and no NUL
    # reaches the database (PostgreSQL refuses it). After the security headers and the
    # language, so the refusal pages have both.
    "redress.core.middleware.RequestSizeMiddleware",
    "redress.core.middleware.NulCharacterMiddleware",
    "django.middleware.common.CommonMiddleware",
    "redress.core.csrf.NoReferrerCsrfMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "redress.urls"
WSGI_APPLICATION = "redress.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "redress.core.context_processors.service",
            ],
        },
    },
]

DEFAULT_SQLITE = f"sqlite:///{DATA_DIR / 'redress.sqlite3'}"
DATABASES: dict[str, Any] = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or DEFAULT_SQLITE, conn_max_age=60
    )
}
# Django binds parameters in the client and never prepares; the few statements that bind on the
# server (core.oneshot: a report in one statement) are prepared, so planned once per
# connection. Behind a pooler in transaction mode, set REDRESS_PG_PREPARE=0.
POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
PG_PREPARE = env_bool("REDRESS_PG_PREPARE", True)
if POSTGRES and PG_PREPARE:
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock when a transaction starts, so two writers queue for it
        # instead of one failing half way; WAL lets readers go on while one writes.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "staff:sign-in"
OTP_TOTP_ISSUER = "Redress"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Cymraeg"))]
LOCALE_PATHS = [Path(__file__).parent / "locale"]
LANGUAGE_COOKIE_SECURE = not INSECURE_HTTP
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(
    env("STATIC_ROOT", formerly="REDRESS_STATIC_ROOT") or paths.SOURCE_ROOT / "build" / "collected"
)
STATICFILES_DIRS = [paths.SOURCE_ROOT / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "uploads"
# Uploads stay in memory until they are cleaned and encrypted: Django's default would write any
# file over 2.5 MB to a temporary file in the clear. Each file is refused over the intake limit
# (20 MB); a request body over the request limit is refused before it is read.
FILE_UPLOAD_HANDLERS = ["redress.core.uploads.MemoryOnlyUploadHandler"]
UPLOAD_MAX_FILES = 5
UPLOAD_MAX_REQUEST_BYTES = UPLOAD_MAX_FILES * UPLOAD_MAX_FILE_BYTES + 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FILES = UPLOAD_MAX_FILES
WHITENOISE_USE_FINDERS = DEBUG

CACHE_BACKEND = os.environ.get(
    "REDRESS_CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"
)
if CACHE_BACKEND.endswith("DummyCache"):
    raise ImproperlyConfigured(
        "REDRESS_CACHE_BACKEND: the dummy cache keeps no counts, so nothing would be throttled"
    )
CACHE_LOCATION = os.environ.get("REDRESS_CACHE_LOCATION", "redress")
# Several deployments may share one Redis: each counts under its own prefix.
CACHE_KEY_PREFIX = os.environ.get("REDRESS_CACHE_KEY_PREFIX", "")
CACHES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": CACHE_BACKEND,
        "LOCATION": CACHE_LOCATION,
        "KEY_PREFIX": CACHE_KEY_PREFIX,
    }
}
if CACHE_BACKEND.endswith("RedisCache"):
    # A Redis that stops answering must not hold requests up: after a second the throttles
    # refuse (they fail closed) and the request goes on.
    CACHES["default"]["OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Strict Content Security Policy: our own scripts, styles and images only; nothing inline.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# The neutral page "Exit this page" leads to. It must be a site that reveals nothing.
EXIT_URL = os.environ.get("REDRESS_EXIT_URL", "https://www.bbc.co.uk/weather")
SERVICE_NAME = os.environ.get("REDRESS_SERVICE_NAME", "Redress")
SCHEME_NAME = os.environ.get("REDRESS_SCHEME_NAME", "the Independent Complaints Scheme")
# Who else a person may report to (public/outside.py): a JSON list of {"name", "deals_with",
# "contact", "url"} (with "name_cy" and so on for Welsh); empty names bodies open to anyone.
OUTSIDE_BODIES: list[dict[str, str]] = json.loads(
    os.environ.get("REDRESS_OUTSIDE_BODIES", "[]") or "[]"
)

# Sign-in throttling: failures per account and per client before a lock-out, and its length.
SIGN_IN_MAX_FAILURES = int(os.environ.get("REDRESS_SIGN_IN_MAX_FAILURES", "5"))
SIGN_IN_LOCKOUT_SECONDS = int(os.environ.get("REDRESS_SIGN_IN_LOCKOUT_SECONDS", "900"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A path in a log line loses its link secrets, receipt codes and query string ("…").
    "filters": {"secret_paths": {"()": "redress.core.middleware.RedactSecretPaths"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["secret_paths"],
        }
    },
    # django.request and django.server would log paths with client details; complainant
    # privacy means we keep only the message, never an address or user agent. The loggers that
    # write paths redact them at the source, so that no handler (Django's own too) sees them.
    "loggers": {
        "django.request": {"filters": ["secret_paths"]},
        "django.security.csrf": {"filters": ["secret_paths"]},
        "django.server": {"handlers": [], "propagate": False, "filters": ["secret_paths"]},
        "redress": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
}
CSRF_FAILURE_VIEW = "redress.core.views.csrf_failure"

# The published transparency log (ledger.log): its origin line (default: the site's host and
# /log), the witnesses that cosign its checkpoints, as JSON [{"url": ..., "vkey": ...}], how
# many cosignatures a checkpoint needs before it is published (default: all of them), how
# long to wait for a witness, and how often the worker makes a checkpoint.
LOG_ORIGIN = os.environ.get("REDRESS_LOG_ORIGIN", "")
LOG_WITNESSES: list[dict[str, str]] = json.loads(
    os.environ.get("REDRESS_LOG_WITNESSES", "[]") or "[]"
)
LOG_QUORUM = int(os.environ.get("REDRESS_LOG_QUORUM", str(len(LOG_WITNESSES))))
LOG_WITNESS_TIMEOUT_SECONDS = float(os.environ.get("REDRESS_LOG_WITNESS_TIMEOUT_SECONDS", "3"))
LOG_CHECKPOINT_SECONDS = int(os.environ.get("REDRESS_LOG_CHECKPOINT_SECONDS", "600"))
# Periodic work the worker enqueues: (dotted path of a django-tasks task, every N seconds).
PERIODIC_TASKS: list[tuple[str, int]] = [
    ("redress.ledger.tasks.checkpoint", 60),
    ("redress.intake.tasks.expire_drafts", 600),
    ("redress.intake.tasks.remove_orphan_files", 6 * 3600),
    ("redress.cases.tasks.sweep", 300),
    ("redress.retention.tasks.apply_schedule", 24 * 3600),
    ("redress.ledger.tasks.verify_chain", 3600),
    ("redress.ledger.tasks.log_checkpoint", LOG_CHECKPOINT_SECONDS),
]
# Steps the worker runs directly on every pass (about once a second), before periodic tasks:
# cheap and time-critical work only. None is needed today.
EVERY_PASS: list[str] = []
DEMO_MODE = env_bool("REDRESS_DEMO_MODE", False)
# A development machine (a checkout, the tests, the benchmarks): mail may be kept in files in the
# data folder. Elsewhere, serving with mail in files is refused unless DEMO_MODE is on.
DEVELOPMENT = env_bool("REDRESS_DEVELOPMENT", False)
# The ledger's checkpoint signing key (hex of a 32-byte Ed25519 seed); empty: a key file in
# KEYS_DIR. Retired public keys whose checkpoints still verify, comma-separated hex.
LEDGER_SIGNING_KEY = os.environ.get("REDRESS_LEDGER_SIGNING_KEY", "")
LEDGER_TRUSTED_KEYS: list[str] = [
    key.strip()
    for key in os.environ.get("REDRESS_LEDGER_TRUSTED_KEYS", "").split(",")
    if key.strip()
]
NATION = os.environ.get("REDRESS_NATION", "england")
# The scheme's deadline policy over DESIGN.md's defaults, as JSON: {"investigation": 40, ...}.
POLICY: dict[str, object] = json.loads(os.environ.get("REDRESS_POLICY", "{}") or "{}")
# Wrong receipt codes: per client (in memory only) and across the whole service.
RECEIPT_MAX_FAILURES = int(os.environ.get("REDRESS_RECEIPT_MAX_FAILURES", "5"))
RECEIPT_LOCKOUT_SECONDS = int(os.environ.get("REDRESS_RECEIPT_LOCKOUT_SECONDS", "900"))
RECEIPT_GLOBAL_FAILURES_PER_MINUTE = int(
    env(
        "REDRESS_RECEIPT_GLOBAL_FAILURES_PER_MINUTE",
        "1200",
        formerly="REDRESS_RECEIPT_GLOBAL_FAILURES",
    )
)
# Wrong receipt codes per client network (IPv4 /24, IPv6 /48), in the same window as per
# client: enough for a household or office sharing one, not for a block of addresses.
RECEIPT_NETWORK_MAX_FAILURES = int(os.environ.get("REDRESS_RECEIPT_NETWORK_MAX_FAILURES", "25"))
# Email a stranger's request sends (verification, lost code, escrow, respondent's new link):
# at most this many an hour to one address, and asked for by one client.
EMAIL_PER_ADDRESS_PER_HOUR = int(os.environ.get("REDRESS_EMAIL_PER_ADDRESS_PER_HOUR", "3"))
EMAIL_PER_CLIENT_PER_HOUR = int(os.environ.get("REDRESS_EMAIL_PER_CLIENT_PER_HOUR", "10"))
FOLLOW_UP_SESSION_SECONDS = 1800
# Years a finding stays on the sanctions register, by category, as JSON over the defaults
# (sexual misconduct 10, harassment 7, bullying 5, other 5).
REGISTER_RETENTION: dict[str, int] = json.loads(
    os.environ.get("REDRESS_REGISTER_RETENTION", "{}") or "{}"
)
# Years after closure before a closed case's content is shredded, as JSON over the defaults in
# redress.retention.schedule: by outcome, each a number or {category: years, "*": years}.
RETENTION_SCHEDULE: dict[str, object] = json.loads(
    os.environ.get("REDRESS_RETENTION_SCHEDULE", "{}") or "{}"
)
# The record of processing (staff/record-of-processing): the lawful basis relied on and who
# receives personal data, as the scheme states them; empty keeps the wording the service gives.
# Recipients are separated by "|" since each may contain commas. Backups: how long they are kept,
# in days (0: the service is not told, and the record says so).
PROCESSING_LAWFUL_BASIS = os.environ.get("REDRESS_PROCESSING_LAWFUL_BASIS", "").strip()
PROCESSING_RECIPIENTS: list[str] = [
    item.strip()
    for item in os.environ.get("REDRESS_PROCESSING_RECIPIENTS", "").split("|")
    if item.strip()
]
BACKUP_RETENTION_DAYS = int(os.environ.get("REDRESS_BACKUP_RETENTION_DAYS", "0"))
# Vetting: more checks than this by one officer in a day are flagged to oversight; whether the
# person checked is told (by email, when the directory has an address) that a check was made.
VETTING_DAILY_LIMIT = int(os.environ.get("REDRESS_VETTING_DAILY_LIMIT", "20"))
VETTING_TELL_SUBJECT = env_bool("REDRESS_VETTING_TELL_SUBJECT", True)
# Escrow matching: the key service (empty URL: in this process, key file in the data folder),
# this server's name and shared secret with it, its hourly limit per caller, and how many
# distinct complainants naming one person make a match.
KEYSERVICE_URL = os.environ.get("REDRESS_KEYSERVICE_URL", "")
KEYSERVICE_CALLER = os.environ.get("REDRESS_KEYSERVICE_CALLER", "web")
KEYSERVICE_SECRET = os.environ.get("REDRESS_KEYSERVICE_SECRET", "")
KEYSERVICE_RATE = int(os.environ.get("REDRESS_KEYSERVICE_RATE", "60"))
MATCHING_KEY = os.environ.get("REDRESS_MATCHING_KEY", "")
ESCROW_THRESHOLD = int(os.environ.get("REDRESS_ESCROW_THRESHOLD", "2"))
# Shown to respondents: where to find confidential welfare support (a sentence, or empty).
RESPONDENT_SUPPORT = os.environ.get("REDRESS_RESPONDENT_SUPPORT", "")
# The helpline: working days a support request has before the adviser's first contact, and the
# support services advisers refer people to, as JSON {key: name} replacing the defaults in
# redress.helpline.services (empty keeps them).
SUPPORT_FIRST_CONTACT_DAYS = int(os.environ.get("REDRESS_SUPPORT_FIRST_CONTACT_DAYS", "2"))
SUPPORT_SERVICES: dict[str, str] = json.loads(
    os.environ.get("REDRESS_SUPPORT_SERVICES", "{}") or "{}"
)
# Key-encryption keys from the environment instead of the key folder (vault/keks.py): the
# current one, and those rotated out that still open older data keys (comma separated). Each is
# 32 bytes as hex or base64; checked when first used.
KEK = os.environ.get("REDRESS_KEK", "")
KEK_PREVIOUS: list[str] = [
    item for item in re.split(r"[,\s]+", os.environ.get("REDRESS_KEK_PREVIOUS", "")) if item
]
# The receipt codes' HMAC key as 64 hex digits; empty: a key file in KEYS_DIR, made on first use.
RECEIPT_KEY = os.environ.get("REDRESS_RECEIPT_KEY", "")

# Mail: written to files in the data folder unless an SMTP server is configured, so the demo
# works offline and a newcomer can read what would have been sent (var/mail/). Only in the demo
# or on a development machine: `redress serve` and `redress worker` refuse to start with it
# otherwise (core/checks.py), as the files hold complainants' addresses and one-time links.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend",
    formerly="REDRESS_EMAIL_BACKEND",
)
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Redress <no-reply@localhost>")
# Where the demo is served (the Makefile exports both): the default address put in links in
# emails and printed by `redress demo`, so a demo on another port sends links that open.
DEMO_HOST = os.environ.get("REDRESS_DEMO_HOST", "127.0.0.1")
DEMO_PORT = int(os.environ.get("REDRESS_DEMO_PORT", "8000"))
SITE_URL = os.environ.get("REDRESS_SITE_URL", "") or paths.site_url(DEMO_HOST, DEMO_PORT)
# Passkeys (WebAuthn): the relying party's id (a domain, which a passkey is bound to) and the
# origin the browser must report, both from the site's address unless set apart.
_SITE = urlsplit(SITE_URL)
WEBAUTHN_RP_ID = os.environ.get("REDRESS_WEBAUTHN_RP_ID", _SITE.hostname or "localhost")
WEBAUTHN_ORIGIN = os.environ.get("REDRESS_WEBAUTHN_ORIGIN", f"{_SITE.scheme}://{_SITE.netloc}")
# Single sign-on with an OpenID provider (staff/single_sign_on.py), off unless an issuer is set:
# its routes then answer 404. The provider's endpoints are read from its discovery document.
# It never makes accounts: a subject is bound at first use to the one enrolled account with the
# address the provider has verified. The TOTP step still follows, unless the ID token's `amr`
# names a method in OIDC_TRUSTED_AMR (e.g. "mfa,hwk,otp") or its `acr` is in OIDC_TRUSTED_ACR.
OIDC_ISSUER = env("REDRESS_OIDC_ISSUER").strip()
OIDC_CLIENT_ID = env("REDRESS_OIDC_CLIENT_ID").strip()
OIDC_CLIENT_SECRET = env("REDRESS_OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = env("REDRESS_OIDC_PROVIDER_NAME").strip()
OIDC_TRUSTED_AMR = env_list("REDRESS_OIDC_TRUSTED_AMR", "")
OIDC_TRUSTED_ACR = env_list("REDRESS_OIDC_TRUSTED_ACR", "")
if OIDC_ISSUER:
    if not OIDC_CLIENT_ID or not OIDC_CLIENT_SECRET:
        raise ImproperlyConfigured(
            "REDRESS_OIDC_ISSUER is set: set REDRESS_OIDC_CLIENT_ID and REDRESS_OIDC_CLIENT_SECRET"
        )
    if not re.match(r"https://|http://(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(/|$)", OIDC_ISSUER):
        raise ImproperlyConfigured("REDRESS_OIDC_ISSUER must be an https:// address")
    AUTHENTICATION_BACKENDS = [
        "django.contrib.auth.backends.ModelBackend",
        "redress.staff.single_sign_on.ProviderBackend",
    ]
