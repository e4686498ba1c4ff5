"""Item analysis of a competition: how each question and each category fared.

- `drawn`: how many counted attempts drew the question; `correct_rate` = correct / drawn
  (an unanswered question counts as not correct);
- discrimination (Kelley's upper and lower 27 percent): the counted attempts ordered by score
  (ties by id), the top k and the bottom k with k = round(0.27 x N), at least 1 and at most N // 2;
  `p_upper` / `p_lower` are the correct rates among the attempts of each group that drew the
  question, `discrimination = p_upper - p_lower` (null when a group never drew it);
- `most_chosen_wrong`: among wrong answers, the option outside the key picked most often,
  translated back to the question's own lettering through each item's `key_map` (options may
  have been shuffled); ties go to the earlier letter.

Answer letters and the most chosen wrong option (which gives a true/false key away) are null until
the competition closes, and stay null for questions a ranked competition not over yet still holds
(`quiz.selectors.answer_keys`); `keys_hidden` says whether any were left out.
"""

from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import Region
from campaign.selectors.statistics import submitted_attempts
from quiz.models import AttemptItem, Competition, Question, judge_option_label
from quiz.selectors.answer_keys import hidden_key_question_ids

GROUP_SHARE = Decimal("0.27")


def group_size(attempts: int) -> int:
    """k of the upper and lower groups for N attempts (see the module docstring)."""
    if attempts < 2:
        return 0
    k = int((GROUP_SHARE * attempts).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return min(max(k, 1), attempts // 2)


def option_text(question: Question, letter: str) -> str:
    """An option's text in the question's own lettering; a judge question's A is true, B false."""
    if question.type == Question.Type.JUDGE and not question.options:
        return judge_option_label(letter)
    index = ord(letter) - ord("A")
    return question.options[index] if 0 <= index < len(question.options or []) else ""


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def item_analysis(*, competition: Competition, scope: Region | None) -> dict[str, Any]:
    """Per question and per category figures over the scope's counted attempts (six queries)."""
    attempts = submitted_attempts(competition=competition, region=scope)
    total = attempts.count()
    k = group_size(total)
    upper = attempts.order_by("-score", "id").values("id")[:k]
    lower = attempts.order_by("score", "-id").values("id")[:k]
    items = AttemptItem.objects.filter(attempt__in=attempts.values("id")).order_by()

    correct = Q(is_correct=True)
    in_upper = Q(attempt_id__in=upper)
    in_lower = Q(attempt_id__in=lower)
    per_question = (
        list(
            items.values("question_id").annotate(
                drawn=Count("id"),
                answered=Count("id", filter=Q(selected__isnull=False)),
                correct=Count("id", filter=correct),
                upper_drawn=Count("id", filter=in_upper),
                upper_correct=Count("id", filter=in_upper & correct),
                lower_drawn=Count("id", filter=in_lower),
                lower_correct=Count("id", filter=in_lower & correct),
            )
        )
        if k
        else list(
            items.values("question_id").annotate(
                drawn=Count("id"),
                answered=Count("id", filter=Q(selected__isnull=False)),
                correct=Count("id", filter=correct),
            )
        )
    )

    # Wrong answers grouped by what was picked and how the options were lettered: a handful of
    # groups per question, folded in Python back to the question's own letters.
    wrong_picks: dict[int, Counter] = {}
    for group in (
        items.filter(is_correct=False, selected__isnull=False)
        .values("question_id", "selected", "key_map", "correct")
        .annotate(n=Count("id"))
    ):
        key_map = group["key_map"] or {}
        right = set(group["correct"] or [])
        for shown in group["selected"] or []:
            if shown not in right:
                original = key_map.get(shown, shown)
                wrong_picks.setdefault(group["question_id"], Counter())[original] += group["n"]

    questions = {
        q.pk: q
        for q in Question.objects.filter(pk__in=[row["question_id"] for row in per_question]).only(
            "id", "type", "stem", "options", "answer", "category"
        )
    }
    hidden = hidden_key_question_ids(
        competition=competition, question_ids=list(questions), now=timezone.now()
    )
    rows = []
    for row in per_question:
        question = questions[row["question_id"]]
        p_upper = _rate(row.get("upper_correct", 0), row.get("upper_drawn", 0))
        p_lower = _rate(row.get("lower_correct", 0), row.get("lower_drawn", 0))
        picks = wrong_picks.get(question.pk)
        most_wrong = None
        if picks and question.pk not in hidden:
            letter, count = sorted(picks.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            most_wrong = {"option": letter, "text": option_text(question, letter), "count": count}
        rows.append(
            {
                "question": question.pk,
                "type": question.type,
                "stem": question.stem,
                "category": question.category,
                "answer": None if question.pk in hidden else question.answer,
                "drawn": row["drawn"],
                "answered": row["answered"],
                "correct": row["correct"],
                "correct_rate": _rate(row["correct"], row["drawn"]),
                "upper_drawn": row.get("upper_drawn", 0),
                "upper_correct": row.get("upper_correct", 0),
                "lower_drawn": row.get("lower_drawn", 0),
                "lower_correct": row.get("lower_correct", 0),
                "p_upper": p_upper,
                "p_lower": p_lower,
                "discrimination": round(p_upper - p_lower, 4)
                if p_upper is not None and p_lower is not None
                else None,
                "most_chosen_wrong": most_wrong,
            }
        )
    rows.sort(key=lambda r: (r["correct_rate"] if r["correct_rate"] is not None else 2, r["question"]))

    categories = [
        {
            "category": row["category"],
            "drawn": row["drawn"],
            "correct": row["correct"],
            "correct_rate": _rate(row["correct"], row["drawn"]),
        }
        for row in items.values("category").annotate(drawn=Count("id"), correct=Count("id", filter=correct))
    ]
    categories.sort(key=lambda r: (r["correct_rate"] if r["correct_rate"] is not None else 2, r["category"]))
    return {
        "competition": {"id": competition.pk, "title": competition.title},
        "region": {"id": scope.pk, "code": scope.code, "name": scope.name} if scope else None,
        "attempts": total,
        "group_size": k,
        "keys_hidden": bool(hidden),
        "questions": rows,
        "categories": categories,
    }
