"""Demo question banks and competition for `seed_demo`. Idempotent.

`seed()` runs each step of SEED_STEPS in order and gathers the lines they return; a later part
of the platform (e.g. the demo competition) adds its own function to SEED_STEPS.
"""

from collections.abc import Callable
from pathlib import Path

from django.utils.translation import gettext as _

from core.errors import ApplicationError
from quiz.models import QuestionBank
from quiz.services.banks import bank_create, bank_import

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
# (bank name, language, description, file pattern under demo_data/)
DEMO_BANKS = [
    ("安全生产月知识题库", "zh-hans", "安全生产月安全知识竞赛演示题库。", "safety_zh_*.csv"),
    ("Safety Production Month question bank", "en", "Demo bank of the Safety Production Month quiz.", "safety_en_*.csv"),
]


def seed_demo_banks(data_dir: Path = DEMO_DATA) -> list[str]:
    """Create the Chinese and English demo banks and import their files through `bank_import`.

    Running it again leaves the banks as they are (every row is "unchanged"). A demo file with
    a bad row raises RuntimeError naming the rows: shipped data must import cleanly.
    """
    lines: list[str] = []
    for name, language, description, pattern in DEMO_BANKS:
        files = sorted(data_dir.glob(pattern))
        if not files:
            lines.append(_("No demo files %(pattern)s for “%(bank)s”.") % {"pattern": pattern, "bank": name})
            continue
        bank = QuestionBank.objects.filter(name=name).first() or bank_create(
            name=name, description=description, language=language
        )
        for path in files:
            try:
                result = bank_import(bank=bank, file=path.read_bytes(), filename=path.name)
            except ApplicationError as exc:
                problems = "; ".join(f"{e.get('row')}/{e.get('column')}: {e.get('message')}" for e in exc.errors[:10])
                raise RuntimeError(f"{path.name}: {exc.message} {problems}") from exc
            lines.append(
                _("Bank “%(bank)s” ← %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {
                    "bank": name,
                    "file": path.name,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                }
            )
            lines.extend(f"  {path.name} row {w['row']}: {w['message']}" for w in result.warnings)
    return lines


SEED_STEPS: list[Callable[[], list[str]]] = [seed_demo_banks]


def seed() -> list[str]:
    """Load the demo banks (and whatever later steps add); returns lines to print. Idempotent."""
    lines: list[str] = []
    for step in SEED_STEPS:
        lines.extend(step())
    return lines
