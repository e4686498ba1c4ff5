"""Helpers for data that carries its own Chinese and English names."""

from django.utils.translation import get_language


def is_english() -> bool:
    return (get_language() or "zh-hans").lower().startswith("en")


def localized(name_zh: str, name_en: str) -> str:
    """The name in the active language, falling back to Chinese where no English name exists."""
    if is_english() and name_en:
        return name_en
    return name_zh
