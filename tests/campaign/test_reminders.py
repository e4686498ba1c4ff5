"""Lagging units, reminders, the notices on members' home pages and the reminder history.

Unit rates on the fixture campaign: A School 2/4 = 0.5, A Site 1/5 = 0.2, A Office 0/11 = 0,
B School 2/2 = 1.0, B Depot 0/3 = 0.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from campaign.models import Notice
from campaign.selectors import lagging_units, notices_for_user, reminder_history
from campaign.services import reminder_issue
from core.errors import ApplicationError
from tests.campaign.helpers import make_attempt
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def names(rows) -> list[str]:
    return [row["name"] for row in rows]


def test_units_below_the_threshold_lag(campaign):
    rows = lagging_units(competition=campaign.competition, scope=None, threshold=Decimal("0.3"))

    # below 0.3: A Site 0.2, A Office 0, B Depot 0 (A School 0.5 and B School 1.0 are fine).
    assert sorted(names(rows)) == ["A Office", "A Site", "B Depot"]
    assert all(row["below_threshold"] and not row["in_bottom"] for row in rows)


def test_bottom_n_of_each_county_lag(campaign):
    rows = lagging_units(competition=campaign.competition, scope=None, bottom=1)

    # A by rate from the lowest: A Office 0 (1st), A Site 0.2, A School 0.5; B: B Depot 0 (1st), B School.
    assert names(rows) == ["A Office", "B Depot"]
    office = rows[0]
    assert (office["county_place"], office["county_units"], office["in_bottom"]) == (1, 3, True)


def test_either_rule_makes_a_unit_lag(campaign):
    rows = lagging_units(competition=campaign.competition, scope=None, threshold=Decimal("0.6"), bottom=1)

    # below 0.6: A School 0.5, A Site, A Office, B Depot; bottom 1: A Office, B Depot. B School (1.0) is not.
    assert names(rows) == ["A Office", "A Site", "A School", "B Depot"]
    flags = {row["name"]: (row["below_threshold"], row["in_bottom"]) for row in rows}
    assert flags["A School"] == (True, False)
    assert flags["A Office"] == (True, True)


def test_lagging_units_stay_in_the_organizers_county(campaign):
    rows = lagging_units(competition=campaign.competition, scope=campaign.county_b, threshold=Decimal("0.5"))

    assert names(rows) == ["B Depot"]


def remind(campaign, *units, threshold="0.4", by=None, **extra):
    return reminder_issue(
        competition=campaign.competition,
        issued_by=by or campaign.organizer_a,
        organization_ids=[u.pk for u in units],
        threshold=Decimal(threshold),
        message="请组织职工参加答题",
        **extra,
    )


def test_reminder_records_each_unit_with_its_numbers_at_that_time(campaign):
    u = campaign.units
    reminder = remind(campaign, u.a_site, u.a_office)

    notices = {n.organization.name: n for n in Notice.objects.filter(reminder=reminder)}
    assert {k: (n.participants_at_issue, n.target_at_issue) for k, n in notices.items()} == {
        "A Site": (1, 5),
        "A Office": (0, 11),
    }
    assert reminder.issued_by == campaign.organizer_a
    assert reminder.expires_at == campaign.competition.ends_at
    assert reminder.threshold == Decimal("0.4")


def test_organizer_cannot_remind_another_countys_unit_and_nothing_is_written(campaign):
    u = campaign.units
    with pytest.raises(ApplicationError) as caught:
        remind(campaign, u.a_site, u.b_depot)

    assert caught.value.code == "invalid_units"
    assert len(caught.value.errors) == 1
    assert str(u.b_depot.pk) in caught.value.errors[0]["message"]
    assert Notice.objects.count() == 0


def test_reminder_rejects_a_rate_above_one(campaign):
    with pytest.raises(ApplicationError) as caught:
        remind(campaign, campaign.units.a_site, threshold="1.5")
    assert caught.value.errors[0]["field"] == "threshold"


def test_notice_is_shown_to_the_units_members_and_contact_only(campaign):
    u, p = campaign.units, campaign.people
    remind(campaign, u.a_site)
    contact = UserFactory(phone="13800000005", organization=None, region=campaign.county_a)

    shown = notices_for_user(user=p.u3)
    # A Site: 1 of 5 = 0.2; the target 0.4 x 5 = 2 people, so one more is needed.
    assert [
        (n["organization"]["name"], n["participants"], n["headcount_target"], n["needed"]) for n in shown
    ] == [("A Site", 1, 5, 1)]
    assert shown[0]["message"] == "请组织职工参加答题"
    assert [n["organization"]["name"] for n in notices_for_user(user=contact)] == ["A Site"]
    assert notices_for_user(user=p.u1) == []  # A School was not reminded


def test_notice_disappears_once_the_unit_catches_up_and_history_shows_the_move(campaign):
    u = campaign.units
    remind(campaign, u.a_site)
    newcomer = UserFactory(region=campaign.town_a, organization=u.a_site)
    assert len(notices_for_user(user=newcomer)) == 1

    make_attempt(
        user=newcomer,
        competition=campaign.competition,
        day=timezone.localdate(),
        answers=[(campaign.questions.q1, "B")],
        submitted_at=timezone.now(),
    )

    # A Site: 2 of 5 = 0.4, the threshold: caught up, the notice is gone for every member.
    assert notices_for_user(user=newcomer) == []
    assert notices_for_user(user=campaign.people.u3) == []
    [entry] = reminder_history(competition=campaign.competition, scope=campaign.county_a)
    assert (entry["participants_at_issue"], entry["participants_now"], entry["gained"]) == (1, 2, 1)
    assert (entry["rate_at_issue"], entry["rate_now"], entry["caught_up"], entry["active"]) == (
        0.2,
        0.4,
        True,
        False,
    )
    assert entry["issued_by"]["id"] == campaign.organizer_a.pk


def test_expired_notice_is_not_shown(campaign):
    reminder = remind(campaign, campaign.units.a_site)
    reminder.expires_at = timezone.now() - timedelta(seconds=1)
    reminder.save(update_fields=["expires_at"])

    assert notices_for_user(user=campaign.people.u3) == []


def test_latest_reminder_wins_for_a_unit(campaign):
    remind(campaign, campaign.units.a_site, threshold="0.4")
    remind(campaign, campaign.units.a_site, threshold="0.8")

    [notice] = notices_for_user(user=campaign.people.u3)
    # 0.8 x 5 = 4 people, 1 so far -> 3 more.
    assert (notice["threshold"], notice["needed"]) == (0.8, 3)


def test_history_is_scoped_to_the_organizers_county(campaign):
    remind(campaign, campaign.units.a_site)
    remind(campaign, campaign.units.b_depot, by=campaign.organizer_b)

    assert [
        e["organization"]["name"]
        for e in reminder_history(competition=campaign.competition, scope=campaign.county_b)
    ] == ["B Depot"]
    assert len(reminder_history(competition=campaign.competition, scope=None)) == 2


def test_lagging_list_marks_units_already_reminded(campaign):
    remind(campaign, campaign.units.a_site)
    rows = {
        r["name"]: r
        for r in lagging_units(competition=campaign.competition, scope=None, threshold=Decimal("0.3"))
    }

    assert rows["A Site"]["reminded_at"] is not None
    assert rows["A Office"]["reminded_at"] is None


def test_home_page_tag_renders_the_notice_for_a_member(campaign):
    remind(campaign, campaign.units.a_site)
    request = RequestFactory().get("/")
    request.user = campaign.people.u3

    html = Template("{% load campaign_tags %}{% user_notices %}").render(Context({"request": request}))
    assert "A Site" in html
    assert "请组织职工参加答题" in html

    request.user = campaign.people.u1
    assert "A Site" not in Template("{% load campaign_tags %}{% user_notices %}").render(
        Context({"request": request})
    )


def test_web_notices_partial_renders_the_notice(campaign):
    remind(campaign, campaign.units.a_site)
    request = RequestFactory().get("/")
    request.user = campaign.people.u3

    html = render_to_string("web/_notices.html", {"request": request, "user": request.user})
    assert "请组织职工参加答题" in html
