"""Production settings: refuse to start without a real secret key and allowed hosts.

`DJANGO_SETTINGS_MODULE=config.settings.production manage.py check --deploy` is clean.
TLS is expected to end at the load balancer, which sets X-Forwarded-Proto.
"""

from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403

DEBUG = False

SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith(("dev-", "django-insecure")):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters in production "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS or "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS must list the host names this site answers to (comma-separated)."
    )

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"https://{host}" for host in ALLOWED_HOSTS])

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The load balancer's health probe speaks plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health/$", r"^api/v1/ready/$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
