"""Settings for the test suite: production settings with a throwaway key and plain HTTP."""

import os

# The tests check the production settings, whatever a development checkout's .env says (DEBUG=1).
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# The in-process test workers (pool "solo") send worker_process_init in the test process itself,
# whose memory cap would then hold every later test (numpy, WeasyPrint and the fonts together
# pass 2 GB of address space). Tests that want the cap set it for their worker process.
os.environ.setdefault("CELERY_WORKER_MEMORY_LIMIT_MB", "0")

from .settings import *  # noqa: E402,F403

# Manifest storage needs collectstatic; tests and the live server read static files directly.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
