"""API tokens with a lifetime (settings.TOKEN_TTL_HOURS), for DRF and the WebSocket alike.

A token unused for TOKEN_TTL_HOURS expires; one used after half its lifetime is renewed quietly
(its clock restarts, the key stays), so a phone in daily use never has to log in again while a
forgotten token dies. Logging out, changing the password and deactivation delete it (accounts).
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = _("Your log-in has expired. Please log in again.")
    default_code = "token_expired"


def token_is_fresh(*, token: Token) -> bool:
    """False once the token has not been renewed for TOKEN_TTL_HOURS; renews it past half of that."""
    lifetime = timedelta(hours=settings.TOKEN_TTL_HOURS)
    age = timezone.now() - token.created
    if age >= lifetime:
        return False
    if age >= lifetime / 2:
        Token.objects.filter(pk=token.pk).update(created=timezone.now())
    return True


def token_user(*, key: str):
    """The active user of a valid, unexpired token, or None (for the WebSocket's `?token=`)."""
    token = Token.objects.select_related("user").filter(key=key).first()
    if token is None or not token.user.is_active or not token_is_fresh(token=token):
        return None
    return token.user


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication plus the lifetime: an expired token is a 401 `token_expired`."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if not token_is_fresh(token=token):
            raise TokenExpired()
        return user, token
