"""Options written in one cell, and text as other systems export it (hard line breaks, tabs).

Banks exported by other training systems put all options in one cell, and not tidily: letters
with any mark or none (`A、` `B.` `C4` `c、` `C|` `C,`), `**` between some options and not others,
letters out of order, an option's letter repeated inside its text (`B、B. 警灯`), and letters that
belong to the text (`D、(A. B. C)全包含`, `A、A、B级`). `split_option_cell` reads what is certain,
raises `CellError` naming what is not, and returns notes for what an admin should look at in the
preview. Whatever it returns, no option text begins with another option's letter or holds a
separator (`**`, `|`).
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from quiz.importing.values import CellError
from quiz.models import OPTION_KEYS

_LETTERS = "ABCDEFG"  # G only to notice a seventh option
_TO_LETTER = str.maketrans("ＡＢＣＤＥＦＧａｂｃｄｅｆｇabcdefg", _LETTERS * 3)
_UP = "A-GＡ-Ｇ"
_LOW = "a-gａ-ｇ"
_LATIN = "A-Za-zＡ-Ｚａ-ｚ"
_MARKS = ".．、:：,，)）|"
_TRIM = " \t\r\n\u3000*|;；,，"


def _label(named: bool) -> str:
    """A letter that starts an option, at the start of a piece of the cell: "(A)", a letter with a
    mark ("A." "c、" "C|" "C,"), or an upper-case letter straight before the text ("C4", "B差速器")."""
    group = (lambda name: f"?P<{name}>") if named else (lambda name: "?:")
    return (
        rf"[(（]\s*({group('p')}[{_UP}{_LOW}])\s*[)）]"
        rf"|({group('m')}[{_UP}{_LOW}])\s*[{_MARKS}]"
        rf"|({group('b')}[{_UP}])(?=\s*[^\s{_LATIN}{_MARKS}*])"
    )


_LABEL_RE = re.compile(rf"\s*(?:{_label(True)})\s*")
# `**` always separates options; `|` and line breaks only when an option letter follows them
# (`**C|近2年` uses `|` as a mark, and a line break may fall inside an option's text).
_STRONG_SEP_RE = re.compile(r"\*{2,}")
_SOFT_SEP_RE = re.compile(rf"(?:\|+|[\r\n]+)(?=\s*(?:{_label(False)}))")
_PLAIN_SEPARATORS = (re.compile(r"\*{2,}"), re.compile(r"\|+"), re.compile(r"[\r\n]+"))
# The next letter inside an option's text, when no separator came before it
# (`A、生产热水B、生产蒸汽C,加热…`, `A、禁止 B、警告`): with a mark, or alone after a space.
_INLINE_RE = {
    letter: re.compile(
        rf"(?<![{_LATIN}])(?:[(（]\s*{letter}\s*[)）]|[{letter}{wide}]\s*[.．、:：,，)）|]"
        rf"|(?<=\s)[{letter}{wide}](?=[^\s{_LATIN}{_MARKS}*]))"
    )
    for letter, wide in zip(_LETTERS, "ＡＢＣＤＥＦＧ", strict=True)
}
# An option's own letter repeated at the start of its text (`B、B. 警灯`), unless a letter follows
# (`A、A、B级`: "A、B级" is the text).
_OWN_LABEL_RE = {
    letter: re.compile(rf"\s*[{letter}{wide}]\s*[.．、:：]\s*(?=[^\s{_LATIN}])")
    for letter, wide in zip(_LETTERS, "ＡＢＣＤＥＦＧ", strict=True)
}
# After the split: a letter with a mark and text, at the start or after a space, is a bad split
# (`乙 B.丙`); `(A. B. C)全包含` and `A、B级` are text...
_LABEL_INSIDE_RE = re.compile(rf"(?:^|(?<=\s))([A-G])\s*[.:、]\s*(?=[^\s{_LATIN}])")
# ... and text holding a letter with a mark, or a letter between two Chinese characters, may be one.
_LETTER_INSIDE_RE = re.compile(
    rf"(?<![{_LATIN}])[A-FＡ-Ｆ]\s*[.．、:：]|[\u4e00-\u9fff][A-FＡ-Ｆ][\u4e00-\u9fff]"
)


@dataclass
class OptionSplit:
    """The options of one cell in order A, B, C..., and notes for the admin (warnings)."""

    options: list[str]
    notes: list[str] = field(default_factory=list)


def split_options(text: str) -> list[str]:
    """The option texts of a one-column cell (see `split_option_cell`)."""
    return split_option_cell(text).options


def split_option_cell(text: str) -> OptionSplit:
    """All options in one cell, as other systems export them, into texts in order A, B, C...

    Accepts `**A.正确**B.错误`, `A、禁止 B、警告 C、通行`, `A:x|B:y`, one option per line, letters
    with any mark or none, lower-case letters with a mark, letters out of order (put in order:
    the answer's letters keep their meaning) and, lacking letters, texts separated by `**`, `|`
    or line breaks. CellError for a letter given twice, a missing letter (`A, B, D`), text
    outside any option, or an option that would still begin with another option's letter.
    """
    if not text.strip(_TRIM):
        return OptionSplit([])
    pieces = [
        piece
        for strong in _STRONG_SEP_RE.split(text)
        for piece in _SOFT_SEP_RE.split(strong)
        if piece.strip(_TRIM)
    ]
    labelled: list[tuple[str, str]] = []
    unlabelled: list[str] = []
    for piece in pieces:
        match = _LABEL_RE.match(piece)
        if match is None:
            unlabelled.append(piece)
            continue
        letter = (match.group("p") or match.group("m") or match.group("b")).translate(_TO_LETTER)
        labelled.append((letter, piece[match.end() :]))
    if not labelled:
        return OptionSplit(_unlettered(text))
    if unlabelled:
        raise CellError(
            _(
                "The options cannot be told apart: “%(text)s” has no option letter. Write them as "
                "“A.… B.… C.…” or use the columns A to F."
            )
            % {"text": unlabelled[0].strip(_TRIM)}
        )
    labelled = _split_inline(labelled)

    letters = [letter for letter, _body in labelled]
    for letter in letters:
        if letters.count(letter) > 1:
            raise CellError(_("Option %(letter)s appears twice.") % {"letter": letter})
    ordered = sorted(letters)
    if ordered[-1] == "G":
        raise CellError(_("At most six options (A to F) are allowed."))
    expected = list(OPTION_KEYS[: len(ordered)])
    if ordered != expected:
        missing = [
            letter for letter in OPTION_KEYS[: OPTION_KEYS.index(ordered[-1]) + 1] if letter not in letters
        ]
        raise CellError(
            _("The options found are %(found)s: option %(missing)s is missing.")
            % {"found": ", ".join(ordered), "missing": ", ".join(missing)}
        )
    split = OptionSplit([])
    if letters != ordered:
        split.notes.append(
            _(
                "The options are written in the order %(found)s; they are imported in the order "
                "%(ordered)s and the answer keeps its letters."
            )
            % {"found": ", ".join(letters), "ordered": ", ".join(ordered)}
        )
    bodies = dict(labelled)
    for letter in ordered:
        body = bodies[letter]
        own = _OWN_LABEL_RE[letter].match(body)
        if own is not None:
            body = body[own.end() :]
        option = join_lines(body.strip(_TRIM))
        if not option:
            raise CellError(_("Option %(letter)s is empty.") % {"letter": letter})
        _check_option(letter, option, split.notes, "".join(ordered))
        split.options.append(option)
    return split


def _split_inline(labelled: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Cut a piece's text at the following letters when no separator came before them."""
    given = {letter for letter, _body in labelled}
    result: list[tuple[str, str]] = []
    for letter, body in labelled:
        current, start = letter, 0
        while current != "G":
            following = _LETTERS[_LETTERS.index(current) + 1]
            if following in given:
                break  # that letter has a piece of its own: a letter here is text
            match = _INLINE_RE[following].search(body, start)
            if match is None:
                break
            result.append((current, body[start : match.start()]))
            current, start = following, match.end()
        result.append((current, body[start:]))
    return result


def _unlettered(text: str) -> list[str]:
    """Options without letters, separated by `**`, else `|`, else line breaks."""
    for separator in _PLAIN_SEPARATORS:
        parts = [join_lines(part.strip(_TRIM)) for part in separator.split(text)]
        parts = [part for part in parts if part]
        if len(parts) >= 2:
            if len(parts) > len(OPTION_KEYS):
                raise CellError(_("At most six options (A to F) are allowed."))
            for letter, part in zip(OPTION_KEYS, parts, strict=False):
                _check_option(letter, part, [], "")
            return parts
    raise CellError(
        _("The options cannot be told apart; write them as “A.… B.… C.…” or use the columns A to F.")
    )


def _check_option(letter: str, option: str, notes: list, letters: str) -> None:
    """CellError for an option text that still holds a separator or begins with another letter;
    a note when it holds something that looks like a letter (the preview shows it)."""
    if "**" in option or "|" in option:
        raise CellError(
            _(
                "Option %(letter)s “%(text)s” still holds a separator (** or |); the options cannot be told apart."
            )
            % {"letter": letter, "text": option}
        )
    inside = _LABEL_INSIDE_RE.search(unicodedata.normalize("NFKC", option))
    if inside is not None:
        if inside.group(1) in letters:
            raise CellError(_("Option %(letter)s appears twice.") % {"letter": inside.group(1)})
        raise CellError(
            _(
                "Option %(letter)s “%(text)s” holds the option letter %(other)s; the options cannot be "
                "told apart for sure. Use the columns A to F."
            )
            % {"letter": letter, "text": option, "other": inside.group(1)}
        )
    if _LETTER_INSIDE_RE.search(option):
        notes.append(
            _("Option %(letter)s “%(text)s” holds what looks like an option letter; check the split.")
            % {"letter": letter, "text": option}
        )


# --- text as exported -------------------------------------------------------------------------

_BREAK_RE = re.compile(r"[ \u3000]*(?:\r\n|\r|\n|\t)[ \t\u3000\r\n]*")
# The start of a list item: "1." "2、" "(3)" "①" "一、" "A." "- " "• ".
_LIST_ITEM_RE = re.compile(
    r"(?:[0-9０-９]{1,2}\s*[.．、)）](?![0-9０-９])|[(（][0-9０-９一二三四五六七八九十]{1,2}[)）]|[①-⑳]"
    r"|[一二三四五六七八九十]{1,2}[、.．]|[A-Fa-f]\s*[.．、)）]|[-•·●▪■◆]\s?)"
)


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def join_lines(text: str) -> str:
    """Text with the hard line breaks and tabs of an export joined: nothing between Chinese
    characters (`还\\n可对全身` -> `还可对全身`), a space between words; a line break is kept
    before a list item (`1.` `（2）` `①` `A.` `-`)."""
    if "\n" not in text and "\r" not in text and "\t" not in text:
        return text

    def join(match: re.Match) -> str:
        before, after = text[: match.start()], text[match.end() :]
        if not before or not after:
            return ""
        if ("\n" in match.group() or "\r" in match.group()) and _LIST_ITEM_RE.match(after):
            return "\n"
        return "" if _is_wide(before[-1]) or _is_wide(after[0]) else " "

    return _BREAK_RE.sub(join, text).strip()
