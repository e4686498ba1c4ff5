"""API tokens with a lifetime (settings.TOKEN_TTL_HOURS), for DRF and the WebSocket alike.

A token unused for TOKEN_TTL_HOURS expires; one used after half its lifetime is renewed quietly
(its clock restarts, the key stays), so a phone in daily use never has to log in again while a
forgotten token dies. Logging out, changing the password and deactivation delete it (accounts).

A hot request authenticates without SQL: a token seen once is kept in Redis (REDIS_URL, shared by
every process; without it, in the default cache) for TOKEN_CACHE_SECONDS, with its user's fields
(not the password hash, which stays a deferred field loaded on demand). The entry of a token is
replaced by a tombstone when the token is deleted (log-out, password change, deactivation, user
deleted) or renewed, and when its user is saved (role, scope, activity, anything): the receivers
are in accounts/signals.py. A tombstone makes the next request read the database, and since the
cache is filled with `add`, a request that read the database just before the revocation cannot
put the old token back while the tombstone lives. So a revoked token stops working at the next
request after the revocation; only a change made with `QuerySet.update()` (no signal) waits for
the entry to age out (TOKEN_CACHE_SECONDS). Without Redis the cache is per process, so
TOKEN_CACHE_SECONDS defaults to 0 (off) there.
"""

import hashlib
import json
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import HTTP_HEADER_ENCODING, exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from core import redis as core_redis

logger = logging.getLogger(__name__)

_REVOKED = "revoked"


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
        token_cache_forget(keys=[token.key])  # the cached copy holds the old time
    return True


# --- the token cache --------------------------------------------------------------------------
#
# An entry is text: the tombstone, or a JSON list `[token created, user field values...]` with the
# datetimes as ISO strings. With Redis it is read and written with plain commands through
# core/redis.py (one GET per request, no pickling, none of the cache framework's layers: together
# a third of the token's CPU, BENCHMARKS.md issue 16); without Redis (tests) through the default
# cache, with the same text.


def _cache_key(key: str) -> str:
    # The key is a credential: the cache (and whoever reads Redis) sees only its digest.
    return "auth:token:" + hashlib.sha256(key.encode()).hexdigest()


def _redis_key(cache_key: str) -> str:
    # The very key the cache framework gives it (prefix, version): processes still running the
    # pickling code during a rolling deploy share the entries, so a revocation by either is seen
    # by both (each fails to read the other's entry and then reads the database).
    return cache.make_key(cache_key)


@lru_cache(maxsize=1)
def _user_fields() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The user's cached attnames (every concrete field but the password) and which are datetimes."""
    fields = [f for f in get_user_model()._meta.concrete_fields if f.attname != "password"]
    names = tuple(f.attname for f in fields)
    datetimes = tuple(i for i, f in enumerate(fields) if f.get_internal_type() == "DateTimeField")
    return names, datetimes


def _user_attnames() -> tuple[str, ...]:
    return _user_fields()[0]


def _encode(*, token: Token, user) -> str:
    names, datetimes = _user_fields()
    values = [getattr(user, name) for name in names]
    for i in datetimes:
        if values[i] is not None:
            values[i] = values[i].isoformat()
    return json.dumps([token.created.isoformat(), *values], ensure_ascii=False, separators=(",", ":"))


def _decode(entry: str) -> tuple[datetime, list]:
    created, *values = json.loads(entry)
    for i in _user_fields()[1]:
        if values[i] is not None:
            values[i] = datetime.fromisoformat(values[i])
    return datetime.fromisoformat(created), values


def _cache_get(key: str) -> str | None:
    if settings.TOKEN_CACHE_SECONDS <= 0:
        return None
    try:
        if core_redis.is_configured():
            return core_redis.get_client().get(_redis_key(_cache_key(key)))
        return cache.get(_cache_key(key))
    except Exception as exc:  # noqa: BLE001 - the cache client's errors: fall back to the database
        logger.warning("Token cache not read (%s)", exc)
        return None


