"""Write the day's briefing (JSON, chat text, poster) for a competition and a region: for cron."""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation

from accounts.models import Region
from campaign import images, selectors
from campaign.apis.briefings import briefing_filename
from quiz.models import Competition


class Command(BaseCommand):
    help = "Write briefing-<region>-<time>.json, .txt and .png for a competition and a region into a folder."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--competition", type=int, required=True, help="competition id")
        parser.add_argument("--region", required=True, help="region code (a county, or the prefecture)")
        parser.add_argument("--out", required=True, help="folder to write into (created if missing)")
        parser.add_argument("--language", default=settings.LANGUAGE_CODE, help="default: the site's")

    def handle(self, *args, **options) -> None:
        competition = Competition.objects.filter(pk=options["competition"]).first()
        if competition is None:
            raise CommandError(f"No competition {options['competition']}.")
        region = Region.objects.filter(code=options["region"]).first()
        if region is None:
            raise CommandError(f"No region with code {options['region']}.")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        with translation.override(options["language"]):
            briefing = selectors.briefing_build(competition=competition, scope=region)
            files = {
                "json": json.dumps(briefing, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode(),
                "txt": selectors.briefing_text(briefing=briefing).encode(),
                "png": images.briefing_png(briefing=briefing),
            }
        for extension, content in files.items():
            path = out / briefing_filename(briefing=briefing, extension=extension)
            path.write_bytes(content)
            self.stdout.write(str(path))
