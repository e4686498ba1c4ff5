"""The demo banks of seed_demo, loaded through bank_import."""

import pytest
from django.utils import translation

from quiz import demo
from quiz.models import Question, QuestionBank
from tests.support.bank_files import EN_HEADER, EN_ROWS, ZH_HEADER, ZH_ROWS, csv_bytes

pytestmark = pytest.mark.django_db

ZH_BANK, EN_BANK, PRACTICE_BANK = (spec[0] for spec in demo.DEMO_BANKS)


@pytest.fixture
def data_dir(tmp_path):
    (tmp_path / "safety_zh_part1.csv").write_bytes(csv_bytes([ZH_HEADER, *ZH_ROWS[:2]], bom=True))
    (tmp_path / "safety_zh_part2.csv").write_bytes(csv_bytes([ZH_HEADER, ZH_ROWS[2]]))
    (tmp_path / "safety_en_part1.csv").write_bytes(csv_bytes([EN_HEADER, *EN_ROWS]))
    (tmp_path / "practice_zh_part1.csv").write_bytes(csv_bytes([ZH_HEADER, ZH_ROWS[0]]))
    return tmp_path


def test_seed_demo_banks_imports_every_part_into_its_bank(data_dir):
    lines = demo.seed_demo_banks(data_dir)

    zh = QuestionBank.objects.get(name=ZH_BANK)
    en = QuestionBank.objects.get(name=EN_BANK)
    assert (zh.language, zh.questions.count()) == ("zh-hans", 3)
    assert (en.language, en.questions.count()) == ("en", 3)
    assert QuestionBank.objects.get(name=PRACTICE_BANK).questions.count() == 1
    assert len(lines) == 4 and "safety_zh_part2.csv" in lines[1] and "practice_zh_part1.csv" in lines[3]


def test_seed_demo_banks_twice_changes_nothing(data_dir):
    demo.seed_demo_banks(data_dir)
    before = list(
        Question.objects.order_by("id").values_list("id", "bank__name", "stem", "answer", "updated_at")
    )

    with translation.override("en"):
        lines = demo.seed_demo_banks(data_dir)

    assert (
        list(Question.objects.order_by("id").values_list("id", "bank__name", "stem", "answer", "updated_at"))
        == before
    )
    assert QuestionBank.objects.count() == 3
    assert all("0 created, 0 updated" in line for line in lines)


def test_a_bad_demo_file_fails_loudly(data_dir):
    (data_dir / "safety_en_part2.csv").write_bytes(
        csv_bytes([EN_HEADER, ["single", "Q?", "a", "b", "", "", "", "", "Z"]])
    )

    with pytest.raises(RuntimeError, match="safety_en_part2.csv"):
        demo.seed_demo_banks(data_dir)


def test_seed_returns_the_printable_lines_of_its_steps(data_dir, monkeypatch):
    monkeypatch.setattr(demo, "SEED_STEPS", [lambda: demo.seed_demo_banks(data_dir), lambda: ["next step"]])

    lines = demo.seed()

    assert lines[-1] == "next step" and ZH_BANK in lines[0]


@pytest.mark.skipif(
    not list(demo.DEMO_DATA.glob("safety_*.csv")), reason="demo question files not written yet"
)
def test_shipped_demo_banks_import_cleanly_with_every_type_and_topic():
    demo.seed_demo_banks()

    # The Chinese questions are split between the ranked bank and the practice bank, with no overlap.
    for name, at_least in ((ZH_BANK, 150), (EN_BANK, 200), (PRACTICE_BANK, 70)):
        questions = Question.objects.filter(bank__name=name)
        assert questions.count() >= at_least, name
        assert set(questions.values_list("type", flat=True)) == {"single", "multiple", "judge"}
        assert questions.values("category").distinct().count() >= 8
        assert not questions.filter(explanation="").exists()


@pytest.mark.skipif(
    not list(demo.DEMO_DATA.glob("practice_*.csv")), reason="demo question files not written yet"
)
def test_shipped_practice_bank_shares_no_question_with_the_ranked_bank():
    demo.seed_demo_banks()

    ranked = set(Question.objects.filter(bank__name=ZH_BANK).values_list("fingerprint", flat=True))
    practice = set(Question.objects.filter(bank__name=PRACTICE_BANK).values_list("fingerprint", flat=True))
    assert len(practice) >= 70 and ranked.isdisjoint(practice)
