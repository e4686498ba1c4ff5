"""Clients for a user: Django's APIClient in the test process, httpx against a server process."""

from __future__ import annotations

import httpx
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import User


def token_of(user: User) -> str:
    """The user's API token (created on first use)."""
    return Token.objects.get_or_create(user=user)[0].key


def client_for(user: User) -> APIClient:
    """An API client authenticated by the user's token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_of(user)}")
    return client


def api(base: str, token: str, timeout: float = 30.0) -> httpx.Client:
    """An httpx client for a server process (tests/support/servers.py), authenticated by `token`."""
    return httpx.Client(base_url=base, headers={"Authorization": f"Token {token}"}, timeout=timeout)
