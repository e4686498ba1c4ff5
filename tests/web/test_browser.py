"""The citizen's journey in headless Chromium on a phone-sized screen (390x844), in Chinese.

Screenshots go to test-artifacts/web/ for people to look at.
"""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from accounts.models import User
from quiz.models import Attempt, AttemptItem
from quiz.services import attempts as attempt_services
from tests.factories import CompetitionFactory, UserFactory
from tests.support.browser import quiet, shoot
from tests.web.conftest import SECRET_EXPLANATION

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, site, user) -> None:
    """Give the browser a logged-in session cookie (the login form has its own test)."""
    client = Client()
    with quiet(site):
        client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site.url,
            }
        ]
    )


def right_answers(site, user) -> dict[int, list[str]]:
    """Position -> right keys of the user's running attempt (what the test answers from)."""
    with quiet(site):
        attempt = Attempt.objects.get(user=user, status=Attempt.Status.IN_PROGRESS)
        return {item.position: item.correct for item in AttemptItem.objects.filter(attempt=attempt)}


def wrong_keys(right: list[str]) -> list[str]:
    return ["A"] if right != ["A"] else ["B"]


def choose(page, keys: list[str]) -> None:
    for key in keys:
        page.locator(f"label.option:has(input[value='{key}'])").click()


def wait_saved(page) -> None:
    expect(page.get_by_test_id("save-state")).to_have_text("已保存")


def wait_question(page, n: int, total: int) -> None:
    expect(page.get_by_test_id("progress")).to_have_text(f"{n}/{total}")


