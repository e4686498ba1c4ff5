"""The draw candidates' cache (quiz/selectors/draw.py): a ranked start reads no candidate rows
while nothing changed, and every change that matters reaches the very next start; a practice
keeps the answer-key rule exact (quiz/selectors/answer_keys.py), whatever the cache holds."""

from datetime import timedelta

import pytest
from django.utils import timezone

from quiz.models import Question
from quiz.selectors.draw import draw_candidates
from quiz.services.banks import bank_import
from quiz.services.competitions import competition_update
from tests.factories import CompetitionFactory, make_bank
from tests.support.bank_files import ZH_HEADER, ZH_ROWS, csv_bytes

pytestmark = pytest.mark.django_db


def _ids(competition) -> set[int]:
    return {qid for qid, _type, _category in draw_candidates(competition=competition, now=timezone.now())}


@pytest.fixture
def bank():
    return make_bank(singles=6)


@pytest.fixture
def ranked(bank):
    return CompetitionFactory(banks=[bank], questions_per_attempt=5)


def test_a_ranked_competitions_candidates_are_read_once(ranked, bank, django_assert_num_queries):
    first = _ids(ranked)

    with django_assert_num_queries(0):
        again = _ids(ranked)

    assert first == again == set(bank.questions.values_list("pk", flat=True))


def test_a_deactivated_question_is_not_a_candidate_from_the_next_start_on(ranked, bank):
    _ids(ranked)
    question = bank.questions.first()
    question.is_active = False
    question.save()

    assert question.pk not in _ids(ranked)


def test_a_deleted_question_is_not_a_candidate_from_the_next_start_on(ranked, bank):
    _ids(ranked)
    question = bank.questions.first()
    deleted = question.pk
    question.delete()

    assert deleted not in _ids(ranked)


def test_a_bank_added_to_a_competition_is_drawn_from_at_once(ranked):
    _ids(ranked)
    other = make_bank(singles=2, category="交通安全")
    competition_update(competition=ranked, data={}, banks=[*ranked.banks.all(), other])

    assert set(other.questions.values_list("pk", flat=True)) <= _ids(ranked)


def test_imported_questions_are_candidates_at_once(ranked, bank):
    _ids(ranked)
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, *ZH_ROWS]), filename="more.csv")

    assert _ids(ranked) == set(Question.objects.filter(bank=bank).values_list("pk", flat=True))


def test_a_practice_never_draws_a_cached_ranked_competitions_questions_until_it_closes(ranked, bank):
    own = make_bank(singles=3, category="交通安全")
    practice = CompetitionFactory(banks=[bank, own], questions_per_attempt=3, is_practice=True)
    ranked_ids = _ids(ranked)  # cached now

    assert _ids(practice) == set(own.questions.values_list("pk", flat=True))
    competition_update(competition=ranked, data={}, status="closed")
    assert _ids(practice) == ranked_ids | set(own.questions.values_list("pk", flat=True))


def test_a_practice_follows_the_clock_when_the_ranked_competition_ends(ranked, bank):
    own = make_bank(singles=3, category="交通安全")
    practice = CompetitionFactory(banks=[bank, own], questions_per_attempt=3, is_practice=True)
    _ids(ranked)
    later = ranked.ends_at + timedelta(seconds=1)

    during = {q for q, _t, _c in draw_candidates(competition=practice, now=timezone.now())}
    after = {q for q, _t, _c in draw_candidates(competition=practice, now=later)}

    assert during == set(own.questions.values_list("pk", flat=True))
    assert after == during | set(bank.questions.values_list("pk", flat=True))


def test_the_admins_bulk_deactivation_reaches_the_next_start(ranked, bank):
    from quiz.services.banks import questions_set_active

    _ids(ranked)
    off = list(bank.questions.values_list("pk", flat=True)[:2])
    questions_set_active(question_ids=off, active=False)

    assert not set(off) & _ids(ranked)


def test_a_ranked_start_reads_no_question_it_drew_before(ranked, bank, django_assert_num_queries):
    from quiz.services.drawing import draw_questions

    ranked.questions_per_attempt = 6  # the whole bank: the second draw can only repeat the first
    first = draw_questions(competition=ranked)
    with django_assert_num_queries(0):
        again = draw_questions(competition=ranked)

    assert sorted(q.pk for q in first) == sorted(q.pk for q in again)


def test_an_edited_question_is_frozen_as_edited_from_the_next_start_on(ranked, bank):
    from quiz.services.drawing import draw_questions

    ranked.questions_per_attempt = 6
    draw_questions(competition=ranked)  # every question's content is cached now
    question = bank.questions.first()
    question.stem, question.answer, question.explanation = "改过的题干", "D", "改过的解析"
    question.save()

    frozen = {q.pk: q for q in draw_questions(competition=ranked)}[question.pk]

    assert (frozen.stem, frozen.answer, frozen.explanation) == ("改过的题干", "D", "改过的解析")


def test_a_practice_reads_its_questions_afresh_at_every_start(bank, django_assert_num_queries):
    from quiz.services.drawing import draw_questions

    practice = CompetitionFactory(banks=[bank], questions_per_attempt=3, is_practice=True)
    draw_questions(competition=practice)
    Question.objects.filter(bank=bank).update(stem="只改数据库")  # no signal: only a fresh read sees it

    assert {q.stem for q in draw_questions(competition=practice)} == {"只改数据库"}
