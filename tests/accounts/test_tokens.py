"""API tokens: revoked by log-out, rotated by a password change, dead with a deactivated account,
expired after TOKEN_TTL_HOURS unused and renewed quietly while in use.

Every test runs with the token cache off and on (core/tokens.py): with it on, a revocation must
still hold from the very next request, in this process and (services tier) through Redis.
"""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.tokens import ExpiringTokenAuthentication, token_lookup, token_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[0, 300], ids=["no-cache", "token-cache"])
def token_cache(request, settings):
    settings.TOKEN_CACHE_SECONDS = request.param
    return request.param


ME = "/api/v1/me/"


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _token(api_client, username: str = "zhangsan", password: str = "Safety@2026") -> str:
    return api_client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    ).json()["token"]


def test_logout_revokes_the_token(linxia, api_client):
    key = _token(api_client)
    assert _client(key).get(ME).status_code == 200  # now cached, when the cache is on

    logout = _client(key).post("/api/v1/auth/logout/")
    after = _client(key).get(ME, HTTP_ACCEPT_LANGUAGE="en")

    assert logout.status_code == 204
    assert (after.status_code, after.json()["code"]) == (401, "authentication_failed")
    assert _token(api_client) != key  # logging in again issues a new one


def test_logout_without_a_login_is_401(api_client):
    assert api_client.post("/api/v1/auth/logout/").status_code == 401


def test_a_password_change_rotates_the_token(linxia, api_client):
    from accounts.models import User

    key = _token(api_client)
    assert _client(key).get(ME).status_code == 200
    user = User.objects.get(username="zhangsan")
    user.set_password("Another@2026x")
    user.save()

    assert _client(key).get(ME).status_code == 401
    assert _token(api_client, password="Another@2026x") not in ("", key)


def test_deactivation_invalidates_the_token_for_http_and_websocket(linxia, api_client):
    from accounts.models import User

    key = _token(api_client)
    assert _client(key).get(ME).status_code == 200
    assert token_user(key=key) is not None
    user = User.objects.get(username="zhangsan")
    user.is_active = False
    user.save()

    assert _client(key).get(ME).status_code == 401
    assert not Token.objects.filter(key=key).exists()
    assert token_user(key=key) is None  # what the WebSocket's ?token= uses


def test_saving_a_user_without_touching_password_or_activity_keeps_the_token(linxia, api_client):
    from accounts.models import User

    key = _token(api_client)
    user = User.objects.get(username="zhangsan")
    user.display_name = "张三丰"
    user.save()

    assert _client(key).get(ME).status_code == 200


@override_settings(TOKEN_TTL_HOURS=24)
def test_an_unused_token_expires_and_the_next_log_in_issues_a_new_one(linxia, api_client):
    key = _token(api_client)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=25))

    expired = _client(key).get(ME, HTTP_ACCEPT_LANGUAGE="en")
    fresh = _token(api_client)

    assert (expired.status_code, expired.json()["code"]) == (401, "token_expired")
    assert token_user(key=key) is None  # what the WebSocket's ?token= uses
    assert fresh != key
    assert _client(fresh).get(ME).status_code == 200


@override_settings(TOKEN_TTL_HOURS=24)
def test_a_token_in_use_is_renewed_quietly(linxia, api_client):
    key = _token(api_client)
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=13))

    assert _client(key).get(ME).status_code == 200

    renewed = Token.objects.get(key=key).created
    assert timezone.now() - renewed < timedelta(minutes=1)


def test_a_cached_token_authenticates_without_sql(linxia, api_client, token_cache, django_assert_num_queries):
    key = _token(api_client)
    assert _client(key).get(ME).status_code == 200

    with django_assert_num_queries(0 if token_cache else 1):
        user, token = ExpiringTokenAuthentication().authenticate_credentials(key)

    assert (user.username, user.role, token.key, token.user_id) == ("zhangsan", "participant", key, user.pk)
    assert user.check_password("Safety@2026")  # the hash is not cached: read on demand


def test_a_role_change_reaches_a_cached_token_at_once(linxia, api_client):
    from accounts.models import User
    from accounts.services import user_set_role

    key = _token(api_client)
    assert _client(key).get(ME).json()["role"] == "participant"
    user_set_role(user=User.objects.get(username="zhangsan"), role="admin")

    assert _client(key).get(ME).json()["role"] == "admin"


