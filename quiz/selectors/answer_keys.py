"""Which answer keys must stay secret right now (issue 13, point 4: the answer key can be harvested).

The one rule, used by the practice draw, the admin's warning and item analysis:

- A question is *guarded* while a ranked (non-practice) competition that is not over yet (draft,
  upcoming or open) holds it in one of its banks. "The same question" is the same stem and options
  (`Question.fingerprint`), so a copy of it in another bank is guarded too: its key is the same.
- A practice competition never draws a guarded question: its review and per-answer feedback show
  keys, and a practice allows many attempts a day, so drawing from a running ranked competition's
  bank would hand out that competition's key (seen: 216 of 232 keys in two minutes).
- Item analysis shows answer letters (and the most chosen wrong option, which gives a true/false
  key away) only once its competition is closed, and even then not for guarded questions.
"""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet

from quiz.models import Competition, Question


def ranked_competitions_not_over(*, now: datetime) -> QuerySet[Competition]:
    """Ranked competitions whose questions must stay secret at `now`: draft, upcoming or open."""
    return Competition.objects.filter(is_practice=False, ends_at__gt=now).exclude(
        publication=Competition.Publication.CLOSED
    )


def guarded_fingerprints(*, now: datetime, exclude_competition_id: int | None = None) -> QuerySet:
    """Fingerprints (a subquery) of every question, active or not, in a bank of a ranked competition
    not over at `now`; `exclude_competition_id` leaves one competition out (e.g. the one analysed)."""
    ranked = ranked_competitions_not_over(now=now)
    if exclude_competition_id is not None:
        ranked = ranked.exclude(pk=exclude_competition_id)
    return Question.objects.filter(bank__competitions__in=ranked).values("fingerprint")


def practice_held_back(*, bank_ids: list[int], now: datetime) -> dict[str, Any]:
    """For a practice competition over `bank_ids`: `{"active", "held_back", "ranked"}`, the banks'
    active questions, how many of them it may not draw now, and the titles of the ranked
    competitions that hold them."""
    active = Question.objects.filter(bank_id__in=bank_ids, is_active=True)
    held_back = active.filter(fingerprint__in=guarded_fingerprints(now=now)).count()
    ranked: list[str] = []
    if held_back:
        ranked = list(
            ranked_competitions_not_over(now=now)
            .filter(banks__questions__fingerprint__in=active.values("fingerprint"))
            .distinct()
            .order_by("starts_at", "pk")
            .values_list("title", flat=True)
        )
    return {"active": active.count(), "held_back": held_back, "ranked": ranked}


def hidden_key_question_ids(*, competition: Competition, question_ids: list[int], now: datetime) -> set[int]:
    """Of `question_ids`, those whose answer letters an analysis of `competition` may not show at
    `now`: all of them while the competition is not closed, else those still guarded by another
    ranked competition."""
    if competition.status_at(now) != "closed":
        return set(question_ids)
    return set(
        Question.objects.filter(
            pk__in=question_ids,
            fingerprint__in=guarded_fingerprints(now=now, exclude_competition_id=competition.pk),
        ).values_list("pk", flat=True)
    )
