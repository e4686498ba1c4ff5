"""Development settings: `make run`. Debug on, a fixed dev secret, everything embedded by default."""

from config.env import env_bool, env_str

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-for-production-0123456789")