def test_whole_journey_register_answer_submit_review_leaderboard(phone, live_site, competition, linxia):
    page = phone
    with quiet(live_site):
        rival = UserFactory(region=linxia["dongxiang"], display_name="马晓燕")
        attempt, _ = attempt_services.attempt_start(user=rival, competition=competition)
        items = AttemptItem.objects.filter(attempt=attempt)
        attempt_services.attempt_submit(
            user=rival,
            attempt_id=attempt.pk,
            answers=[{"question": i.question_id, "selected": i.correct} for i in items],
        )

    # Home, not logged in.
    page.goto(live_site + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.locator(".site-brand")).to_have_text("安全知识竞赛")
    shoot(page, "web/01-home-anonymous")

    # Register: county first, then a unit of that county (fetched), the unit's industry preselected.
    page.get_by_role("link", name="注册参赛").click()
    page.get_by_label("姓名").fill("王小明")
    page.get_by_label("县（市、区）").select_option(label="临夏市")
    unit = linxia["linxia_city"].organizations.order_by("name").first()
    unit_select = page.locator("#id_organization")
    expect(unit_select.locator("option", has_text=unit.name)).to_have_count(1)
    expect(unit_select.locator("option", has_text="东乡")).to_have_count(0)
    unit_select.select_option(label=unit.name)
    expect(page.locator("#id_industry")).to_have_value(unit.industry.code)
    page.get_by_label("用户名").fill("wangxiaoming")
    page.get_by_label("密码", exact=True).fill("Anquan#2026")
    page.get_by_label("确认密码").fill("Anquan#2026")
    shoot(page, "web/02-register")
    page.get_by_role("button", name="注册并登录").click()
    expect(page.locator(".message--success")).to_contain_text("欢迎你，王小明")
    with quiet(live_site):
        me = User.objects.get(username="wangxiaoming")
        assert (me.region, me.organization, me.industry) == (linxia["linxia_city"], unit, unit.industry)
    shoot(page, "web/03-home-registered")

    # The competition page, then answering.
    page.get_by_role("link", name=re.compile(f"参加答题.*{competition.title}")).click()
    expect(page.get_by_role("heading", name=competition.title)).to_be_visible()
    expect(page.get_by_text("今天还可以答题 3 次。")).to_be_visible()
    shoot(page, "web/04-competition")
    page.get_by_role("link", name="开始答题").click()
    wait_question(page, 1, 5)
    expect(page.get_by_test_id("timer")).to_contain_text(re.compile(r"(09:5\d|10:00)"))
    right = right_answers(live_site, me)

    # Question 1 by keyboard: focus the option and press Space.
    first_key = right[1][0]
    page.locator(f"input[value='{first_key}']").focus()
    page.keyboard.press("Space")
    if len(right[1]) > 1:
        choose(page, right[1][1:])
    wait_saved(page)
    shoot(page, "web/05-question-1-saved")
    page.get_by_role("button", name="下一题").click()
    wait_question(page, 2, 5)
    choose(page, right[2])
    wait_saved(page)
    page.get_by_role("button", name="下一题").click()
    wait_question(page, 3, 5)
    page.get_by_role("button", name="下一题").click()  # skip question 3 for now
    wait_question(page, 4, 5)
    choose(page, wrong_keys(right[4]))  # one wrong answer
    wait_saved(page)
    page.get_by_role("button", name="下一题").click()
    wait_question(page, 5, 5)
    choose(page, right[5])
    wait_saved(page)

    # Submitting names the unanswered question; jump to it from the dialog.
    page.get_by_role("button", name="交卷", exact=True).click()
    expect(page.get_by_test_id("unanswered")).to_have_text("还有题目未作答：第 3 题。")
    shoot(page, "web/06-confirm-unanswered", full_page=False)
    page.get_by_role("alertdialog").get_by_role("button", name="第 3 题").click()
    wait_question(page, 3, 5)
    choose(page, right[3])
    wait_saved(page)
    page.get_by_role("button", name="答题卡").click()
    expect(page.get_by_role("dialog").locator(".sheet-grid button.is-answered")).to_have_count(5)
    shoot(page, "web/07-answer-sheet", full_page=False)
    page.get_by_role("dialog").get_by_role("button", name="交卷").click()
    expect(page.get_by_test_id("unanswered")).to_have_text("所有题目都已作答。")
    page.get_by_test_id("confirm-submit").click()

    # Result: 4 right of 5 = 40 points, second behind the rival's 50; then the review.
    page.wait_for_url(re.compile(r"/attempts/\d+/$"))
    expect(page.get_by_test_id("score")).to_have_text("40分")
    expect(page.get_by_test_id("correct-count")).to_have_text("4/5")
    expect(page.get_by_test_id("rank")).to_have_text("2")
    expect(page.get_by_test_id("review-item")).to_have_count(5)
    expect(page.locator(".review-item.is-wrong")).to_have_count(1)
    expect(page.locator(".review-item.is-wrong .explanation")).to_contain_text("解析-仅交卷后可见")
    shoot(page, "web/08-result-and-review")
    with quiet(live_site):
        done = Attempt.objects.get(user=me)
        assert (done.status, done.score, done.correct_count) == (Attempt.Status.SUBMITTED, 40, 4)

    # Certificate: 40 reaches the pass mark of 30; the PNG loads at full size.
    page.get_by_role("link", name="我的证书").click()
    image = page.locator("img.certificate-img")
    expect(image).to_be_visible()
    page.wait_for_function("document.querySelector('img.certificate-img').naturalWidth === 1080")
    shoot(page, "web/09-certificate")
    page.go_back()

    # Leaderboards: my row highlighted among individuals and my county among counties.
    page.get_by_role("link", name="排行榜").first.click()
    mine = page.locator("tr.is-me")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("王小明")
    expect(mine.locator(".rank")).to_have_text("2")
    expect(page.locator("tbody tr").first).to_contain_text("马晓燕")
    shoot(page, "web/10-leaderboard-individuals")
    page.get_by_role("link", name="县市").click()
    expect(page.locator("tr.is-me")).to_contain_text("临夏市")
    shoot(page, "web/11-leaderboard-counties")

    # The wrong-answer book holds the one wrong question; the history the one attempt.
    page.get_by_role("link", name="错题本").first.click()
    expect(page.get_by_test_id("review-item")).to_have_count(1)
    shoot(page, "web/12-wrong-answers")
    page.get_by_role("link", name="答题记录").click()
    expect(page.get_by_test_id("history-row")).to_have_count(1)
    shoot(page, "web/13-history")


