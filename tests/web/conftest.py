"""Fixtures of the citizen-site tests; the browser ones come from tests/support/browser.py."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.models import Competition, Question
from tests.factories import CompetitionFactory, QuestionBankFactory, QuestionFactory
from tests.support.browser import browser, live_site, phone  # noqa: F401

# Explanations no page may show before submission: unique strings the leak tests look for.
SECRET_EXPLANATION = "解析-仅交卷后可见-{n}"


def make_quiz_bank(*, name: str = "安全生产月题库") -> list[Question]:
    """Five questions: three single choice (answer B), one multiple choice (A, C, D), one true/false (false)."""
    bank = QuestionBankFactory(name=name)
    questions = [
        QuestionFactory(
            bank=bank,
            stem=f"第{n}题：发现火灾应拨打哪个电话？",
            options=["110", "119", "120", "122"],
            answer="B",
            explanation=SECRET_EXPLANATION.format(n=n),
        )
        for n in range(1, 4)
    ]
    questions.append(
        QuestionFactory(
            bank=bank,
            type=Question.Type.MULTIPLE,
            stem="以下哪些属于个人防护用品？",
            options=["安全帽", "手机", "防护手套", "护目镜"],
            answer="ACD",
            explanation=SECRET_EXPLANATION.format(n=4),
        )
    )
    questions.append(
        QuestionFactory(
            bank=bank,
            type=Question.Type.JUDGE,
            stem="电器着火可以直接用水扑救。",
            options=[],
            answer="B",
            explanation=SECRET_EXPLANATION.format(n=5),
        )
    )
    return questions


@pytest.fixture
def quiz_bank(db):
    return make_quiz_bank()


@pytest.fixture
def competition(quiz_bank) -> Competition:
    """An open competition of five questions, 10 points each, pass mark 30, three attempts a day."""
    return CompetitionFactory(
        title="临夏州安全生产月知识竞赛",
        description="全州干部职工和群众参加。",
        banks=[quiz_bank[0].bank],
        questions_per_attempt=5,
        time_limit_seconds=600,
        attempts_per_day=3,
        points_per_correct=10,
        pass_mark=30,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=20),
    )
