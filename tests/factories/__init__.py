"""factory_boy factories and builders shared by all tests: accounts, quiz content, submitted attempts."""

from tests.factories.accounts import IndustryFactory, OrganizationFactory, RegionFactory, UserFactory
from tests.factories.attempts import record_submission, submit_through_services
from tests.factories.quiz import (
    CompetitionFactory,
    QuestionBankFactory,
    QuestionFactory,
    competition_with_bank,
    make_bank,
    make_competition,
)

__all__ = [
    "CompetitionFactory",
    "IndustryFactory",
    "OrganizationFactory",
    "QuestionBankFactory",
    "QuestionFactory",
    "RegionFactory",
    "UserFactory",
    "competition_with_bank",
    "make_bank",
    "make_competition",
    "record_submission",
    "submit_through_services",
]
