"""`manage.py rebuild_leaderboards [--competition ID ...]`: recompute the live store from the database.

The database is the truth. Run it after restoring Redis from nothing, after an outage, or any time
the figures are in doubt; it swaps each competition in atomically and is safe while people answer.
"""

from django.core.management.base import BaseCommand, CommandError

from leaderboard import services
from leaderboard.store import StoreUnavailable, get_store


class Command(BaseCommand):
    help = "Recompute the live leaderboards (Redis) exactly from the database."

    def add_arguments(self, parser):
        parser.add_argument(
            "--competition", type=int, action="append", dest="competitions", help="only this id"
        )

    def handle(self, *args, competitions=None, **options):
        if get_store().reads_use_database:
            self.stdout.write(
                "No REDIS_URL: the embedded leaderboard reads the database directly; nothing to rebuild."
            )
            return
        try:
            results = services.leaderboard_rebuild_all(competition_ids=competitions)
        except StoreUnavailable as exc:
            raise CommandError(f"Redis is not answering: {exc}") from exc
        for result in results:
            self.stdout.write(
                f"competition {result.competition_id}: {result.participants} participants, "
                f"{result.attempts} attempts, {result.points} points"
                + (f" (+{result.late_recorded} recorded during the rebuild)" if result.late_recorded else "")
            )
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {len(results)} leaderboard(s)."))
