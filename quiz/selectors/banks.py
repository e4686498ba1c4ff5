"""Reads on question banks."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from quiz.models import Question, QuestionBank


def bank_list() -> QuerySet[QuestionBank]:
    """Every bank with `question_count` (all questions) and `active_count` (those drawn in quizzes)."""
    return QuestionBank.objects.annotate(
        question_count=Count("questions"),
        active_count=Count("questions", filter=Q(questions__is_active=True)),
    ).order_by("id")


def bank_get(*, bank_id: int) -> QuestionBank:
    """One bank with its counts; Http404 (answered as 404) when there is none."""
    return get_object_or_404(bank_list(), pk=bank_id)


def bank_questions_for_export(*, bank: QuestionBank) -> QuerySet[Question]:
    """The bank's questions in a stable order (as imported), active or not."""
    return Question.objects.filter(bank=bank).order_by("id")
