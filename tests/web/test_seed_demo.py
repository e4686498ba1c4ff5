import io

import pytest
from django.core import serializers
from django.core.management import call_command

from accounts.models import Industry, Organization, Region, User
from quiz.models import Attempt, Participation

pytestmark = pytest.mark.django_db


def _snapshot() -> str:
    rows = [
        *Region.objects.order_by("code"),
        *Industry.objects.order_by("code"),
        *Organization.objects.order_by("id"),
        *User.objects.order_by("username"),
        *Attempt.objects.order_by("id"),
        *Participation.objects.order_by("id"),
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


def test_demo_answers_fill_every_county_for_the_prefecture_organizer(make_client):
    """Issue 15: on a fresh `make run` the prefecture organizer's dashboard shows eight counties with
    answers, the county organizer one, and the campaign pages have figures and lagging units."""
    call_command("seed_demo", stdout=io.StringIO())
    competition = Attempt.objects.values_list("competition_id", flat=True).first()
    prefecture = make_client(User.objects.get(username="organizer_prefecture"))
    county = make_client(User.objects.get(username="organizer_linxia"))

    stats = prefecture.get(f"/api/v1/competitions/{competition}/stats/").json()
    days = prefecture.get(f"/api/v1/competitions/{competition}/statistics/?by=day").json()["rows"]
    lagging = prefecture.get(f"/api/v1/competitions/{competition}/lagging-units/?threshold=0.6").json()
    units = prefecture.get(f"/api/v1/competitions/{competition}/statistics/?by=organization").json()["rows"]

    assert User.objects.get(username="organizer_prefecture").scope_region.code == "622900"
    assert len(stats["regions"]) == 8
    assert all(region["participants"] > 0 for region in stats["regions"])
    assert len({region["participants"] for region in stats["regions"]}) > 4  # the counties rank apart
    assert 100 <= Attempt.objects.count() <= 400  # `make run` stays quick
    assert sum(1 for day in days if day["participants"] > 0) >= 5
    # The targets fit the crowd: at the usual 60 % some units are through and most still lag.
    assert 8 <= sum(1 for unit in units if unit["participation_rate"] >= 0.6) <= 20
    assert 20 <= len(lagging) <= 32
    assert [
        r["code"] for r in county.get(f"/api/v1/competitions/{competition}/stats/").json()["regions"]
    ] == ["622901"]
