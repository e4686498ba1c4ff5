"""Words that mean two things show the right one where they appear (issue 15: the first app's
translation of a shared msgid used to win everywhere). tests/test_catalogues.py keeps the catalogues
from colliding again; these check the words people actually saw."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from quiz.models import Competition
from tests.factories import CompetitionFactory

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_item_analysis_admin_links_say_open_the_page_not_in_progress(linxia, competition):
    html = _text(_client(linxia["admin"]).get("/admin/campaign/competitionanalysis/"))

    assert f'/admin/campaign/competitionanalysis/{competition.pk}/change/">打开</a>' in html
    assert ">进行中</a>" not in html


def test_site_lists_a_past_competition_under_ended_and_the_admin_calls_it_closed(participant, competition):
    CompetitionFactory(
        title="去年的竞赛",
        banks=list(competition.banks.all()),
        starts_at=timezone.now() - timedelta(days=30),
        ends_at=timezone.now() - timedelta(days=20),
    )

    html = _text(_client(participant).get("/competitions/"))

    assert "<h2>已结束</h2>" in html
    assert "已关闭" not in html
    assert Competition.Publication.CLOSED.label == "已关闭"


def test_site_leaderboard_heads_its_first_column_with_place(participant, competition):
    html = _text(_client(participant).get(f"/competitions/{competition.pk}/leaderboard/"))

    assert '<th scope="col">名次</th>' in html
