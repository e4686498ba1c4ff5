"""Reads of attempts: one attempt for its owner or staff, the caller's history, the wrong-answer book."""

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext as _

from core.exceptions import NotFound
from quiz.models import Attempt, AttemptItem
from quiz.selectors import progress


def attempt_get_for_viewer(*, attempt_id: int, user) -> Attempt:
    """The attempt with its competition and items, if the caller owns it or is staff; else 404."""
    qs = Attempt.objects.select_related("competition").prefetch_related("items")
    if not (user.is_admin_role or user.is_staff):
        qs = qs.filter(user=user)
    attempt = qs.filter(pk=attempt_id).first()
    if attempt is None:
        raise NotFound(_("No such attempt."))
    return attempt


def attempt_list_for_user(*, user) -> QuerySet[Attempt]:
    """The user's attempts, newest first, with their competitions (no items)."""
    return Attempt.objects.filter(user=user).select_related("competition").order_by("-started_at", "-id")


def wrong_answer_list(*, user, mastered: bool = False) -> QuerySet[AttemptItem]:
    """The wrong-answer book: one entry per question the user got wrong (or left unanswered in a
    submitted attempt; see `quiz.selectors.progress` for what counts), practice included, newest first.
    By default the active book (not yet mastered); with `mastered`, the questions since mastered.

    Each entry is the latest wrong item (as it was shown, with its own letters), annotated with
    `times_wrong`.
    """
    records = progress.user_question_records(user=user)
    question_ids = [qid for qid, record in records.items() if record.mastered == mastered]
    wrong = AttemptItem.objects.filter(progress.WRONG, attempt__user=user, question_id__in=question_ids)
    latest_ids = wrong.values("question_id").annotate(last_id=Max("id")).values("last_id")
    times_wrong = (
        wrong.filter(question_id=OuterRef("question_id"))
        .values("question_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        AttemptItem.objects.filter(pk__in=Subquery(latest_ids))
        .annotate(times_wrong=Subquery(times_wrong))
        .select_related("attempt__competition")
        .order_by("-id")
    )
