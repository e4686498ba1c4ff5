"""factory_boy factories and builders shared by all tests: accounts, quiz content, submitted attempts."""

from tests.factories.accounts import IndustryFactory, OrganizationFactory, RegionFactory, UserFactory
from tests.factories.attempts import AttemptFactory, answers_for, submit_attempt
from tests.factories.quiz import (
    CompetitionFactory,
    QuestionBankFactory,
    QuestionFactory,
    competition_with_bank,
    make_bank,
)

__all__ = [
    "AttemptFactory",
    "CompetitionFactory",
    "IndustryFactory",
    "OrganizationFactory",
    "QuestionBankFactory",
    "QuestionFactory",
    "RegionFactory",
    "UserFactory",
    "answers_for",
    "competition_with_bank",
    "make_bank",
    "submit_attempt",
]