def _cache_read(key: str, calls: Sequence[core_redis.ScriptCall]) -> tuple[str | None, list | None]:
    """The entry of `key` (as `_cache_get`) and the replies of the view's `calls` sent in the same
    round trip (None when they were not sent: no calls, no Redis, the cache off, or a failure)."""
    if calls and settings.TOKEN_CACHE_SECONDS > 0 and core_redis.is_configured():
        try:
            return core_redis.get_with(_redis_key(_cache_key(key)), calls)
        except Exception as exc:  # noqa: BLE001 - as in _cache_get; the view then reads on its own
            logger.warning("Token cache not read (%s)", exc)
            return None, None
    return _cache_get(key), None


def _cached_pair(key: str, calls: Sequence[core_redis.ScriptCall] = ()):
    """((user, token) from the cache or None: not cached, a tombstone, no cache; the calls' replies)."""
    entry, replies = _cache_read(key, calls)
    if entry is None or entry == _REVOKED:
        return None, replies
    try:
        created, values = _decode(entry)
    except (ValueError, TypeError, IndexError) as exc:  # an entry of another version: read the database
        logger.warning("Token cache entry not understood (%s)", exc)
        return None, replies
    user = get_user_model().from_db(DEFAULT_DB_ALIAS, _user_attnames(), values)
    token = Token.from_db(DEFAULT_DB_ALIAS, ("key", "user_id", "created"), (key, user.pk, created))
    token.user = user
    return (user, token), replies


def _cache_fill(*, token: Token, user) -> None:
    """Remember a valid token and its active user; `add` (SET NX), so a tombstone is never overwritten."""
    if settings.TOKEN_CACHE_SECONDS <= 0:
        return
    try:
        entry = _encode(token=token, user=user)
        if core_redis.is_configured():
            core_redis.get_client().set(
                _redis_key(_cache_key(token.key)), entry, nx=True, ex=settings.TOKEN_CACHE_SECONDS
            )
        else:
            cache.add(_cache_key(token.key), entry, settings.TOKEN_CACHE_SECONDS)
    except Exception as exc:  # noqa: BLE001 - a cache outage (or an unexpected field type) only costs SQL
        logger.warning("Token cache not filled (%s)", exc)


def _tombstone(keys: list[str]) -> None:
    seconds = max(60, settings.TOKEN_CACHE_SECONDS)
    try:
        if core_redis.is_configured():
            pipe = core_redis.get_client().pipeline(transaction=False)
            for key in keys:
                pipe.set(_redis_key(_cache_key(key)), _REVOKED, ex=seconds)
            pipe.execute()
        else:
            cache.set_many({_cache_key(key): _REVOKED for key in keys}, seconds)
    except Exception as exc:  # noqa: BLE001
        logger.error("Token cache not invalidated for %d token(s) (%s)", len(keys), exc)


def token_cache_forget(*, keys: list[str]) -> None:
    """Make the next request with any of `keys` read the database (a token deleted or renewed, or its
    user changed). At once, and again after the surrounding transaction commits, so a request that
    read the old rows in between cannot leave them cached."""
    if settings.TOKEN_CACHE_SECONDS <= 0 or not keys:
        return
    keys = list(keys)
    _tombstone(keys)
    transaction.on_commit(lambda: _tombstone(keys))


@lru_cache(maxsize=1)
def _token_read_sql() -> tuple[str, tuple[str, ...]] | None:
    """The SELECT that `Token.objects.select_related("user")` sends, written once, and the user's
    attnames; None where the raw row would not be what the ORM gives: on SQLite (booleans come back
    as integers, datetimes naive) or if a field converts its database value (`from_db_value`)."""
    connection = connections[DEFAULT_DB_ALIAS]
    user_model = get_user_model()
    user_fields = user_model._meta.concrete_fields
    if connection.vendor != "postgresql" or any(
        hasattr(f, "from_db_value") for f in (*Token._meta.concrete_fields, *user_fields)
    ):
        return None
    quote = connection.ops.quote_name
    columns = ", ".join(f"u.{quote(f.column)}" for f in user_fields)
    # Names from the models, quoted; the key is a parameter.
    sql = (
        f"SELECT t.{quote('key')}, t.{quote('user_id')}, t.{quote('created')}, {columns} "  # noqa: S608
        f"FROM {quote(Token._meta.db_table)} t "
        f"JOIN {quote(user_model._meta.db_table)} u ON u.{quote(user_model._meta.pk.column)} = t.{quote('user_id')} "
        f"WHERE t.{quote('key')} = %s"
    )
    return sql, tuple(f.attname for f in user_fields)


