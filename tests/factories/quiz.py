"""factory_boy factories for the quiz app: banks, questions, competitions (tests/factories/accounts.py holds accounts)."""

from datetime import timedelta

import factory
from django.utils import timezone

from quiz.models import Competition, Question, QuestionBank


class QuestionBankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionBank
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"题库{n}")
    language = "zh-hans"


class QuestionFactory(factory.django.DjangoModelFactory):
    """A single-choice question by default: four options, answer B."""

    class Meta:
        model = Question

    bank = factory.SubFactory(QuestionBankFactory)
    type = Question.Type.SINGLE
    stem = factory.Sequence(lambda n: f"第{n}题：发现火灾应拨打哪个电话？")
    options = factory.LazyAttribute(
        lambda o: [] if o.type == Question.Type.JUDGE else ["110", "119", "120", "122"]
    )
    answer = "B"
    explanation = factory.Sequence(lambda n: f"解析{n}：火警电话是119。")
    category = "消防安全"
    difficulty = 3


class CompetitionFactory(factory.django.DjangoModelFactory):
    """An open competition (from an hour ago for a week) over the banks given as `banks=[...]`."""

    class Meta:
        model = Competition
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"安全知识竞赛{n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(days=7))
    questions_per_attempt = 5
    time_limit_seconds = 600
    attempts_per_day = 3
    points_per_correct = 10

    @factory.post_generation
    def banks(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted:
            obj.banks.set(extracted)


def make_bank(
    *,
    singles: int = 5,
    multiples: int = 0,
    judges: int = 0,
    category: str = "消防安全",
    bank: QuestionBank | None = None,
) -> QuestionBank:
    """A bank with the given numbers of questions: single (answer B), multiple (answer ACD), judge (answer A)."""
    bank = bank or QuestionBankFactory()
    for _ in range(singles):
        QuestionFactory(bank=bank, category=category)
    for n in range(multiples):
        QuestionFactory(
            bank=bank,
            type=Question.Type.MULTIPLE,
            stem=f"多选题{bank.pk}-{n}：以下哪些属于个人防护用品？",
            options=["安全帽", "手机", "防护手套", "护目镜"],
            answer="ACD",
            category=category,
        )
    for n in range(judges):
        QuestionFactory(
            bank=bank,
            type=Question.Type.JUDGE,
            stem=f"判断题{bank.pk}-{n}：电器着火可以用水扑救。",
            answer="B",
            category=category,
        )
    return bank


def competition_with_bank(*, questions: int = 5, **kwargs) -> Competition:
    """A competition over a fresh bank of `questions` single-choice questions, all of them drawn.

    Open since yesterday (unless `starts_at` is given), so attempts backdated within the last day fit.
    """
    bank = make_bank(singles=questions)
    kwargs.setdefault("starts_at", timezone.now() - timedelta(days=1))
    return CompetitionFactory(banks=[bank], questions_per_attempt=questions, **kwargs)
