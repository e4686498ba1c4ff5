"""`manage.py leaderboard_catch_up`: record what the outbox still holds and build what Redis lost.

Every server process already does this every LEADERBOARD_CATCH_UP_SECONDS; the command is for cron
beside processes that run with it off, and for operators who want to see the outbox emptied now.
"""

from django.core.management.base import BaseCommand, CommandError

from leaderboard import services
from leaderboard.store import StoreUnavailable


class Command(BaseCommand):
    help = "Record the scored attempts still in the outbox on the live leaderboards (one pass)."

    def handle(self, *args, **options):
        try:
            recorded = services.leaderboard_catch_up()
        except StoreUnavailable as exc:
            raise CommandError(f"Redis is not answering: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Recorded {recorded} attempt(s) from the outbox."))
