"""The answering page shows every option of every question, whatever the round; and the learning loop
on a phone (390x844, Chinese): wrong answer -> wrong-answer book -> practice rounds -> mastered.

Screenshots go to test-artifacts/web/ for people to look at.
"""

import pytest
from playwright.sync_api import expect

from quiz.models import Attempt, AttemptItem, Question
from tests.factories import AttemptFactory, CompetitionFactory, QuestionBankFactory, QuestionFactory
from tests.support.browser import quiet, shoot
from tests.web.conftest import make_quiz_bank
from tests.web.test_browser import choose, log_in, wait_question, wrong_keys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the page shows a true/false question in Chinese (the payload's own lettering: A true, B false).
JUDGE_ZH = [("A", "正确"), ("B", "错误")]
TYPES_SHOWN = {
    "ranked": ["judge", "multiple", "single", "single", "single"],
    "ranked_two_questions": ["multiple", "single"],
    "wrong_answers": ["multiple", "single"],
    "topic": ["judge", "single"],
}


def _short_competition(**fields):
    """A shuffled two-question competition: a six-option single choice and a four-option multiple
    choice. Two questions and six options is the shape that lost options (see test below)."""
    bank = QuestionBankFactory(name="短题库")
    QuestionFactory(
        bank=bank,
        stem="应急管理部门的值班电话不包括哪个？",
        options=["110", "119", "120", "122", "12345", "12350"],
        answer="F",
    )
    QuestionFactory(
        bank=bank,
        type=Question.Type.MULTIPLE,
        stem="以下哪些属于个人防护用品？",
        options=["安全帽", "手机", "防护手套", "护目镜"],
        answer="ACD",
    )
    return CompetitionFactory(banks=[bank], questions_per_attempt=2, shuffle_options=True, **fields)


def _shown(item: AttemptItem) -> list[tuple[str, str]]:
    if item.type == Question.Type.JUDGE:
        return JUDGE_ZH
    return [(option["key"], option["text"]) for option in item.options]


def _walk_every_question(page, site, *, user) -> list[str]:
    """Go through the running attempt question by question; on each, every option it holds is on the
    page, visible, in its order, with its letter. Returns the question types seen."""
    expect(page.get_by_test_id("stem")).to_be_visible()  # the page has started it
    with quiet(site):
        attempt = Attempt.objects.get(user=user, status=Attempt.Status.IN_PROGRESS)
        items = list(AttemptItem.objects.filter(attempt=attempt).order_by("position"))
    for item in items:
        wait_question(page, item.position, len(items))
        expect(page.get_by_test_id("stem")).to_have_text(item.stem)
        labels = page.locator("fieldset label.option")
        expect(labels).to_have_count(len(_shown(item)))
        for n in range(len(_shown(item))):
            expect(labels.nth(n)).to_be_visible()
        shown = labels.evaluate_all(
            "els => els.map(l => [l.querySelector('input').value,"
            " l.querySelector('.option__text > span:last-child').textContent])"
        )
        assert [tuple(pair) for pair in shown] == _shown(item), item.position
        if item.position < len(items):
            page.get_by_role("button", name="下一题").click()
    return [item.type for item in items]


@pytest.mark.parametrize("case", ["ranked", "ranked_two_questions", "wrong_answers", "topic"])
def test_every_option_of_every_question_is_on_the_answering_page(phone, live_site, participant, case):
    # Alpine evaluates an x-for :key with the loop's own `index` in scope, and a getter of the
    # component reads that one: the page's `q` (questions[index]) became the N-th question for the
    # N-th option. With fewer questions than options, two or more keys were undefined and
    # collided: a two-question round showed A, B and D of a four-option question, a one-question
    # round A and D.
    with quiet(live_site):
        if case == "ranked":  # single, multiple and true/false, options re-lettered per attempt
            competition = CompetitionFactory(
                banks=[make_quiz_bank()[0].bank], questions_per_attempt=5, shuffle_options=True
            )
            url = f"/competitions/{competition.pk}/answer/"
        elif case == "ranked_two_questions":
            competition = _short_competition()
            url = f"/competitions/{competition.pk}/answer/"
        elif case == "wrong_answers":  # both questions of a ranked attempt wrong, then their round
            AttemptFactory(user=participant, competition=_short_competition(), correct=0, hook=False)
            url = "/me/wrong-answers/practice/"
        else:  # a topic round draws from an open practice competition's bank while the ranked one runs
            competition = _short_competition()
            practice_bank = QuestionBankFactory(name="练习题库")
            QuestionFactory(bank=practice_bank, stem="练习：灭火器压力表指针在绿区表示正常。", type="judge")
            QuestionFactory(bank=practice_bank, stem="练习：火警电话是？")
            CompetitionFactory(banks=[practice_bank], is_practice=True, shuffle_options=True)
            url = f"/competitions/{competition.pk}/practice/?category=消防安全"
    page = phone
    log_in(page, live_site, participant)
    page.goto(live_site + url)
    types = _walk_every_question(page, live_site, user=participant)
    assert sorted(types) == TYPES_SHOWN[case]
    shoot(page, f"web/60-options-{case}", full_page=False)


def _answer_round(page, site, *, user, total: int, wrong_positions: set[int]) -> None:
    """Answer the running round or attempt on the page, wrong at `wrong_positions`, and submit."""
    wait_question(page, 1, total)  # the page has started it
    with quiet(site):
        attempt = Attempt.objects.get(user=user, status=Attempt.Status.IN_PROGRESS)
        practice = attempt.is_practice
        right = {i.position: i.correct for i in AttemptItem.objects.filter(attempt=attempt)}
    for position in range(1, total + 1):
        wait_question(page, position, total)
        choose(page, wrong_keys(right[position]) if position in wrong_positions else right[position])
        if practice:
            page.get_by_role("button", name="提交本题").click()
            expected = "回答错误。" if position in wrong_positions else "回答正确！"
            expect(page.get_by_test_id("feedback")).to_contain_text(expected)
        else:
            expect(page.get_by_test_id("save-state")).to_have_text("已保存")
        if position < total:
            page.get_by_role("button", name="下一题").click()
    page.get_by_role("button", name="交卷", exact=True).click()
    page.get_by_test_id("confirm-submit").click()
    page.wait_for_url("**/attempts/*/")


def test_phone_loop_wrong_answer_book_practice_mastered(phone, live_site, competition, participant):
    page = phone
    log_in(page, live_site, participant)

    # A ranked attempt on the phone, questions 1 and 2 answered wrong.
    page.goto(live_site + f"/competitions/{competition.pk}/answer/")
    _answer_round(page, live_site, user=participant, total=5, wrong_positions={1, 2})
    expect(page.get_by_test_id("correct-count")).to_have_text("3/5")
    with quiet(live_site):
        wrong = set(
            AttemptItem.objects.filter(attempt__user=participant, is_correct=False).values_list(
                "question_id", flat=True
            )
        )
    assert len(wrong) == 2
    wrong = list(wrong)

    # From the result page to the book, then two rounds answered right.
    page.get_by_role("link", name="错题本").first.click()
    for round_number in (1, 2):
        expect(page.get_by_test_id("tab-active")).to_have_text("待练习（2）")
        expect(page.get_by_test_id("tab-mastered")).to_have_text("已掌握（0）")
        if round_number == 1:
            shoot(page, "web/70-book")
        page.get_by_test_id("practise-wrong").click()
        _answer_round(page, live_site, user=participant, total=2, wrong_positions=set())
        expect(page.get_by_test_id("practise-again")).to_be_visible()
        shoot(page, f"web/71-round-{round_number}-result", full_page=False)
        page.goto(live_site + "/me/wrong-answers/")

    expect(page.get_by_test_id("tab-active")).to_have_text("待练习（0）")
    expect(page.get_by_test_id("tab-mastered")).to_have_text("已掌握（2）")
    expect(page.get_by_test_id("practise-wrong")).to_have_count(0)
    page.get_by_test_id("tab-mastered").click()
    expect(page.locator(".review-item")).to_have_count(2)
    shoot(page, "web/72-mastered")
    page.goto(live_site + "/me/progress/")
    expect(page.get_by_test_id("wrong-total")).to_have_text("2")
    expect(page.get_by_test_id("mastered")).to_have_text("2")
    expect(page.get_by_test_id("active")).to_have_text("0")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "web/73-progress")
    with quiet(live_site):
        practised = list(
            AttemptItem.objects.filter(attempt__kind=Attempt.Kind.WRONG_ANSWERS).values_list(
                "question_id", flat=True
            )
        )
    assert sorted(practised) == sorted(wrong * 2)
