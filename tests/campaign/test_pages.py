"""Organizer pages under /campaign/, the admin views, and the notice on the home page."""

import re
from decimal import Decimal

import pytest
from django.test import Client

from campaign.models import Bulletin, Notice
from campaign.services import reminder_issue
from quiz.models import Competition

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page(campaign, name: str) -> str:
    suffix = {"statistics": "", "lagging": "lagging/", "bulletins": "bulletins/", "items": "items/"}[name]
    return f"/campaign/competitions/{campaign.competition.pk}/{suffix}"


def test_anonymous_is_sent_to_login_and_participant_is_refused(campaign):
    response = Client().get(page(campaign, "statistics"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]

    for name in ("statistics", "lagging", "bulletins", "items"):
        assert logged_in(campaign.people.u1).get(page(campaign, name)).status_code == 403, name


def test_statistics_page_shows_the_organizers_units_only_with_charts(campaign):
    response = logged_in(campaign.organizer_a).get(page(campaign, "statistics"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "A School" in html and "A Office" in html
    assert "B School" not in html and "乙县" not in html
    assert "vendor/echarts/echarts.min.js" in html
    assert 'id="trend-data"' in html
    # A: 3 people of 20 -> 15.0%
    assert re.search(r'data-kpi="rate">\s*15\.0%', html)


def test_organizer_cannot_open_another_countys_page(campaign):
    response = logged_in(campaign.organizer_a).get(
        page(campaign, "statistics"), {"region": campaign.county_b.pk}
    )

    assert response.status_code == 403


def test_lagging_page_lists_units_and_sends_a_reminder(campaign):
    client = logged_in(campaign.organizer_a)
    response = client.get(page(campaign, "lagging"), {"threshold": "30"})
    html = response.content.decode()
    assert response.status_code == 200
    # below 30% in A: A Site (20%) and A Office (0%); A School (50%) is not listed.
    table = html.split('id="lagging-table"')[1].split("</table>")[0]
    assert "A Site" in table and "A Office" in table and "A School" not in table

    response = client.post(
        page(campaign, "lagging") + "?threshold=30",
        {"organizations": [campaign.units.a_site.pk], "threshold": "40", "message": "请尽快组织答题"},
    )
    assert response.status_code == 302
    notice = Notice.objects.get()
    assert (notice.organization, notice.reminder.threshold) == (campaign.units.a_site, Decimal("0.4"))
    history = client.get(page(campaign, "lagging")).content.decode().split('id="history-table"')[1]
    assert "A Site" in history


def test_bulletin_pages_issue_and_show_the_frozen_ranking(campaign):
    client = logged_in(campaign.admin)
    response = client.post(page(campaign, "bulletins"), {"title": "第一期通报", "ranked_by": "points"})

    bulletin = Bulletin.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaign/bulletins/{bulletin.pk}/"
    html = client.get(response["Location"]).content.decode()
    units = html.split('id="bulletin-units"')[1]
    # by points: A School 60 first, B School 40 second.
    assert units.index("A School") < units.index("B School")
    assert f"/api/v1/bulletins/{bulletin.pk}/export/?format=xlsx" in html


def test_item_analysis_page_lists_questions_hardest_first(campaign):
    campaign.competition.publication = Competition.Publication.CLOSED
    campaign.competition.save(update_fields=["publication"])
    html = logged_in(campaign.admin).get(page(campaign, "items")).content.decode()

    table = html.split('id="question-table"')[1]
    assert table.index("Q1 fire") < table.index("Q3 traffic")
    assert "c1" in table  # Q1's most chosen wrong option
    assert 'id="keys-hidden"' not in html


def test_item_analysis_page_of_an_open_competition_shows_no_answer_letters(campaign):
    html = logged_in(campaign.admin).get(page(campaign, "items")).content.decode()

    table = html.split('id="question-table"')[1].split("</table>")[0]
    assert 'id="keys-hidden"' in html
    assert "c1" not in table and ">AC</td>" not in table
    assert table.count(">—</td>") >= 8  # answer and wrong option of each of the 4 questions


def test_admin_shows_item_analysis_and_bulletin_export_link(campaign):
    from campaign.services import bulletin_issue

    bulletin = bulletin_issue(competition=campaign.competition, issued_by=campaign.admin, scope=None)
    campaign.admin.is_staff = True
    campaign.admin.save()
    client = logged_in(campaign.admin)

    analysis = client.get(f"/admin/campaign/competitionanalysis/{campaign.competition.pk}/change/")
    assert analysis.status_code == 200
    assert "Q1 fire" in analysis.content.decode()
    listing = client.get("/admin/campaign/bulletin/").content.decode()
    assert f"/api/v1/bulletins/{bulletin.pk}/export/?format=xlsx" in listing
    reminder_issue(
        competition=campaign.competition,
        issued_by=campaign.admin,
        organization_ids=[campaign.units.a_site.pk],
        threshold=Decimal("0.4"),
    )
    assert client.get("/admin/campaign/notice/").status_code == 200
    assert client.get("/admin/campaign/reminder/").status_code == 200


def test_home_page_shows_the_reminder_to_the_units_member(campaign):
    reminder_issue(
        competition=campaign.competition,
        issued_by=campaign.organizer_a,
        organization_ids=[campaign.units.a_site.pk],
        threshold=Decimal("0.4"),
        message="请尽快组织答题",
    )

    assert "请尽快组织答题" in logged_in(campaign.people.u3).get("/").content.decode()
    assert "请尽快组织答题" not in logged_in(campaign.people.u1).get("/").content.decode()
