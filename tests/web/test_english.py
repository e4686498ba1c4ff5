"""English counts and one date format per language (issue 15: "among 1 participants", and dates as
"June 1, 2026, 2:05 p.m." on one page beside "06/01/2026 2:05 p.m." on the next)."""

import re
from datetime import datetime

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, translation
from django.utils import timezone as tz

from tests.factories import AttemptFactory

pytestmark = pytest.mark.django_db

SHANGHAI = tz.get_fixed_timezone(8 * 60)


def _client(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_result_page_says_among_1_participant_in_english(participant, competition):
    attempt = AttemptFactory(user=participant, competition=competition, correct=4, hook=False)

    html = _text(_client(participant, "en").get(f"/attempts/{attempt.pk}/"))

    assert "40 points in total, among 1 participant." in html


def test_competition_page_counts_points_in_english(participant, competition):
    competition.pass_mark = 1
    competition.speed_bonus_max_points = 1
    competition.save()

    html = _text(_client(participant, "en").get(f"/competitions/{competition.pk}/"))

    assert "1 point (a certificate)" in html
    assert "up to 1 bonus point for speed" in html


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "2026年6月1日 14:05"), ("en", "1 Jun 2026 14:05")]
)
def test_one_date_format_per_language_long_and_short(language, expected):
    moment = datetime(2026, 6, 1, 14, 5, tzinfo=SHANGHAI)
    with translation.override(language), tz.override("Asia/Shanghai"):
        assert formats.date_format(tz.localtime(moment), "DATETIME_FORMAT") == expected
        assert formats.date_format(tz.localtime(moment), "SHORT_DATETIME_FORMAT") == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("zh-hans", "2026年6月1日 14:05"), ("en", "1 Jun 2026 14:05")]
)
def test_competition_page_and_home_card_show_the_same_date_format(
    participant, competition, language, expected
):
    competition.starts_at = datetime(2026, 6, 1, 14, 5, tzinfo=SHANGHAI)
    competition.save()
    client = _client(participant, language)

    detail = _text(client.get(f"/competitions/{competition.pk}/"))
    listing = _text(client.get("/competitions/"))

    assert f"<dd>{expected}</dd>" in detail
    assert f'<span class="nowrap">{expected}</span>' in listing