def test_a_lookup_that_read_the_database_before_a_revocation_cannot_cache_the_token_again(linxia, api_client):
    """The race a cache invites: a request reads the token row, the token is revoked, then that
    request fills the cache. The revocation's tombstone makes the late fill a no-op."""
    from accounts.models import User
    from accounts.services import token_revoke
    from core.tokens import _cache_fill

    key = _token(api_client)
    token = Token.objects.select_related("user").get(key=key)  # the slow request's read
    token_revoke(user=User.objects.get(username="zhangsan"))
    _cache_fill(token=token, user=token.user)  # ... and its late fill

    assert token_lookup(key=key) is None
    assert _client(key).get(ME).status_code == 401


def test_a_cached_user_has_every_field_the_database_gives_but_the_password(linxia, api_client, token_cache):
    """The cached entry (JSON text, datetimes as ISO strings) gives back the same values as the row."""
    from accounts.models import User

    user = User.objects.get(username="zhangsan")
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(days=3, microseconds=7))
    key = _token(api_client)
    assert _client(key).get(ME).status_code == 200  # cached now (with the cache on)

    cached, token = token_lookup(key=key)
    fresh = User.objects.get(pk=user.pk)
    names = [f.attname for f in User._meta.concrete_fields if f.attname != "password"]
    assert [getattr(cached, n) for n in names] == [getattr(fresh, n) for n in names]
    assert token.created == Token.objects.get(key=key).created
    assert cached.last_login.tzinfo is not None


def test_an_entry_the_cache_cannot_read_falls_back_to_the_database(
    linxia, api_client, token_cache, monkeypatch
):
    """An entry written by other code (the pickling cache of an earlier release, during a rolling
    deploy) or damaged is not trusted: the request reads the database, the answer is right."""
    from core import tokens

    key = _token(api_client)
    for damaged in ("[1, 2", '["not a time"]', "[]", "{}"):
        monkeypatch.setattr(tokens, "_cache_get", lambda _key, value=damaged: value if token_cache else None)
        assert _client(key).get(ME).status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api_client.post("/api/v1/auth/logout/").status_code in (200, 204)
    monkeypatch.setattr(tokens, "_cache_get", lambda _key: "[1, 2" if token_cache else None)
    assert _client(key).get(ME).status_code == 401


@pytest.mark.services
def test_with_redis_the_entry_is_text_under_the_caches_key(linxia, api_client, token_cache, settings):
    """With Redis the entry sits under the key the cache framework would use (so a process still
    running the pickling code shares it) and is plain text, not a pickle."""
    from django.core.cache import cache

    from core.redis import get_client
    from core.tokens import _cache_key

    key = _token(api_client)
    assert _client(key).get(ME).status_code == 200
    raw = get_client().get(cache.make_key(_cache_key(key)))
    if not token_cache:
        assert raw is None
        return
    assert raw.startswith("[") and "zhangsan" in raw
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    api_client.post("/api/v1/auth/logout/")
    assert get_client().get(cache.make_key(_cache_key(key))) == "revoked"


@pytest.mark.services
def test_with_redis_an_entry_pickled_by_the_earlier_release_is_read_from_the_database(
    linxia, api_client, token_cache
):
    """The release before kept (created, values) pickled by the cache framework under the same key:
    such an entry (or its pickled tombstone) is not understood, so the database answers."""
    from django.core.cache import cache

    from accounts.models import User
    from core.tokens import _cache_key

    key = _token(api_client)
    token = Token.objects.get(key=key)
    cache.set(_cache_key(key), (token.created, ("stale",) * 17), 300)
    assert _client(key).get(ME).json()["username"] == "zhangsan"
    User.objects.filter(username="zhangsan").update(
        role="admin"
    )  # no signal: the entry is all that could lie
    cache.set(_cache_key(key), "revoked", 300)
    assert _client(key).get(ME).json()["role"] == "admin"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Token",
        "Token ",
        "Token abc",
        "token abc",
        "TOKEN abc",
        "Token abc def",
        "Token  abc",
        "Bearer abc",
        "Basic dXNlcjpwYXNz",
        "Token \xe9t\xe9",
        "Token abc\xa0def",
        "Tokenabc",
    ],
)
def test_the_header_is_read_as_drf_reads_it(header, settings):
    """ExpiringTokenAuthentication reads the header from META; DRF's TokenAuthentication from
    request.headers: the same outcome for every header (None, the key, or the same 401)."""
    from django.test import RequestFactory
    from rest_framework.authentication import TokenAuthentication
    from rest_framework.exceptions import AuthenticationFailed
    from rest_framework.request import Request

    def outcome(cls):
        class Probe(cls):
            def authenticate_credentials(self, key):
                return ("key", key)

        extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
        request = Request(RequestFactory().get("/api/v1/me/", **extra))
        try:
            return Probe().authenticate(request)
        except AuthenticationFailed as exc:
            return ("401", str(exc.detail), exc.detail.code)

    assert outcome(ExpiringTokenAuthentication) == outcome(TokenAuthentication)
