"""Compile every .po catalogue to .mo in pure Python (polib), so no GNU gettext is needed to run.

`make messages` (which does need gettext's xgettext) refreshes the .po files from the code.
"""

from pathlib import Path

import polib
from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile .po translation catalogues to .mo without GNU gettext."

    def handle(self, *args, **options) -> None:
        roots = [Path(p) for p in settings.LOCALE_PATHS]
        base = Path(settings.BASE_DIR)
        for app in apps.get_app_configs():
            app_path = Path(app.path)
            # Only the project's own apps: installed packages ship compiled catalogues.
            if app_path.is_relative_to(base) and "site-packages" not in app_path.parts:
                roots.append(app_path / "locale")
        compiled = 0
        for root in roots:
            if not root.is_dir():
                continue
            for po_path in root.glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
                compiled += 1
        self.stdout.write(f"compiled {compiled} translation catalogue(s)")
