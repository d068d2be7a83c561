"""The suite runs on the stack it was given: PostgreSQL and Redis when DATABASE_URL/REDIS_URL are set."""

import os

import redis
from django.conf import settings
from django.db import connection


def test_database_is_the_configured_one(db):
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
    if settings.REQUIRE_SERVICES:
        assert connection.vendor == "postgresql", "CI must run on PostgreSQL"


def test_broker_is_the_configured_one():
    url = os.environ.get("REDIS_URL", "")
    if settings.REQUIRE_SERVICES:
        assert url, "CI must run with a Redis broker"
    if url:
        assert settings.CELERY_BROKER_URL == url
        assert redis.Redis.from_url(url, socket_connect_timeout=2).ping() is True
    else:
        assert settings.CELERY_BROKER_URL == "memory://"
