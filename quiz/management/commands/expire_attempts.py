"""`manage.py expire_attempts`: finalise every attempt left in progress past its deadline plus grace.

The APIs already do this lazily for the caller's own attempts; run this from cron (e.g. every few
minutes) so that abandoned attempts reach the rankings even when their owner never comes back.
"""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from quiz.services.finalising import attempt_expire_overdue


class Command(BaseCommand):
    help = "Finalise (score as they stood) the attempts left in progress past their deadline plus grace."

    def handle(self, *args, **options) -> None:
        total = 0
        while True:  # the service finalises at most 1000 per call
            finalized = attempt_expire_overdue()
            total += finalized
            if finalized < 1000:
                break
        self.stdout.write(
            ngettext("%d overdue attempt finalised.", "%d overdue attempts finalised.", total) % total
        )
