"""Build a campaign straight with the ORM: submitted attempts with their items, numbers chosen by hand."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from quiz.models import OPTION_KEYS, Attempt, AttemptItem, Competition, Question


def local_moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """`day` at `hour`:`minute` in Asia/Shanghai (the project's TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def make_attempt(
    *,
    user,
    competition: Competition,
    day: date,
    answers: list[tuple[Question, str | None]] | None = None,
    key_maps: dict[int, dict[str, str]] | None = None,
    submitted: bool = True,
    practice: bool = False,
    submitted_at: datetime | None = None,
    region=None,
    organization=None,
    industry=None,
) -> Attempt:
    """A scored attempt: `answers` are (question, selected in SHOWN letters or None), in draw order.

    `key_maps` maps a question id to its shuffle (shown letter -> the question's own letter);
    without one the options are shown as they are. Score = correct answers x points_per_correct.
    Region, unit and industry default to the user's (the snapshots an attempt takes at start).
    """
    answers = answers or []
    key_maps = key_maps or {}
    started = local_moment(day, 9)
    attempt = Attempt.objects.create(
        user=user,
        competition=competition,
        status=Attempt.Status.SUBMITTED if submitted else Attempt.Status.IN_PROGRESS,
        started_at=started,
        deadline=started + timedelta(seconds=competition.time_limit_seconds),
        submitted_at=(submitted_at or local_moment(day, 10)) if submitted else None,
        day=day,
        question_count=len(answers),
        region=region or user.region,
        organization=organization or user.organization,
        industry=industry or user.industry,
        is_practice=practice,
    )
    correct_count = 0
    for position, (question, selected) in enumerate(answers, start=1):
        letters = OPTION_KEYS[: max(len(question.options), 2)]
        key_map = key_maps.get(question.pk) or {k: k for k in letters}
        shown_correct = sorted(shown for shown, own in key_map.items() if own in question.answer)
        shown_selected = sorted(selected) if selected else None
        is_correct = shown_selected == shown_correct if submitted else None
        correct_count += bool(is_correct)
        AttemptItem.objects.create(
            attempt=attempt,
            question=question,
            position=position,
            type=question.type,
            stem=question.stem,
            options=[
                {"key": shown, "text": question.options[OPTION_KEYS.index(own)] if question.options else own}
                for shown, own in key_map.items()
            ],
            correct=shown_correct,
            key_map=key_map,
            category=question.category,
            selected=shown_selected,
            is_correct=is_correct,
            points=competition.points_per_correct if is_correct else 0,
        )
    attempt.correct_count = correct_count
    attempt.score = correct_count * competition.points_per_correct
    attempt.save(update_fields=["correct_count", "score"])
    return attempt
