"""The learning loop's reads (issue 18): which wrong questions are mastered, what a wrong-answer round
draws first, and a person's correct rate per category.

Mastery is not stored: it follows from the attempt items, which already hold every answer and its
correctness. For one person and one question, the *events* are its scored items in time order (the
time an answer was given, else the attempt's submission): `is_correct` set (a ranked attempt's items
get it when the attempt is scored, a practice attempt's when the answer is given), leaving out the
questions a learning round showed but that were never answered (walking away from a practice round
is no wrong answer). A question is *wrong* once it has a wrong event; it is *mastered* when the last
wrong event is followed by two right ones (two later rounds: an attempt holds a question once); a
new wrong event brings it back into the active book.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Sum, When, Window
from django.db.models.functions import Coalesce, FirstValue

from quiz.models import Attempt, AttemptItem, Competition, Question
from quiz.selectors import answer_keys

MASTERY_STREAK = 2
LEARNING_KINDS = (Attempt.Kind.WRONG_ANSWERS, Attempt.Kind.TOPIC)

# An item that counts as an answer for the learning loop (right or wrong).
SCORED = Q(is_correct__isnull=False) & ~Q(attempt__kind__in=LEARNING_KINDS, selected__isnull=True)
WRONG = SCORED & Q(is_correct=False)


@dataclass
class QuestionRecord:
    """One person's history with one question they have got wrong at least once."""

    user_id: int
    question_id: int
    category: str
    times_wrong: int = 0
    right_streak: int = 0  # right answers since the last wrong one
    last_seen: datetime | None = None  # when an attempt last showed it

    @property
    def mastered(self) -> bool:
        return self.times_wrong > 0 and self.right_streak >= MASTERY_STREAK


def question_records(*, items: QuerySet[AttemptItem]) -> dict[tuple[int, int], QuestionRecord]:
    """`{(user_id, question_id): QuestionRecord}` over `items` for every pair with a wrong event.

    `items` must hold *all* items of the pairs it covers (e.g. all of some users' items), or the
    streaks are wrong. One query, which returns a row per (person, question) pair, not per item: the
    database orders each pair's events (window functions over the event's moment, then the item id)
    and sums them. Reading every item into Python and walking the streaks there took 2.9 s for a
    prefecture's 60,000 items.
    """
    pair = [F("attempt__user_id"), F("question_id")]
    # Newest event first: `wrongs_since` counts the wrong events at or after each row, so the right
    # answers of the current streak are the right events where it is 0.
    newest_first = [F("moment").desc(), F("id").desc()]
    events = (
        items.filter(question_id__in=items.filter(WRONG).values("question_id"))
        .order_by()
        .annotate(
            person=F("attempt__user_id"),
            qid=F("question_id"),
            started=F("attempt__started_at"),
            moment=Coalesce("answered_at", "attempt__submitted_at", "attempt__started_at"),
            is_wrong=Case(When(WRONG, then=1), default=0, output_field=IntegerField()),
            is_right=Case(When(SCORED & Q(is_correct=True), then=1), default=0, output_field=IntegerField()),
        )
        .annotate(
            wrongs_since=Window(Sum("is_wrong"), partition_by=pair, order_by=newest_first),
            latest_category=Window(FirstValue("category"), partition_by=pair, order_by=newest_first),
        )
        .values_list("person", "qid", "is_wrong", "is_right", "wrongs_since", "latest_category", "started")
    )
    inner, params = events.query.sql_with_params()
    connection = connections[events.db]
    # `inner` is the ORM's own SQL (its values stay in `params`); the outer query sums its rows per pair.
    sql = (
        "SELECT ev.person, ev.qid, MAX(ev.latest_category), SUM(ev.is_wrong),"  # noqa: S608
        " SUM(CASE WHEN ev.wrongs_since = 0 THEN ev.is_right ELSE 0 END), MAX(ev.started)"
        f" FROM ({inner}) AS ev GROUP BY ev.person, ev.qid HAVING SUM(ev.is_wrong) > 0"
    )
    # SQLite hands a raw query's timestamps back as text: the backend's own converter makes them the
    # aware datetimes the ORM would give.
    to_datetime = getattr(connection.ops, "convert_datetimefield_value", None)
    records: dict[tuple[int, int], QuestionRecord] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for user_id, qid, category, times_wrong, right_streak, last_seen in cursor.fetchall():
            if to_datetime is not None and last_seen is not None:
                last_seen = to_datetime(last_seen, None, connection)
            records[(user_id, qid)] = QuestionRecord(
                user_id=user_id,
                question_id=qid,
                category=category,
                times_wrong=int(times_wrong),
                right_streak=int(right_streak),
                last_seen=last_seen,
            )
    return records


def user_question_records(*, user) -> dict[int, QuestionRecord]:
    """The user's wrong questions, `{question_id: QuestionRecord}` (one query)."""
    records = question_records(items=AttemptItem.objects.filter(attempt__user=user))
    return {qid: record for (_user, qid), record in records.items()}


