"""Django admin of the quiz app: banks and questions (banks.py), competitions and attempts (competitions.py)."""

from quiz.admin import banks, competitions  # noqa: F401
