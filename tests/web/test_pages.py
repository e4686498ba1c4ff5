"""The citizen site's server-rendered pages, through Django's test client."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from quiz.models import Attempt, AttemptItem
from quiz.services import attempts as attempt_services
from tests.factories import AttemptFactory, CompetitionFactory, UserFactory
from tests.web.conftest import SECRET_EXPLANATION

pytestmark = pytest.mark.django_db


@pytest.fixture
def web(participant) -> Client:
    client = Client()
    client.force_login(participant)
    return client


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- layout and language -------------------------------------------------------------------------


def test_pages_are_simplified_chinese_by_default_with_lang_zh_hans(client, linxia):
    response = client.get("/")

    html = _text(response)
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert "安全知识竞赛" in html
    assert 'href="/static/web/site.css"' in html


def test_language_switch_sets_english_and_lang_en(client, linxia):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/competitions/"}, follow=True)

    html = _text(response)
    assert response.redirect_chain[-1][0] == "/competitions/"
    assert '<html lang="en">' in html
    assert "Safety knowledge competition" in html
    assert "安全知识竞赛" not in html


def test_home_lists_open_competitions_but_not_drafts_or_closed(client, competition):
    CompetitionFactory(title="草稿竞赛", publication="draft", banks=[])
    CompetitionFactory(
        title="已结束竞赛",
        starts_at=timezone.now() - timedelta(days=9),
        ends_at=timezone.now() - timedelta(days=2),
    )

    html = _text(client.get("/"))

    assert competition.title in html
    assert "草稿竞赛" not in html
    assert "已结束竞赛" not in html


def test_home_shows_my_points_rank_and_county_standing(web, participant, competition, linxia):
    AttemptFactory(user=participant, competition=competition, correct=4, hook=False)
    rival = UserFactory(region=linxia["dongxiang"])
    AttemptFactory(user=rival, competition=competition, correct=5, hook=False)

    html = _text(web.get("/"))

    # 40 points, second behind the rival's 50; Linxia City second of eight counties.
    assert re.search(r"我的积分</dt><dd>40</dd>", html)
    assert re.search(r"我的排名</dt><dd>2</dd>", html)
    assert "临夏市</strong> 在 8 个县市中排第 2 名" in html


def test_home_says_when_nobody_of_my_county_has_answered(web, competition, linxia):
    AttemptFactory(
        user=UserFactory(region=linxia["dongxiang"]), competition=competition, correct=5, hook=False
    )

    html = _text(web.get("/"))

    assert "临夏市还没有人答题" in html
    assert "排第" not in html


def test_home_renders_the_notices_include(web, competition):
    response = web.get("/")

    assert "web/_notices.html" in [t.name for t in response.templates]


def test_competition_list_and_drafts_are_404_for_citizens(client, competition):
    draft = CompetitionFactory(title="草稿竞赛", publication="draft", banks=[])

    assert competition.title in _text(client.get("/competitions/"))
    assert client.get(f"/competitions/{draft.pk}/").status_code == 404


# --- register and log in --------------------------------------------------------------------------


def _register_form(linxia, **overrides) -> dict:
    county = linxia["linxia_city"]
    unit = county.organizations.order_by("id").first()
    data = {
        "display_name": "王小明",
        "username": "xiaoming",
        "phone": "",
        "region": county.pk,
        "organization": unit.pk,
        "industry": "",
        "password": "Anquan#2026",
        "password_confirm": "Anquan#2026",
    }
    data.update(overrides)
    return data


def test_register_page_offers_the_eight_counties_not_the_prefecture(client, linxia):
    html = _text(client.get("/accounts/register/"))

    for county in linxia["counties"].values():
        assert f">{county.name_zh}</option>" in html
    assert ">临夏回族自治州</option>" not in html


def test_register_creates_participant_with_unit_industry_and_logs_in(client, linxia):
    response = client.post("/accounts/register/", _register_form(linxia))

    user = User.objects.get(username="xiaoming")
    assert response.status_code == 302 and response["Location"] == "/"
    assert user.region == linxia["linxia_city"]
    assert user.organization.region == linxia["linxia_city"]
    assert user.industry == user.organization.industry
    assert user.role == User.Role.PARTICIPANT
    assert client.get("/").wsgi_request.user == user


def test_register_refuses_a_unit_of_another_county_and_writes_nothing(client, linxia):
    other_unit = linxia["dongxiang"].organizations.order_by("id").first()

    response = client.post("/accounts/register/", _register_form(linxia, organization=other_unit.pk))

    assert response.status_code == 200
    assert not User.objects.filter(username="xiaoming").exists()
    assert (
        "Select a valid choice" in response.content.decode()
        or "选择一个有效的选项" in response.content.decode()
    )


def test_register_shows_the_services_field_errors(client, linxia):
    response = client.post("/accounts/register/", _register_form(linxia, username="zhangsan"))

    html = _text(response)
    assert response.status_code == 200
    assert 'id="id_username_error"' in html
    assert 'aria-invalid="true"' in html
    assert User.objects.filter(username="zhangsan").count() == 1


def test_register_shows_every_fields_error_in_one_submit(client, linxia):
    """Issue 15: a missing county hid the taken username, the bad phone and the weak password."""
    response = client.post(
        "/accounts/register/",
        _register_form(
            linxia,
            username="zhangsan",
            phone="12345",
            region="",
            organization="",
            password="12345678",
            password_confirm="12345678",
        ),
    )

    html = _text(response)
    assert response.status_code == 200
    for field in ("username", "phone", "region", "password"):
        assert f'id="id_{field}_error"' in html, field
    assert '<ul class="errorlist" id="id_username_error"><li>已存在一位使用该名字的用户。</li></ul>' in html
    assert "<li>请输入有效的中国大陆手机号（以 1 开头的 11 位数字）。</li>" in html
    assert "<li>这个密码太常见了。</li><li>密码只包含数字。</li>" in html
    assert User.objects.filter(username="zhangsan").count() == 1


def test_register_unit_box_asks_for_the_county_first(client, linxia):
    html = _text(client.get("/accounts/register/"))

    assert '<option value="" selected>请先选择县市</option>' in html
    assert 'data-units-county-first="请先选择县市"' in html
    assert "该县市暂无登记的单位" not in html.split('data-units-none="')[0]


def test_register_refuses_two_different_passwords(client, linxia):
    response = client.post("/accounts/register/", _register_form(linxia, password_confirm="Anquan#2027"))

    assert "两次输入的密码不一致" in _text(response)
    assert not User.objects.filter(username="xiaoming").exists()


def test_register_unit_choices_follow_the_posted_county(client, linxia):
    response = client.post("/accounts/register/", _register_form(linxia, password_confirm="x"))

    html = _text(response)
    assert all(f">{u.name}</option>" in html for u in linxia["linxia_city"].organizations.all())
    assert not any(f">{u.name}</option>" in html for u in linxia["dongxiang"].organizations.all())


def test_login_form_logs_in_and_redirects_to_next(client, linxia):
    response = client.post(
        "/accounts/login/", {"username": "zhangsan", "password": "Safety@2026", "next": "/me/attempts/"}
    )

    assert response.status_code == 302 and response["Location"] == "/me/attempts/"


def test_login_refuses_an_offsite_next(client, linxia):
    response = client.post(
        "/accounts/login/",
        {"username": "zhangsan", "password": "Safety@2026", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/"


def test_failed_logins_are_limited_per_address(client, linxia, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": "3/min"}}
    for _ in range(3):
        assert (
            client.post("/accounts/login/", {"username": "zhangsan", "password": "wrong"}).status_code == 200
        )

    blocked = client.post("/accounts/login/", {"username": "zhangsan", "password": "Safety@2026"})

    assert blocked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_needs_post_and_logs_out(web):
    assert web.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in web.session


# --- competition and answering page -----------------------------------------------------------------


def test_competition_page_shows_rules_and_attempts_left_today(web, participant, competition):
    AttemptFactory(user=participant, competition=competition, correct=1, hook=False)

    html = _text(web.get(f"/competitions/{competition.pk}/"))

    assert "今天还可以答题 2 次" in html
    assert "每次 5 道题" in html
    assert "及格分" in html
    assert f'href="/competitions/{competition.pk}/answer/"' in html


def test_competition_page_offers_resume_for_a_running_attempt(web, participant, competition):
    attempt_services.attempt_start(user=participant, competition=competition)

    html = _text(web.get(f"/competitions/{competition.pk}/"))

    assert "继续答题" in html


def test_competition_page_says_when_todays_attempts_are_used(web, participant, competition):
    for _ in range(3):
        AttemptFactory(user=participant, competition=competition, correct=0, hook=False)

    html = _text(web.get(f"/competitions/{competition.pk}/"))

    assert "今天的答题次数已用完" in html
    assert f'href="/competitions/{competition.pk}/answer/"' not in html


def test_answering_page_needs_login(client, competition):
    response = client.get(f"/competitions/{competition.pk}/answer/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_answering_page_source_holds_no_question_answer_or_explanation(
    web, participant, competition, quiz_bank
):
    attempt, _ = attempt_services.attempt_start(user=participant, competition=competition)
    attempt_services.attempt_save_answer(
        user=participant, attempt_id=attempt.pk, question_id=quiz_bank[0].pk, selected=["B"]
    )

    html = web.get(f"/competitions/{competition.pk}/answer/").content.decode()

    assert "quiz-config" in html
    for question in quiz_bank:
        assert question.stem not in html
        assert question.explanation not in html
    assert "解析" not in html
    assert '"correct"' not in html and '"answer"' not in html


def test_answering_page_of_a_closed_competition_sends_back_to_its_page(web, competition):
    competition.ends_at = timezone.now() - timedelta(minutes=1)
    competition.starts_at = timezone.now() - timedelta(days=2)
    competition.save()

    response = web.get(f"/competitions/{competition.pk}/answer/")

    assert response.status_code == 302 and response["Location"] == f"/competitions/{competition.pk}/"


# --- result, review, history, wrong answers ---------------------------------------------------------


def test_result_shows_score_correct_count_rank_and_review_with_explanations(web, participant, competition):
    attempt = AttemptFactory(user=participant, competition=competition, correct=3, hook=False)

    html = _text(web.get(f"/attempts/{attempt.pk}/"))

    assert '<p class="score" data-testid="score">30<small>分</small></p>' in html
    assert 'data-testid="correct-count">3/5<' in html
    assert 'data-testid="rank">1<' in html
    assert html.count('data-testid="review-item"') == 5
    assert html.count("review-item is-wrong") == 2
    for n in range(1, 6):
        assert SECRET_EXPLANATION.format(n=n) in html
    assert f'href="/attempts/{attempt.pk}/certificate/"' in html  # 30 reaches the pass mark


def test_result_of_a_running_attempt_redirects_to_answering(web, participant, competition):
    attempt, _ = attempt_services.attempt_start(user=participant, competition=competition)

    response = web.get(f"/attempts/{attempt.pk}/")

    assert response.status_code == 302 and response["Location"] == f"/competitions/{competition.pk}/answer/"
    assert SECRET_EXPLANATION.format(n=1) not in response.content.decode()


def test_result_of_an_overdue_attempt_scores_it_as_it_stood(
    web, participant, competition, quiz_bank, settings
):
    settings.ATTEMPT_GRACE_SECONDS = 0
    attempt, _ = attempt_services.attempt_start(
        user=participant, competition=competition, now=timezone.now() - timedelta(minutes=11)
    )
    attempt_services.attempt_save_answer(
        user=participant,
        attempt_id=attempt.pk,
        question_id=quiz_bank[0].pk,
        selected=["B"],
        now=timezone.now() - timedelta(minutes=10, seconds=30),
    )

    html = _text(web.get(f"/attempts/{attempt.pk}/"))

    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.SUBMITTED and attempt.score == 10
    assert 'data-testid="score">10<' in html


def test_someone_elses_attempt_is_404(web, competition, linxia):
    stranger = UserFactory(region=linxia["dongxiang"])
    attempt = AttemptFactory(user=stranger, competition=competition, correct=5, hook=False)

    assert web.get(f"/attempts/{attempt.pk}/").status_code == 404
    assert web.get(f"/attempts/{attempt.pk}/certificate.png").status_code == 404


def test_history_lists_my_attempts_newest_first(web, participant, competition):
    AttemptFactory(user=participant, competition=competition, correct=1, hook=False)
    AttemptFactory(user=participant, competition=competition, correct=4, hook=False)

    html = _text(web.get("/me/attempts/"))

    assert html.count('data-testid="history-row"') == 2
    assert html.index("<dd>40</dd>") < html.index("<dd>10</dd>")


def test_wrong_answer_book_lists_wrong_questions_with_answers_and_explanations(web, participant, competition):
    attempt = AttemptFactory(user=participant, competition=competition, correct=3, hook=False)
    wrong = list(AttemptItem.objects.filter(attempt=attempt, is_correct=False))

    html = _text(web.get("/me/wrong-answers/"))

    assert html.count('data-testid="review-item"') == 2
    for item in wrong:
        assert item.stem in html
        assert item.explanation in html


# --- leaderboard ---------------------------------------------------------------------------------


def test_leaderboard_highlights_my_row_among_individuals(web, participant, competition, linxia):
    AttemptFactory(
        user=UserFactory(region=linxia["dongxiang"], display_name="马五"),
        competition=competition,
        correct=5,
        hook=False,
    )
    AttemptFactory(user=participant, competition=competition, correct=2, hook=False)

    html = _text(web.get(f"/competitions/{competition.pk}/leaderboard/"))

    rows = re.findall(
        r"<tr( class=\"is-me\" aria-current=\"true\")?> <td><span class=\"rank[^\"]*\">(\d+)</span></td> <td>([^<]+)",
        html,
    )
    assert [(bool(me), int(rank), name.strip()) for me, rank, name in rows] == [
        (False, 1, "马五"),
        (True, 2, participant.display_name),
    ]


@pytest.mark.parametrize("scope", ["region", "organization"])
def test_leaderboard_highlights_my_county_and_my_unit(web, participant, competition, linxia, scope):
    AttemptFactory(
        user=UserFactory(region=linxia["dongxiang"], organization=linxia["dongxiang"].organizations.first()),
        competition=competition,
        correct=5,
        hook=False,
    )
    AttemptFactory(user=participant, competition=competition, correct=1, hook=False)
    mine = "临夏市" if scope == "region" else participant.organization.name

    html = _text(web.get(f"/competitions/{competition.pk}/leaderboard/?scope={scope}"))

    highlighted = re.findall(
        r'<tr class="is-me" aria-current="true"> <td><span class="rank[^"]*">(\d+)</span></td> <td>([^<]+)',
        html,
    )
    assert [(int(rank), name.strip()) for rank, name in highlighted] == [(2, mine)]


def test_leaderboard_shows_my_row_below_the_list_when_i_am_not_in_it(
    web, participant, competition, linxia, monkeypatch
):
    from web.views import leaderboards

    monkeypatch.setattr(leaderboards, "SHOWN", 1)
    AttemptFactory(
        user=UserFactory(region=linxia["dongxiang"]), competition=competition, correct=5, hook=False
    )
    AttemptFactory(user=participant, competition=competition, correct=1, hook=False)

    html = _text(web.get(f"/competitions/{competition.pk}/leaderboard/"))

    assert html.count('class="is-me"') == 1
    assert re.search(r'<tr class="is-me" aria-current="true"> <td><span class="rank">2</span></td>', html)
