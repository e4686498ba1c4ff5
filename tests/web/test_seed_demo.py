import io

import pytest
from django.core import serializers
from django.core.management import call_command

from accounts.models import Industry, Organization, Region, User

pytestmark = pytest.mark.django_db


def _snapshot() -> str:
    rows = [
        *Region.objects.order_by("code"),
        *Industry.objects.order_by("code"),
        *Organization.objects.order_by("id"),
        *User.objects.order_by("username"),
    ]
    return serializers.serialize("json", rows, fields=None)


def test_seed_demo_twice_leaves_the_same_data():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    first = _snapshot()

    call_command("seed_demo", stdout=io.StringIO())

    assert _snapshot() == first
    assert Region.objects.filter(level="county").count() == 8
    assert Region.objects.get(code="622926").name_zh == "东乡族自治县"
    assert Region.objects.get(code="622927").name_en == "Jishishan Autonomous County"
    assert Organization.objects.count() == 40
    assert "organizer_linxia" in out.getvalue() and "Safety@2026" in out.getvalue()


def test_demo_accounts_can_log_in(api_client):
    call_command("seed_demo", stdout=io.StringIO())

    response = api_client.post(
        "/api/v1/auth/token/", {"username": "zhangsan", "password": "Safety@2026"}, format="json"
    )

    assert response.status_code == 200
    organizer = User.objects.get(username="organizer_linxia")
    assert organizer.scope_region.code == "622901"
