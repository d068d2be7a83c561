"""Test settings. With DATABASE_URL/REDIS_URL set (CI), the production stack: PostgreSQL and a Redis broker.
Without them, SQLite and an in-memory broker."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-key-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="supervision-test-media-"))
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="supervision-test-static-"))
CELERY_TASK_ALWAYS_EAGER = True
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
