"""Settings for the test suite: production settings with a throwaway key and plain HTTP."""

import os

# The tests check the production settings, whatever a development checkout's .env says (DEBUG=1).
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from .settings import *  # noqa: E402,F403

# Manifest storage needs collectstatic; tests and the live server read static files directly.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
