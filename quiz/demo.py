"""Demo question banks and competition for `seed_demo`. Idempotent.

`seed()` runs each step of SEED_STEPS in order and gathers the lines they return; a later part
of the platform (e.g. the demo competition) adds its own function to SEED_STEPS.
"""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import ApplicationError
from quiz.models import Competition, QuestionBank
from quiz.services.banks import bank_create, bank_import
from quiz.services.competitions import competition_create

DEMO_DATA = Path(__file__).resolve().parent / "demo_data"
# (bank name, language, description, file pattern under demo_data/)
DEMO_BANKS = [
    ("安全生产月知识题库", "zh-hans", "安全生产月安全知识竞赛演示题库。", "safety_zh_*.csv"),
    (
        "Safety Production Month question bank",
        "en",
        "Demo bank of the Safety Production Month quiz.",
        "safety_en_*.csv",
    ),
    # Practice shows every key, so it has its own questions: a practice competition never draws
    # a question a running ranked competition holds (quiz.selectors.answer_keys).
    ("安全知识练习题库", "zh-hans", "安全知识练习演示题库（与竞赛题库不重复）。", "practice_zh_*.csv"),
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
                problems = "; ".join(
                    f"{e.get('row')}/{e.get('column')}: {e.get('message')}" for e in exc.errors[:10]
                )
                raise RuntimeError(f"{path.name}: {exc.message} {problems}") from exc
            lines.append(
                _(
                    "Bank “%(bank)s” ← %(file)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged."
                )
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


DEMO_COMPETITION_TITLE = "临夏州2026年“安全生产月”安全知识网络竞赛"
DEMO_PRACTICE_TITLE = "安全知识练习"


def seed_demo_competitions() -> list[str]:
    """The demo competition (opened a week ago, open for 30 more days: 10 questions, 600 s, 3 attempts a day,
    10 points each, pass mark 60) over the Chinese demo bank, and a practice competition over the
    Chinese practice bank (practice never draws a running ranked competition's questions).

    Idempotent by title: an existing competition is left as it is but drawn from its demo bank.
    """
    bank = QuestionBank.objects.filter(name=DEMO_BANKS[0][0]).first()
    practice_bank = QuestionBank.objects.filter(name=DEMO_BANKS[2][0]).first()
    if bank is None or practice_bank is None:
        return [_("No Chinese demo bank: the demo competitions were not created.")]
    now = timezone.now().replace(microsecond=0)
    specs = [
        {
            "title": DEMO_COMPETITION_TITLE,
            "description": (
                "临夏回族自治州2026年“安全生产月”活动安全知识网络竞赛。每次随机抽取10道题，限时10分钟，每天可答3次。"
            ),
            "questions_per_attempt": 10,
            "time_limit_seconds": 600,
            "attempts_per_day": 3,
            "points_per_correct": 10,
            "pass_mark": 60,
            "shuffle_options": True,
        },
        {
            "title": DEMO_PRACTICE_TITLE,
            "description": "随时练习，每答一题立即显示正确答案和解析，成绩不计入排名。",
            "questions_per_attempt": 10,
            "time_limit_seconds": 1800,
            "attempts_per_day": 50,
            "points_per_correct": 10,
            "is_practice": True,
        },
    ]
    lines = []
    for spec, spec_bank in zip(specs, [bank, practice_bank], strict=True):
        existing = Competition.objects.filter(title=spec["title"]).first()
        if existing is not None:
            # A practice seeded before it had its own bank drew from the ranked one: move it.
            existing.banks.set([spec_bank])
            lines.append(_("Competition “%(title)s” already exists.") % {"title": spec["title"]})
            continue
        ends_at = now + timedelta(days=30)
        # Opened a week ago, so the demo answers (web/demo.py) spread over several campaign days.
        competition_create(banks=[spec_bank], starts_at=now - timedelta(days=7), ends_at=ends_at, **spec)
        lines.append(
            _("Competition “%(title)s” created, open until %(end)s.")
            % {"title": spec["title"], "end": timezone.localtime(ends_at).date()}
        )
    return lines


SEED_STEPS: list[Callable[[], list[str]]] = [seed_demo_banks, seed_demo_competitions]


def seed() -> list[str]:
    """Load the demo banks (and whatever later steps add); returns lines to print. Idempotent."""
    lines: list[str] = []
    for step in SEED_STEPS:
        lines.extend(step())
    return lines
