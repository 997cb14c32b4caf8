"""Settings of the test OpenID provider; its folder and address come from the process that
starts it (``provider.py``)."""

from __future__ import annotations

import os
from pathlib import Path

FOLDER = Path(os.environ["TEST_PROVIDER_DIR"])
SITE_URL = os.environ["TEST_PROVIDER_URL"]

SECRET_KEY = "test-provider-only-" + os.environ["TEST_PROVIDER_URL"]
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
    "tests.oidc_provider.apps.TestProviderConfig",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "tests.oidc_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(FOLDER / "provider.sqlite3")}
}
# Cookies of their own name: the browser shares cookies between ports of one host.
SESSION_COOKIE_NAME = "provider_session"
CSRF_COOKIE_NAME = "provider_csrf"
LOGIN_URL = "/login"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

OIDC_USERINFO = "tests.oidc_provider.claims.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "tests.oidc_provider.claims.authentication_methods"