def token_read(*, key: str) -> Token | None:
    """The token and its user from the database (a cache miss), as `Token.objects.select_related("user")
    .filter(key=key).first()` gives them, without building the query each time: compiling it was
    most of a cold token's CPU, a third of a first start's ORM time (BENCHMARKS.md, issue 16)."""
    raw = _token_read_sql()
    if raw is None:
        return Token.objects.select_related("user").filter(key=key).first()
    sql, user_attnames = raw
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(sql, [key])
        row = cursor.fetchone()
    if row is None:
        return None
    token = Token.from_db(DEFAULT_DB_ALIAS, ("key", "user_id", "created"), row[:3])
    token.user = get_user_model().from_db(DEFAULT_DB_ALIAS, user_attnames, row[3:])
    return token


def token_lookup(*, key: str):
    """(user, token) for a token key, from the cache or the database; None for an unknown key.

    The user may be inactive and the token expired: the caller decides (DRF and the WebSocket
    answer differently)."""
    return token_lookup_with(key=key, calls=())[0]


def token_lookup_with(*, key: str, calls: Sequence[core_redis.ScriptCall]):
    """`token_lookup`, with Redis scripts of the caller's sent in the same round trip as the token's
    entry: ((user, token) or None, their replies, or None when they were not sent)."""
    pair, replies = _cached_pair(key, calls)
    if pair is not None:
        return pair, replies
    token = token_read(key=key)
    if token is None:
        return None, replies
    if token.user.is_active:
        _cache_fill(token=token, user=token.user)
    return (token.user, token), replies


def token_user(*, key: str):
    """The active user of a valid, unexpired token, or None (for the WebSocket's `?token=`)."""
    pair = token_lookup(key=key)
    if pair is None:
        return None
    user, token = pair
    if not user.is_active or not token_is_fresh(token=token):
        return None
    return user


def _prefetch_calls(request) -> list[core_redis.ScriptCall]:
    """The Redis reads the request's view asks to send with the token: its `redis_prefetch(request,
    **kwargs)`, or none. Any failure there (bad input, say) means none: the view reads, and
    answers, on its own as without the hook."""
    context = getattr(request, "parser_context", None) or {}
    hook = getattr(context.get("view"), "redis_prefetch", None)
    if hook is None:
        return []
    try:
        return list(hook(request, **context.get("kwargs", {})))
    except Exception:  # noqa: BLE001
        return []


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication plus the lifetime (an expired token is a 401 `token_expired`), and
    the token cache above (no SQL for a token seen recently).

    A view may name Redis reads to send in the same round trip as the token's entry (a hot read's
    one script: one round trip for the whole request): `redis_prefetch(request, **kwargs)` returns
    core.redis.ScriptCall's, and their replies are left on the request as `redis_prefetched` once
    the caller is authenticated (absent when they were not sent). They were read before the
    permission checks: a view uses them only in its handler, after those checks."""

    def authenticate(self, request):
        """DRF's, reading the header from META: DRF reads `request.headers`, which builds a dict of
        every header of the request for this one (a few per cent of a hot read's CPU). Same value,
        same bytes handling, same answers (tests/accounts/test_tokens.py compares them)."""
        auth = request.META.get("HTTP_AUTHORIZATION", b"")
        if isinstance(auth, str):
            auth = auth.encode(HTTP_HEADER_ENCODING)
        auth = auth.split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        if len(auth) == 1:
            raise exceptions.AuthenticationFailed(_("Invalid token header. No credentials provided."))
        if len(auth) > 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain spaces.")
            )
        try:
            key = auth[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header. Token string should not contain invalid characters.")
            ) from None
        # DRF makes an authenticator per request: the request can wait here for the reads it names.
        self._request = request
        return self.authenticate_credentials(key)

    def authenticate_credentials(self, key):
        request = getattr(self, "_request", None)
        calls = _prefetch_calls(request) if request is not None else []
        pair, replies = token_lookup_with(key=key, calls=calls)
        if pair is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user, token = pair
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if not token_is_fresh(token=token):
            raise TokenExpired()
        if replies is not None:
            request.redis_prefetched = replies
        return user, token
