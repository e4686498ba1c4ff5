"""The demo banks' content (issue 15's question-by-question review): no question asked twice, no
two options of a question that say the same thing, multiple choice that cannot be passed by ticking
all but the absurd option, and the specific slips the review found, so they do not come back.

Reads quiz/demo_data/ directly (no database): these are properties of the shipped files."""

import csv
import itertools
import re
from collections import Counter
from difflib import SequenceMatcher

import pytest

from quiz.demo import DEMO_DATA

LANGUAGES = {"zh": ["safety_zh_part*.csv", "practice_zh_part*.csv"], "en": ["safety_en_part*.csv"]}


def _questions(language: str) -> list[dict]:
    found = []
    for pattern in LANGUAGES[language]:
        for path in sorted(DEMO_DATA.glob(pattern)):
            with path.open(encoding="utf-8-sig", newline="") as handle:
                rows = list(csv.reader(handle))
            for number, row in enumerate(rows[1:], start=2):
                found.append(
                    {
                        "where": f"{path.name} row {number}",
                        "type": row[0],
                        "stem": row[1],
                        "options": [option for option in row[2:8] if option],
                        "answer": row[8],
                        "explanation": row[9],
                    }
                )
    return found


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _words(text: str, language: str) -> Counter:
    return Counter(_plain(text)) if language == "zh" else Counter(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_question_is_asked_twice(language):
    """Two parts both asked whether to shelter under a tree in a thunderstorm, in other words."""
    questions = _questions(language)
    twice = [
        (a["where"], b["where"])
        for a, b in itertools.combinations(questions, 2)
        if a["type"] == b["type"]
        and SequenceMatcher(
            None, _plain(a["stem"] + "".join(a["options"])), _plain(b["stem"] + "".join(b["options"]))
        ).ratio()
        >= 0.9
    ]

    assert twice == []


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_two_options_are_the_same_words_reordered(language):
    """ "Safety foremost, prevention first" beside the policy's "Safety first, prevention foremost".

    A question whose every option orders the same words (steps of using an extinguisher) asks for
    the order and is left alone; so are dates and numbers (2012 and 2021)."""
    same = []
    for q in _questions(language):
        words = [_words(option, language) for option in q["options"]]
        if len(words) > 1 and all(w == words[0] for w in words):
            continue
        for (a, wa), (b, wb) in itertools.combinations(zip(q["options"], words, strict=True), 2):
            if wa == wb and not re.search(r"\d", a):
                same.append((q["where"], a, b))

    assert same == []


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_multiple_choice_is_not_all_but_one_absurd_option(language):
    multiple = [q for q in _questions(language) if q["type"] in ("多选", "multiple")]
    correct = Counter(len(q["answer"]) for q in multiple)

    assert correct[2] >= 8, correct  # some with two right options ...
    assert correct[2] + correct[3] + correct[4] == len(multiple)
    assert correct[4] <= len(multiple) // 3  # ... and few where only one option is wrong out of five


def test_six_donts_are_six():
    """A part-2 explanation announced the "六不" and listed five."""
    listed = [
        (q["where"], q["explanation"])
        for language in LANGUAGES
        for q in _questions(language)
        if re.search(r"六不”是?：|Six Don'ts\": ", q["explanation"])
    ]

    assert len(listed) >= 4
    for where, explanation in listed:
        rules = re.split(r"[：:] ?", explanation, maxsplit=1)[1]
        assert len(re.split(r"[；;] ?", rules.split("。")[0].rstrip("."))) == 6, where


def test_general_questions_name_no_local_place():
    """A general question's explanation named 临夏州."""
    local = [
        q["where"]
        for language in LANGUAGES
        for q in _questions(language)
        if re.search("临夏|Linxia", q["explanation"]) and not re.search("临夏|Linxia", q["stem"])
    ]

    assert local == []


def test_drunk_driving_is_not_said_to_be_always_prosecuted():
    """Since the 2023 opinion on drunk-driving cases, a very minor case may not be prosecuted."""
    absolute = [
        q["where"]
        for language in LANGUAGES
        for q in _questions(language)
        if re.search("将被依法追究刑事责任|is prosecuted under criminal law", q["stem"] + q["explanation"])
    ]

    assert absolute == []
