"""The learning loop's pages (issue 18): the book with its practice button and tabs, the round pages,
my progress, weak topics on the result page, topic links on the competition page; and the whole loop
on a phone: wrong answer -> book -> practice -> mastered."""

import re

import pytest
from django.test import Client

from quiz.services import practice as practice_services
from tests.factories import AttemptFactory, CompetitionFactory, QuestionFactory
from tests.web.conftest import SECRET_EXPLANATION

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(participant) -> Client:
    client = Client()
    client.force_login(participant)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_book_offers_practice_and_counts_what_is_left(web, participant, competition):
    AttemptFactory(user=participant, competition=competition, correct=3, hook=False)
    html = _text(web.get("/me/wrong-answers/"))
    assert 'href="/me/wrong-answers/practice/"' in html
    assert "待练习（2）" in html and "已掌握（0）" in html
    mastered = _text(web.get("/me/wrong-answers/?status=mastered"))
    assert "还没有已掌握的题目" in mastered


def test_round_pages_hold_no_question_and_start_through_the_practice_api(web, competition):
    html = web.get("/me/wrong-answers/practice/").content.decode()
    assert '"startUrl": "/api/v1/me/wrong-answers/practice/"' in html
    assert '"isPractice": true' in html
    assert SECRET_EXPLANATION[:6] not in html
    topic = web.get(f"/competitions/{competition.pk}/practice/?category=消防安全").content.decode()
    assert (
        f'"startUrl": "/api/v1/competitions/{competition.pk}/practice/?category=%E6%B6%88%E9%98%B2%E5%AE%89%E5%85%A8"'
        in topic
    )
    unknown = web.get(f"/competitions/{competition.pk}/practice/?category=核安全")
    assert (unknown.status_code, unknown["Location"]) == (302, f"/competitions/{competition.pk}/")


def test_progress_page_lists_weak_topics_with_practice_links(web, participant, competition):
    AttemptFactory(user=participant, competition=competition, correct=3, hook=False)
    html = _text(web.get("/me/progress/"))
    assert "学习进度" in html
    assert "60% (3/5)" in html
    assert (
        f'href="/competitions/{competition.pk}/practice/?category=%E6%B6%88%E9%98%B2%E5%AE%89%E5%85%A8"'
        in html
    )
    assert 'data-testid="wrong-total">2<' in html and 'data-testid="mastered">0<' in html


def test_result_page_shows_weak_topics_and_a_round_result_offers_practising_again(
    web, participant, competition
):
    attempt = AttemptFactory(user=participant, competition=competition, correct=3, hook=False)
    html = _text(web.get(f"/attempts/{attempt.pk}/"))
    assert "我的薄弱专题" in html and "60% (3/5)" in html
    round_, _created = practice_services.practice_wrong_answers_start(user=participant)
    assert web.get(f"/attempts/{round_.pk}/")["Location"] == "/me/wrong-answers/practice/"
    web.post(f"/api/v1/attempts/{round_.pk}/submit/", {}, content_type="application/json")
    result = _text(web.get(f"/attempts/{round_.pk}/"))
    assert 'href="/me/wrong-answers/practice/" data-testid="practise-again"' in result
    assert "我的证书" not in result


def test_competition_page_offers_topics_drawable_now(web, competition):
    # The competition runs: its own questions are not practised; a practice bank's fire questions are.
    assert "专项练习" not in _text(web.get(f"/competitions/{competition.pk}/"))
    practice_question = QuestionFactory(stem="练习题：灭火器怎么用？")
    CompetitionFactory(banks=[practice_question.bank], is_practice=True)
    html = _text(web.get(f"/competitions/{competition.pk}/"))
    assert (
        f'href="/competitions/{competition.pk}/practice/?category=%E6%B6%88%E9%98%B2%E5%AE%89%E5%85%A8">消防安全</a>'
        in html
    )
