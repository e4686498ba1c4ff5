"""Property: a well-formed one-column option cell, with any of the marks and separators other
systems use, splits back into exactly the options it was made from (issue 12)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quiz.importing.options import split_option_cell

MARKS = [".", "．", "、", ":", "：", "|", ""]
SEPARATORS = ["**", "|", "\n", "\r\n", " ", ""]
_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
_BODY = st.sampled_from(list("安全生产消防电工作业禁止警告通行0123456789（）%米年号级"))
# An option's text as banks have it: starting with a Chinese character, then words and digits.
OPTION = st.builds(lambda first, rest: first + "".join(rest), _HAN, st.lists(_BODY, max_size=8))
OPTIONS = st.lists(OPTION, min_size=2, max_size=6, unique=True)


@st.composite
def cells(draw):
    options = draw(OPTIONS)
    mark = draw(st.sampled_from(MARKS))
    separators = [s for s in SEPARATORS if mark or s.strip()]  # "A甲B乙" is not well-formed
    separator = draw(st.sampled_from(separators))
    lead = draw(st.sampled_from(["", separator])) if separator.strip() else ""
    cell = lead + separator.join(
        f"{letter}{mark}{text}" for letter, text in zip("ABCDEF", options, strict=False)
    )
    return cell, options


@given(cells())
def test_well_formed_cell_round_trips(case):
    cell, options = case

    split = split_option_cell(cell)

    assert split.options == options
    assert split.notes == []


@given(OPTIONS, st.sampled_from(MARKS), st.randoms(use_true_random=False))
def test_letters_in_any_order_after_double_stars_come_back_in_order(options, mark, random):
    lettered = list(zip("ABCDEF", options, strict=False))
    random.shuffle(lettered)
    cell = "".join(f"**{letter}{mark}{text}" for letter, text in lettered)

    assert split_option_cell(cell).options == options


@pytest.mark.parametrize("mark", MARKS)
def test_each_mark_in_a_written_example(mark):
    cell = f"**A{mark}生产热水**B{mark}生产蒸汽**C{mark}加热**D{mark}发电"

    assert split_option_cell(cell).options == ["生产热水", "生产蒸汽", "加热", "发电"]
