"""The machine's Redis for tests: skipped where none answers, a failure under CI."""

from __future__ import annotations

import os

import pytest

REDIS_URL = "redis://127.0.0.1:6379"


def redis_url() -> str:
    """The Redis URL, after checking it answers."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as e:
        message = f"Redis not reachable at {REDIS_URL}: {e}"
        # CI must run the Redis tests, so there a dead server fails.
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    finally:
        client.close()
    return REDIS_URL
