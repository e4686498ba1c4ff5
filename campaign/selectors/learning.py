"""Is the campaign teaching? Of the wrong answers given in a competition, the share since mastered.

A *wrong answer* here is a (person, question) pair with a wrong (or blank) answer in one of the
competition's counted attempts in the scope: submitted, not practice, the attempt's region snapshot
in the scope's subtree (`campaign.selectors.statistics.submitted_attempts`, as every campaign figure).
It is *mastered* by the learning loop's one rule (`quiz.selectors.progress`): the person's last wrong
answer to the question, anywhere, is followed by two right ones (usually in practice rounds). So a
question mastered and then answered wrong again counts as not mastered.
"""

from typing import Any

from accounts.models import Region
from campaign.selectors.statistics import submitted_attempts
from quiz.models import AttemptItem, Competition
from quiz.selectors.progress import mastery_by_category


def learning_by_category(*, competition: Competition, scope: Region | None) -> dict[str, Any]:
    """`{competition, region, wrong_questions, mastered, mastered_share, categories}`: the wrong
    answers of the scope's counted attempts and how many are mastered now, in all and per category
    (lowest share first). Two queries, whatever the number of people (see mastery_by_category)."""
    attempts = submitted_attempts(competition=competition, region=scope)
    body = mastery_by_category(wrong_items=AttemptItem.objects.filter(attempt__in=attempts.values("id")))
    return {
        "competition": {"id": competition.pk, "title": competition.title},
        "region": {"id": scope.pk, "code": scope.code, "name": scope.name} if scope else None,
        **body,
    }
