"""The zh_Hans catalogues agree with each other and with their msgids (issue 15).

Django merges every app's catalogue into one: when two apps translate the same msgid (in the same
context) differently, the app listed first in INSTALLED_APPS wins everywhere, and the other app's
page shows a word meant for another place ("Open" as 进行中 on an admin link). A word that means two
things gets a context (pgettext, {% translate "x" context "y" %}); a word that means one thing gets
one translation. A placeholder the translation drops or misspells raises at run time or loses the
value, so msgid and msgstr must carry the same ones.
"""

import re
from collections import Counter, defaultdict
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ["accounts", "core", "quiz", "leaderboard", "campaign", "web"]
CATALOGUES = {
    **{app: ROOT / app / "locale/zh_Hans/LC_MESSAGES/django.po" for app in APPS},
    "locale": ROOT / "locale/zh_Hans/LC_MESSAGES/django.po",
    "locale (js)": ROOT / "locale/zh_Hans/LC_MESSAGES/djangojs.po",
}
# %(name)s / %(n)d / %s / %d, and str.format's {name} / {0}; %% is a literal percent sign.
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{[A-Za-z_0-9]*\}")


def _placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text.replace("%%", "")))


def _entries():
    for name, path in CATALOGUES.items():
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags or not entry.translated():
                continue
            yield name, entry


def _translation(entry) -> str:
    return entry.msgstr or " | ".join(entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural))


def test_every_catalogue_exists():
    assert all(path.is_file() for path in CATALOGUES.values()), CATALOGUES


def test_no_msgid_is_translated_differently_in_two_catalogues():
    translations: dict[tuple, dict[str, str]] = defaultdict(dict)
    for name, entry in _entries():
        if name == "locale (js)":  # another domain: Django never merges it with the others
            continue
        key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
        translations[key][name] = _translation(entry)

    collisions = {key: found for key, found in translations.items() if len(set(found.values())) > 1}

    assert collisions == {}


@pytest.mark.parametrize("name", list(CATALOGUES))
def test_translations_keep_the_msgids_placeholders(name):
    wrong = []
    for entry in polib.pofile(str(CATALOGUES[name])):
        if entry.obsolete or not entry.translated():
            continue
        if entry.msgid_plural:
            # Chinese has one form, used for every count: it must carry the plural's placeholders.
            expected = _placeholders(entry.msgid_plural)
            found = [_placeholders(text) for text in entry.msgstr_plural.values()]
            if any(placeholders != expected for placeholders in found):
                wrong.append((entry.msgid_plural, list(entry.msgstr_plural.values())))
        elif _placeholders(entry.msgid) != _placeholders(entry.msgstr):
            wrong.append((entry.msgid, entry.msgstr))

    assert wrong == []
