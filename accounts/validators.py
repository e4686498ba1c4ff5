"""Rules for usernames, display names and passwords, shared by the API and the site's form.

Usernames (and display names, their fallback) are shown in rankings and draws, so a name must not
impersonate the platform's staff nor hide its real shape: Django's username rule, no invisible or
formatting characters (bidi overrides, zero-width joiners, spaces of any kind), no mixing of
Latin with Cyrillic or Greek letters, and nothing that looks like a reserved name once fullwidth
forms are folded (NFKC) and common homoglyphs are mapped to Latin.
"""

import unicodedata

from django.contrib.auth import password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

# Names that speak for the platform. Compared by skeleton (below), so look-alikes count too.
RESERVED_USERNAMES = frozenset(
    {
        "admin",
        "administrator",
        "root",
        "organizer",
        "organiser",
        "superuser",
        "staff",
        "system",
        "support",
        "moderator",
        "official",
        "管理员",
        "系统",
        "官方",
        "客服",
    }
)

# A small confusables map (after NFKC and casefold): Cyrillic and Greek letters that look like
# Latin ones, and digits/letters that pass for each other in a ranking's font. Not the whole
# Unicode confusables table: mixed scripts are refused outright, so this only has to catch a name
# written wholly in look-alikes.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "с": "c",
        "ԁ": "d",
        "е": "e",
        "ё": "e",
        "һ": "h",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "к": "k",
        "ӏ": "l",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "ԛ": "q",
        "г": "r",
        "ѕ": "s",
        "т": "t",
        "ц": "u",
        "ѵ": "v",
        "ԝ": "w",
        "х": "x",
        "у": "y",
        "з": "3",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "μ": "u",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "γ": "y",
        "ω": "w",
        # Latin look-alikes of each other
        "ı": "i",
        "ɑ": "a",
        "ɡ": "g",
        "ß": "ss",
        "0": "o",
        "1": "l",
        "i": "l",
        "|": "l",
        "5": "s",
        "$": "s",
        "@": "a",
    }
)
_SEPARATORS = str.maketrans("", "", "._-+ ")
# Unicode categories never allowed in a name: format (bidi overrides, zero-width characters),
# control, spaces and line/paragraph separators, unassigned and private use.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Cn", "Co", "Cs"})
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def name_skeleton(value: str) -> str:
    """What a name looks like: NFKC, case-folded, homoglyphs mapped to Latin, separators dropped."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    # Twice: a Cyrillic і becomes i, which then looks like l as the Latin i does.
    latin = folded.translate(_CONFUSABLES).translate(_CONFUSABLES)
    return latin.replace("rn", "m").translate(_SEPARATORS)


def _has_invisible_characters(value: str) -> bool:
    return any(unicodedata.category(char) in _INVISIBLE_CATEGORIES for char in value)


def _scripts(value: str) -> set[str]:
    found = set()
    for char in value:
        if char.isalpha():
            name = unicodedata.name(char, "")
            found.update(script for script in _CONFUSABLE_SCRIPTS if name.startswith(script))
    return found


def validate_display_name(value: str) -> None:
    """Refuse invisible and formatting characters (a bidi override turns a name around in rankings)."""
    if _has_invisible_characters(value.strip()):
        raise ValidationError(
            _("Names may not contain invisible or formatting characters."), code="invisible_character"
        )


def validate_username(value: str) -> None:
    """Refuse a username the rankings would show misleadingly; the ValidationError's code says why.

    The caller stores `unicodedata.normalize("NFKC", value)` (what Django's own user model does).
    """
    if _has_invisible_characters(value):
        raise ValidationError(
            _("Usernames may not contain spaces or invisible characters."), code="invisible_character"
        )
    UnicodeUsernameValidator()(value)
    if len(_scripts(unicodedata.normalize("NFKC", value))) > 1:
        raise ValidationError(
            _("Usernames may not mix Latin letters with Cyrillic or Greek ones."), code="mixed_script"
        )
    if name_skeleton(value) in {name_skeleton(reserved) for reserved in RESERVED_USERNAMES}:
        raise ValidationError(_("This username is reserved. Choose another."), code="reserved_username")


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in our catalogue.

    Django 5.2 changed this message's msgid (`%(min_length)d` to `%d`) and its zh_Hans catalogue
    still carries only the old one, so the message showed in English to Chinese users. Same msgid
    as Django's, so it is Django's translation once Django ships it; ours until then.
    """

    def get_error_message(self) -> str:
        return (
            ngettext(
                "This password is too short. It must contain at least %d character.",
                "This password is too short. It must contain at least %d characters.",
                self.min_length,
            )
            % self.min_length
        )
