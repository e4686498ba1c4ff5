"""Property: the submission's plain-shape reading of its body (quiz.apis.attempts._plain_answers)
accepts only what AttemptSubmitInputSerializer accepts, and returns exactly what it validates;
anything else goes to the serializer, which reports the errors as it always did."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quiz.apis.attempts import AttemptSubmitInputSerializer, _plain_answers

LETTERS = st.sampled_from(list("ABCDEFGHabcdez"))
ODD_LETTERS = st.sampled_from(["", " ", "AB", "1", "Ä", "\x00", " A", "中", "A "])
QUESTIONS = st.one_of(
    st.integers(min_value=-(2**40), max_value=2**40),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=4),
)
PLAIN_ANSWER = st.fixed_dictionaries(
    {
        "question": st.integers(min_value=1, max_value=10**9),
        "selected": st.one_of(st.none(), st.lists(LETTERS, max_size=6)),
    }
)
ODD_ANSWER = st.one_of(
    st.fixed_dictionaries(
        {
            "question": QUESTIONS,
            "selected": st.one_of(
                st.none(),
                st.lists(st.one_of(LETTERS, ODD_LETTERS, st.integers()), max_size=8),
                st.text(max_size=3),
                st.integers(),
            ),
        },
        optional={"extra": st.integers()},
    ),
    st.fixed_dictionaries({"question": QUESTIONS}),
    st.lists(st.integers(), max_size=2),
    st.none(),
)
BODIES = st.one_of(
    st.fixed_dictionaries({"answers": st.lists(st.one_of(PLAIN_ANSWER, ODD_ANSWER), max_size=12)}),
    st.fixed_dictionaries({}, optional={"answers": st.one_of(st.none(), st.text(max_size=3), st.integers())}),
    st.lists(PLAIN_ANSWER, max_size=2),
    st.none(),
)


def _validated(body) -> list[dict] | None:
    serializer = AttemptSubmitInputSerializer(data=body)
    if not serializer.is_valid():
        return None
    return [dict(answer) for answer in serializer.validated_data["answers"]]


@settings(max_examples=400, deadline=None)
@given(BODIES)
def test_the_plain_reading_accepts_only_what_the_serializer_accepts_and_reads_it_alike(body):
    plain = _plain_answers(body)
    if plain is not None:
        assert plain == _validated(body)


@settings(max_examples=200, deadline=None)
@given(st.lists(PLAIN_ANSWER, max_size=30), st.booleans())
def test_the_plain_shape_is_read_without_the_serializer(answers, extra_key):
    body = {"answers": answers, **({"client": "h5"} if extra_key else {})}
    assert _plain_answers(body) == _validated(body) is not None


@pytest.mark.parametrize(
    "body",
    [
        {"answers": [{"question": 1}]},
        {"answers": [{"question": "1", "selected": ["A"]}]},
        {"answers": [{"question": True, "selected": ["A"]}]},
        {"answers": [{"question": 1, "selected": ["AB"]}]},
        {"answers": [{"question": 1, "selected": ["A"] * 7}]},
        {"answers": [{"question": 1, "selected": "A"}]},
        {"answers": None},
        {"answers": [{"question": 1, "selected": ["A"]}] * 501},
    ],
)
def test_anything_but_the_plain_shape_goes_to_the_serializer(body):
    assert _plain_answers(body) is None
