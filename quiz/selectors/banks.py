"""Reads on question banks."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from core.exceptions import NotFound
from quiz.models import Question, QuestionBank


def bank_list() -> QuerySet[QuestionBank]:
    """Every bank with `question_count` (all questions) and `active_count` (those drawn in quizzes)."""
    return QuestionBank.objects.annotate(
        question_count=Count("questions"),
        active_count=Count("questions", filter=Q(questions__is_active=True)),
    ).order_by("id")


def bank_get(*, bank_id: int) -> QuestionBank:
    """One bank with its counts; NotFound (404) when there is none."""
    bank = bank_list().filter(pk=bank_id).first()
    if bank is None:
        raise NotFound(_("No such question bank."))
    return bank


def bank_questions_for_export(*, bank: QuestionBank) -> QuerySet[Question]:
    """The bank's questions in a stable order (as imported), active or not."""
    return Question.objects.filter(bank=bank).order_by("id")
