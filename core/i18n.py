"""Helpers for data that carries its own Chinese and English names."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "zh-hans").lower().startswith("en")


def localized(name_zh: str, name_en: str, *, english: bool | None = None) -> str:
    """The name in the active language, falling back to Chinese where no English name exists.

    `english`: `is_english()` computed once by a caller that names many things in one answer."""
    if english is None:
        english = is_english()
    if english and name_en:
        return name_en
    return name_zh