def test_reload_in_the_middle_resumes_the_same_attempt_with_its_answers(
    phone, live_site, competition, participant
):
    page = phone
    log_in(page, live_site, participant)
    page.goto(live_site + f"/competitions/{competition.pk}/answer/")
    wait_question(page, 1, 5)
    right = right_answers(live_site, participant)
    choose(page, right[1])
    wait_saved(page)
    page.get_by_role("button", name="下一题").click()
    choose(page, right[2])
    wait_saved(page)
    page.get_by_role("button", name="下一题").click()
    wait_question(page, 3, 5)

    page.reload()

    wait_question(page, 3, 5)  # back where the participant was
    page.get_by_role("button", name="答题卡").click()
    answered = page.get_by_role("dialog").locator(".sheet-grid button.is-answered")
    expect(answered).to_have_count(2)
    page.get_by_role("dialog").get_by_role("button", name=re.compile("^第 1 题")).click()
    for key in right[1]:
        expect(page.locator(f"input[value='{key}']")).to_be_checked()
    with quiet(live_site):
        attempts = list(Attempt.objects.filter(user=participant))
        saved = {i.position: i.selected for i in AttemptItem.objects.filter(attempt=attempts[0])}
    assert len(attempts) == 1 and attempts[0].status == Attempt.Status.IN_PROGRESS
    assert (saved[1], saved[2], saved[3]) == (right[1], right[2], None)
    shoot(page, "web/20-resumed-after-reload", full_page=False)


def test_answers_given_while_saving_fails_survive_a_reload_and_are_saved_later(
    phone, live_site, competition, participant
):
    page = phone
    log_in(page, live_site, participant)
    page.goto(live_site + f"/competitions/{competition.pk}/answer/")
    wait_question(page, 1, 5)
    right = right_answers(live_site, participant)

    # The connection drops for answer saves only: the page says so and keeps the answer.
    page.route("**/answers/**", lambda route: route.abort("internetdisconnected"))
    choose(page, right[1])
    expect(page.get_by_test_id("save-state")).to_have_text(re.compile("网络已断开|保存失败"))
    shoot(page, "web/21-save-failed-offline", full_page=False)
    page.reload()
    wait_question(page, 1, 5)
    for key in right[1]:
        expect(page.locator(f"input[value='{key}']")).to_be_checked()

    # Back online: the kept answer is saved without touching anything.
    page.unroute("**/answers/**")
    wait_saved(page)
    with quiet(live_site):
        item = AttemptItem.objects.get(attempt__user=participant, position=1)
    assert item.selected == right[1]


def test_at_the_deadline_the_page_submits_by_itself(phone, live_site, quiz_bank, participant, settings):
    settings.ATTEMPT_GRACE_SECONDS = 2
    with quiet(live_site):
        short = CompetitionFactory(
            title="限时测验", banks=[quiz_bank[0].bank], questions_per_attempt=5, time_limit_seconds=6
        )
    page = phone
    log_in(page, live_site, participant)
    page.goto(live_site + f"/competitions/{short.pk}/answer/")
    wait_question(page, 1, 5)
    right = right_answers(live_site, participant)
    choose(page, right[1])

    page.wait_for_url(re.compile(r"/attempts/\d+/$"), timeout=20_000)

    expect(page.get_by_test_id("score")).to_have_text("10分")
    with quiet(live_site):
        attempt = Attempt.objects.get(user=participant, competition=short)
    assert attempt.status == Attempt.Status.SUBMITTED
    assert (attempt.score, attempt.correct_count) == (10, 1)
    assert attempt.submitted_at <= attempt.deadline + timedelta(seconds=2)
    shoot(page, "web/30-auto-submitted")


