"""Test settings: the same switches as base (DATABASE_URL, REDIS_URL), fast hashing, lenient throttles."""

import os
import uuid

from config.env import env_str

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK

SECRET_KEY = "test-secret-key-not-for-production-0123456789abcdef"
# Test databases reuse competition ids run after run: each run gets its own live-leaderboard keys
# (exported, so server processes a test starts with this environment share them).
LEADERBOARD_KEY_PREFIX = os.environ.setdefault("LEADERBOARD_KEY_PREFIX", f"test-{uuid.uuid4().hex[:10]}")
DEBUG = False
BENCH_ROUTES = True  # the bench harness's tests call the baseline route
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("THROTTLE_LOGIN", "10000/min"),
        "register": env_str("THROTTLE_REGISTER", "10000/min"),
        "attempt_start": env_str("THROTTLE_ATTEMPT_START", "10000/min"),
    },
}

# No background thread in the test process (it would race the tests' own database); the daphne
# processes of the reliability tests turn it on through the environment.
LEADERBOARD_CATCH_UP_SECONDS = float(env_str("LEADERBOARD_CATCH_UP_SECONDS", "0"))
