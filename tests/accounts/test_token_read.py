"""A cold token's database read (core/tokens.token_read) gives what the ORM gives.

On PostgreSQL the read is one SELECT written once and loaded with `from_db`; everywhere else (and
for a field that converts its database value) it is the ORM's `select_related("user")` itself.
Compared field for field with the ORM over users with and without unit, industry, scope, last
log-in, a deactivated one and a superuser, on both tiers.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from core.tokens import _token_read_sql, token_read
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _values(instance) -> dict:
    values = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
    return {**values, "_state": (instance._state.db, instance._state.adding)}


@pytest.fixture
def people(linxia):
    units = list(linxia["units"].values())
    plain = UserFactory(region=linxia["dongxiang"])
    full = UserFactory(
        region=linxia["linxia_city"],
        organization=units[0],
        phone="13800000000",
        last_login=timezone.now() - timedelta(days=3, microseconds=7),
    )
    inactive = UserFactory(region=linxia["dongxiang"], is_active=False)
    organizer = UserFactory(
        region=linxia["prefecture"], role=User.Role.ORGANIZER, scope_region=linxia["prefecture"]
    )
    return [plain, full, inactive, organizer, linxia["admin"]]


def test_the_read_gives_the_orm_s_token_and_user_field_for_field(people):
    for user in people:
        key = Token.objects.get_or_create(user=user)[0].key
        expected = Token.objects.select_related("user").filter(key=key).first()

        got = token_read(key=key)

        assert _values(got) == _values(expected)
        assert _values(got.user) == _values(expected.user)
        assert got.created.tzinfo is not None and got.user.is_active is expected.user.is_active
        assert got.user.check_password("Safety@2026") == expected.user.check_password("Safety@2026")


def test_an_unknown_key_is_none(people):
    assert token_read(key="0" * 40) is None
    assert token_read(key="") is None


def test_one_statement_and_raw_on_postgresql_only(people):
    key = Token.objects.get_or_create(user=people[1])[0].key
    with CaptureQueriesContext(connection) as queries:
        token_read(key=key)
    assert len(queries) == 1
    is_raw = _token_read_sql() is not None
    assert is_raw == (connection.vendor == "postgresql")
    if is_raw:
        assert "ORDER BY" not in queries[0]["sql"]  # not the ORM's first()