def test_switching_to_english_and_back(phone, live_site, competition, participant):
    page = phone
    log_in(page, live_site, participant)
    page.goto(live_site + "/")
    expect(page.get_by_role("heading", name="正在进行的竞赛")).to_be_visible()

    page.get_by_role("button", name="EN").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Open competitions")).to_be_visible()
    expect(page.get_by_role("button", name="EN")).to_have_attribute("aria-pressed", "true")
    shoot(page, "web/40-home-english")
    page.goto(live_site + f"/competitions/{competition.pk}/answer/")
    expect(page.get_by_test_id("progress")).to_have_text("1/5")
    expect(page.get_by_role("button", name="Next")).to_be_visible()
    expect(page.locator(".question-type")).to_have_text(
        re.compile("Single choice|Multiple choice|True or false")
    )
    shoot(page, "web/41-question-english", full_page=False)

    page.get_by_role("button", name="中文").click()

    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_role("button", name="下一题")).to_be_visible()
    with quiet(live_site):
        assert Attempt.objects.filter(user=participant).count() == 1  # the same attempt, resumed


def test_running_quiz_page_source_and_api_traffic_hold_no_answer_or_explanation(
    phone, live_site, competition, participant, quiz_bank
):
    page = phone
    bodies: list[str] = []
    page.on("response", lambda r: bodies.append(r.text()) if "/api/" in r.url else None)
    log_in(page, live_site, participant)
    page.goto(live_site + f"/competitions/{competition.pk}/answer/")
    wait_question(page, 1, 5)
    right = right_answers(live_site, participant)
    choose(page, right[1])
    wait_saved(page)
    page.get_by_role("button", name="下一题").click()
    wait_question(page, 2, 5)

    source = page.request.get(page.url).text()
    rendered = page.content()

    for question in quiz_bank:
        assert question.explanation not in source and question.explanation not in rendered
        assert question.stem not in source
    assert "解析-仅交卷后可见" not in "".join(bodies)
    for body in bodies:
        data = json.loads(body)
        text = json.dumps(data)
        assert '"correct"' not in text and '"explanation"' not in text and '"is_correct"' not in text
    assert len(bodies) >= 2  # the start and one save were inspected


def test_practice_shows_right_or_wrong_and_the_explanation_after_each_answer(
    phone, live_site, quiz_bank, participant
):
    with quiet(live_site):
        practice = CompetitionFactory(
            title="安全知识练习", banks=[quiz_bank[0].bank], questions_per_attempt=5, is_practice=True
        )
    page = phone
    log_in(page, live_site, participant)
    page.goto(live_site + f"/competitions/{practice.pk}/answer/")
    wait_question(page, 1, 5)
    right = right_answers(live_site, participant)

    choose(page, right[1])
    page.get_by_role("button", name="提交本题").click()
    feedback = page.get_by_test_id("feedback")
    expect(feedback).to_contain_text("回答正确！")
    expect(feedback).to_contain_text(SECRET_EXPLANATION[:6])
    expect(page.locator("input[type=radio], input[type=checkbox]").first).to_be_disabled()
    page.get_by_role("button", name="下一题").click()
    choose(page, wrong_keys(right[2]))
    page.get_by_role("button", name="提交本题").click()
    expect(feedback).to_contain_text("回答错误。")
    expect(feedback).to_contain_text("正确答案：" + "、".join(right[2]))
    shoot(page, "web/50-practice-feedback", full_page=False)

    page.reload()  # feedback comes back with the resumed attempt
    wait_question(page, 2, 5)
    expect(page.get_by_test_id("feedback")).to_contain_text("回答错误。")


def test_answer_sheet_works_by_keyboard_and_keeps_focus_inside(phone, live_site, competition, participant):
    page = phone
    log_in(page, live_site, participant)
    page.goto(live_site + f"/competitions/{competition.pk}/answer/")
    wait_question(page, 1, 5)
    toggle = page.get_by_role("button", name="答题卡")

    toggle.focus()
    page.keyboard.press("Enter")

    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    assert page.evaluate("document.activeElement.closest('[role=dialog]') !== null")
    for _ in range(12):  # more Tabs than the dialog has buttons: focus stays inside
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('[role=dialog]') !== null")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(toggle).to_be_focused()
    # Every option is a native radio button or checkbox inside its label.
    inputs = page.locator(".option input")
    expect(inputs.first).to_be_attached()
    assert page.evaluate(
        "() => [...document.querySelectorAll('.option input')].every(i => i.labels.length === 1 && ['radio', 'checkbox'].includes(i.type))"
    )