def wrong_practice_order(*, records: Iterable[QuestionRecord]) -> list[QuestionRecord]:
    """Active (not mastered) wrong questions in the order a wrong-answer round draws them: most often
    wrong first, then least recently seen, then the older question."""
    active = [record for record in records if not record.mastered]
    return sorted(active, key=lambda r: (-r.times_wrong, r.last_seen, r.question_id))


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def category_rates(*, user, competition_id: int | None = None) -> list[dict[str, Any]]:
    """Correct rate per category over the user's submitted competition attempts (not the learning
    rounds, which draw what is weak), weakest first; an unanswered question counts as not correct.

    Rows: `{category, answered, correct, correct_rate, competition}`; `competition` is the latest
    competition (of `competition_id` when given) where the category was asked: where to practise it.
    """
    items = AttemptItem.objects.filter(
        attempt__user=user, attempt__status=Attempt.Status.SUBMITTED, attempt__kind=Attempt.Kind.COMPETITION
    )
    if competition_id is not None:
        items = items.filter(attempt__competition_id=competition_id)
    rows = list(
        items.order_by()
        .values("category")
        .annotate(answered=Count("id"), correct=Count("id", filter=Q(is_correct=True)), last=Max("id"))
    )
    latest = dict(
        AttemptItem.objects.filter(pk__in=[row["last"] for row in rows]).values_list(
            "id", "attempt__competition_id"
        )
    )
    result = [
        {
            "category": row["category"],
            "answered": row["answered"],
            "correct": row["correct"],
            "correct_rate": _rate(row["correct"], row["answered"]),
            "competition": latest.get(row["last"]),
        }
        for row in rows
    ]
    result.sort(key=lambda row: (row["correct_rate"], -row["answered"], row["category"]))
    return result


def user_progress(*, user, competition_id: int | None = None) -> dict[str, Any]:
    """`GET /api/v1/me/progress/`: category rates (weakest first) and the wrong-answer book's counts:
    `wrong_questions` (ever wrong), `mastered`, `active` (= still to learn)."""
    return {
        "categories": category_rates(user=user, competition_id=competition_id),
        **user_progress_counts(user=user),
    }


def user_progress_counts(*, user) -> dict[str, int]:
    """`{wrong_questions, mastered, active}` of the user's wrong-answer book (one query)."""
    records = user_question_records(user=user).values()
    mastered = sum(1 for record in records if record.mastered)
    return {"wrong_questions": len(records), "mastered": mastered, "active": len(records) - mastered}


def mastery_by_category(*, wrong_items: QuerySet[AttemptItem]) -> dict[str, Any]:
    """For the organizers' figure: of the (person, question) pairs with a wrong answer among
    `wrong_items`, how many are mastered now, in all and per category (lowest share first).

    Two queries: the wrong pairs, then every item of those people on those questions. The people and
    questions go in as id lists: as subqueries of `wrong_items`, PostgreSQL chose nested loops on
    fresh data (40 s instead of 0.2 s for 60,000 items).
    """
    wrong = wrong_items.filter(WRONG).order_by()
    pairs = set(wrong.values_list("attempt__user_id", "question_id").distinct())
    records = (
        question_records(
            items=AttemptItem.objects.filter(
                attempt__user_id__in={user_id for user_id, _qid in pairs},
                question_id__in={qid for _user, qid in pairs},
            )
        )
        if pairs
        else {}
    )
    per_category: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for pair in pairs:
        record = records.get(pair)
        if record is None:  # cannot happen: the pair has a wrong event
            continue
        figures = per_category[record.category]
        figures[0] += 1
        figures[1] += record.mastered
    categories = [
        {
            "category": category,
            "wrong_questions": wrong,
            "mastered": mastered,
            "mastered_share": _rate(mastered, wrong),
        }
        for category, (wrong, mastered) in per_category.items()
    ]
    categories.sort(key=lambda row: (row["mastered_share"], -row["wrong_questions"], row["category"]))
    wrong_total = sum(row["wrong_questions"] for row in categories)
    mastered_total = sum(row["mastered"] for row in categories)
    return {
        "wrong_questions": wrong_total,
        "mastered": mastered_total,
        "mastered_share": _rate(mastered_total, wrong_total),
        "categories": categories,
    }


def topic_categories(*, competition: Competition) -> list[str]:
    """The categories of a competition's banks (active questions), alphabetical."""
    return sorted(
        set(
            Question.objects.filter(bank__competitions=competition, is_active=True)
            .exclude(category="")
            .values_list("category", flat=True)
        )
    )


def topic_pool(*, competition: Competition, now: datetime) -> QuerySet[Question]:
    """What a topic round of `competition` may draw now: the active questions of its banks and of the
    banks of open practice competitions, without the questions of ranked competitions not over yet
    (`quiz.selectors.answer_keys`, the one rule: practice feedback shows keys)."""
    practice_banks = Competition.objects.filter(
        is_practice=True, publication=Competition.Publication.PUBLISHED, starts_at__lte=now, ends_at__gt=now
    ).values("banks")
    return (
        Question.objects.filter(is_active=True)
        .filter(Q(bank__competitions=competition) | Q(bank__in=practice_banks))
        .exclude(fingerprint__in=answer_keys.guarded_fingerprints(now=now))
        .order_by("pk")
        .distinct()
    )


def practisable_topics(*, competition: Competition, now: datetime) -> list[str]:
    """The competition's categories that a topic round can draw now, alphabetical."""
    drawable = set(
        topic_pool(competition=competition, now=now)
        .filter(category__in=topic_categories(competition=competition))
        .values_list("category", flat=True)
    )
    return sorted(drawable)
