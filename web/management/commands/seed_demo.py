"""`manage.py seed_demo`: demo regions, units, accounts, question bank and competition. Idempotent.

It lives in the top layer because it orchestrates the apps below: each app keeps its own demo data
(accounts.demo, quiz.demo) and this command runs them in order.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from accounts.demo import seed_accounts_data
from quiz import demo as quiz_demo
from web.demo import seed_demo_attempts


class Command(BaseCommand):
    help = (
        "Load the Linxia demo data (regions, units, accounts, question bank, competition). Safe to run twice."
    )

    def handle(self, *args, **options) -> None:
        credentials = seed_accounts_data()
        for line in quiz_demo.seed():
            self.stdout.write(line)
        for line in seed_demo_attempts(competition_title=quiz_demo.DEMO_COMPETITION_TITLE):
            self.stdout.write(line)

        self.stdout.write(self.style.SUCCESS(_("Demo data is ready. Demo accounts:")))
        for username, password, role in credentials:
            self.stdout.write(f"  {role:<12} {username:<20} {password}")
