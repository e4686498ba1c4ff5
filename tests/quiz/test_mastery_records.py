"""The learning loop's records, worked out by the database, against the rule written out in Python.

`quiz.selectors.progress.question_records` orders each (person, question) pair's events with window
functions and sums them in SQL. Here random histories (ranked attempts, learning rounds, blank and
unscored items, answers with and without their own moment, timestamps that tie) are checked against a
plain reading of the rule in the module's docstring, on whichever database the tier runs.
"""

import random
from collections import defaultdict
from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.models import Attempt, AttemptItem
from quiz.selectors import progress
from tests.factories import CompetitionFactory, UserFactory, make_bank

LEARNING = {Attempt.Kind.WRONG_ANSWERS, Attempt.Kind.TOPIC}


def _reference(items: list[AttemptItem]) -> dict[tuple[int, int], tuple[int, int, str, object]]:
    """`{(user, question): (times_wrong, right_streak, category, last_seen)}` by the docstring's rule."""
    history = defaultdict(list)
    last_seen = {}
    for item in items:
        attempt = item.attempt
        key = (attempt.user_id, item.question_id)
        counts = item.is_correct is not None and not (attempt.kind in LEARNING and item.selected is None)
        moment = item.answered_at or attempt.submitted_at or attempt.started_at
        history[key].append((moment, item.pk, item.is_correct if counts else None, item.category))
        last_seen[key] = max(last_seen.get(key, attempt.started_at), attempt.started_at)
    records = {}
    for key, events in history.items():
        events.sort(key=lambda event: (event[0], event[1]))
        wrong = streak = 0
        for _moment, _pk, is_correct, _category in events:
            if is_correct is False:
                wrong, streak = wrong + 1, 0
            elif is_correct:
                streak += 1
        if wrong:
            records[key] = (wrong, streak, events[-1][3], last_seen[key])
    return records


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_records_follow_the_rule_over_random_histories(linxia, seed):
    rng = random.Random(seed)
    bank = make_bank(singles=6)
    competition = CompetitionFactory(banks=[bank], questions_per_attempt=6)
    questions = list(bank.questions.order_by("pk"))
    people = [UserFactory(region=linxia["linxia_city"]) for _ in range(3)]
    base = timezone.now() - timedelta(days=30)
    for person in people:
        for round_number in range(rng.randint(2, 9)):
            kind = rng.choice([Attempt.Kind.COMPETITION, Attempt.Kind.WRONG_ANSWERS, Attempt.Kind.TOPIC])
            # Few distinct moments, so that events tie often: a tie falls back on the item id.
            started = base + timedelta(hours=rng.randint(0, 6))
            submitted = rng.random() < 0.8
            attempt = Attempt.objects.create(
                user=person,
                competition=competition,
                kind=kind,
                is_practice=kind != Attempt.Kind.COMPETITION,
                status=Attempt.Status.SUBMITTED if submitted else Attempt.Status.IN_PROGRESS,
                started_at=started,
                deadline=started + timedelta(minutes=10),
                submitted_at=started + timedelta(minutes=rng.choice([0, 60])) if submitted else None,
                day=started.date(),
                question_count=0,
                region=person.region,
            )
            for position, question in enumerate(rng.sample(questions, rng.randint(1, 4)), start=1):
                selected = rng.choice([None, ["A"], ["B"]])
                is_correct = rng.choice([None, True, False]) if selected or rng.random() < 0.5 else None
                AttemptItem.objects.create(
                    attempt=attempt,
                    question=question,
                    position=position,
                    type=question.type,
                    stem=question.stem,
                    options=[{"key": "A", "text": "a"}, {"key": "B", "text": "b"}],
                    correct=["A"],
                    key_map={"A": "A", "B": "B"},
                    category=rng.choice(["消防安全", "交通安全", "危化品"]),
                    selected=selected,
                    answered_at=started + timedelta(minutes=rng.randint(0, 70))
                    if rng.random() < 0.6
                    else None,
                    is_correct=is_correct,
                )
    items = list(AttemptItem.objects.select_related("attempt"))
    expected = _reference(items)
    assert expected, "the random histories should hold some wrong answers"

    found = progress.question_records(items=AttemptItem.objects.all())
    assert {
        key: (record.times_wrong, record.right_streak, record.category, record.last_seen)
        for key, record in found.items()
    } == expected
    for person in people:
        mine = progress.user_question_records(user=person)
        assert {(person.pk, qid) for qid in mine} == {key for key in expected if key[0] == person.pk}
