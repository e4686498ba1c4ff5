"""The admin's "Import questions" page, end to end with Django's test client, and the question admin."""

import pytest
from django.test import Client

from quiz.models import Question, QuestionBank
from quiz.services.banks import bank_create
from tests.support.bank_files import ZH_HEADER, ZH_ROWS, upload, xlsx_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_browser(linxia) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(linxia["admin"])
    return client


@pytest.fixture
def bank(db) -> QuestionBank:
    return bank_create(name="测试题库")


def _url(bank) -> str:
    return f"/admin/quiz/questionbank/{bank.pk}/import/"


def test_upload_preview_confirm_creates_the_questions(admin_browser, bank):
    page = admin_browser.get(_url(bank))
    assert page.status_code == 200 and b'id="import-upload"' in page.content

    preview = admin_browser.post(
        _url(bank), {"step": "upload", "file": upload("b.xlsx", xlsx_bytes([ZH_HEADER, *ZH_ROWS]))}
    )

    assert preview.status_code == 200
    assert preview.context["result"].created == 3
    html = preview.content.decode()
    assert (
        'id="import-preview"' in html
        and "火警电话是（ ）。" in html
        and "<li>A. 110</li><li>B. 119</li>" in html
    )
    assert bank.questions.count() == 0  # a preview writes nothing

    done = admin_browser.post(_url(bank), {"step": "confirm", "token": preview.context["token"]})

    assert done.status_code == 302
    assert done["Location"].endswith(f"/admin/quiz/question/?bank__id__exact={bank.pk}")
    assert sorted(bank.questions.values_list("type", flat=True)) == ["judge", "multiple", "single"]
    listing = admin_browser.get(done["Location"])
    assert "3 created, 0 updated, 0 unchanged" in listing.content.decode()


def test_preview_shows_questions_as_shown_and_flags_rows_to_check(admin_browser, bank):
    rows = [
        ["题型", "题干", "选项", "答案", "作业种类"],
        ["单选题", "改变传动比的是（ ）。", "**A.离合器**B.差速器**D.转向器**C.变速器", "C", "车辆"],
        ["单选题", "火灾分为（ ）。", "**A、A、B级**B、A、B、C级", "B", "消防"],
        ["判断题", "安全出口应保持畅通。", "**A、是**B、否", "A", "消防"],
    ]

    page = admin_browser.post(_url(bank), {"step": "upload", "file": upload("b.xlsx", xlsx_bytes(rows))})

    html = page.content.decode()
    assert page.status_code == 200 and page.context["flagged_count"] == 2
    assert '<strong id="flagged-count">2</strong>' in html
    assert '<tr class="flagged" data-row="2">' in html and '<tr class="" data-row="4">' in html
    assert (
        '<ol class="options"><li>A. 离合器</li><li>B. 差速器</li><li>C. 变速器</li><li>D. 转向器</li></ol>'
        in html
    )
    assert '<ol class="options"><li>A. A、B级</li><li>B. A、B、C级</li></ol>' in html
    assert '<ol class="options"><li>True</li><li>False</li></ol>' in html
    assert "<li>⚠ Option A “A、B级” holds what looks like an option letter; check the split.</li>" in html
    assert [row["item"].question.answer_display for row in page.context["preview"]] == ["C", "B", "True"]
    assert bank.questions.count() == 0


def test_bad_rows_show_the_error_list_and_write_nothing(admin_browser, bank):
    rows = [
        ZH_HEADER,
        ZH_ROWS[0],
        ["填空", "x", "甲", "乙", "", "", "", "", "A", "", "", ""],
        ["单选", "y", "甲", "乙", "", "", "", "", "E", "", "", ""],
    ]

    page = admin_browser.post(_url(bank), {"step": "upload", "file": upload("bad.xlsx", xlsx_bytes(rows))})

    html = page.content.decode()
    assert page.status_code == 200
    assert 'id="import-errors"' in html and 'id="import-confirm"' not in html
    assert [(e["row"], e["column"]) for e in page.context["errors"]] == [(3, "题型"), (4, "答案")]
    assert "The type “填空” is not a choice question: fill-in questions are not supported" in html
    assert bank.questions.count() == 0


def test_skipping_invalid_rows_after_the_error_list(admin_browser, bank):
    rows = [ZH_HEADER, ZH_ROWS[0], ["填空", "x", "甲", "乙", "", "", "", "", "A", "", "", ""]]
    errors = admin_browser.post(_url(bank), {"step": "upload", "file": upload("bad.xlsx", xlsx_bytes(rows))})
    token = errors.context["token"]

    preview = admin_browser.post(_url(bank), {"step": "preview", "token": token, "skip_invalid": "1"})
    assert preview.context["result"].created == 1
    assert 'id="import-skipped"' in preview.content.decode()
    admin_browser.post(_url(bank), {"step": "confirm", "token": token, "skip_invalid": "1"})

    assert list(bank.questions.values_list("stem", flat=True)) == ["火警电话是（ ）。"]


def test_a_bad_file_shows_its_message(admin_browser, bank):
    page = admin_browser.post(
        _url(bank), {"step": "upload", "file": upload("b.xlsx", b"not,a\r\nworkbook,x\r\n")}
    )

    assert page.context["failure_code"] == "file_type_mismatch"
    assert "named .xlsx but contains plain text" in page.content.decode()


def test_an_expired_upload_asks_to_upload_again(admin_browser, bank):
    response = admin_browser.post(_url(bank), {"step": "confirm", "token": "nope"})

    assert response.status_code == 302 and response["Location"] == _url(bank)
    assert bank.questions.count() == 0


def test_another_admins_upload_cannot_be_confirmed(admin_browser, bank, linxia):
    from tests.factories import UserFactory

    preview = admin_browser.post(
        _url(bank), {"step": "upload", "file": upload("b.xlsx", xlsx_bytes([ZH_HEADER, *ZH_ROWS]))}
    )
    other = Client()
    other.force_login(UserFactory(role="admin", is_staff=True, is_superuser=True))

    other.post(_url(bank), {"step": "confirm", "token": preview.context["token"]})

    assert bank.questions.count() == 0


def test_participant_cannot_open_the_import_page(participant, bank):
    client = Client()
    client.force_login(participant)

    response = client.get(_url(bank))

    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_bank_page_links_import_and_exports(admin_browser, bank):
    html = admin_browser.get(f"/admin/quiz/questionbank/{bank.pk}/change/").content.decode()

    assert _url(bank) in html
    assert f"/admin/quiz/questionbank/{bank.pk}/export/xlsx/" in html


def test_admin_export_downloads_the_bank(admin_browser, bank):
    admin_browser.post(
        _url(bank), {"step": "upload", "file": upload("b.xlsx", xlsx_bytes([ZH_HEADER, *ZH_ROWS]))}
    )
    response = admin_browser.get(f"/admin/quiz/questionbank/{bank.pk}/export/csv/")

    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("题型,题干")


def test_question_list_filters_and_search(admin_browser, bank):
    Question.objects.create(
        bank=bank, type="single", stem="关于消防", options=["a", "b"], answer="A", category="消防"
    )
    Question.objects.create(
        bank=bank, type="judge", stem="关于交通", options=[], answer="B", category="交通", difficulty=5
    )

    by_type = admin_browser.get("/admin/quiz/question/?type__exact=judge")
    by_search = admin_browser.get("/admin/quiz/question/?q=消防")
    by_category = admin_browser.get("/admin/quiz/question/?category=交通&difficulty=5&is_active__exact=1")

    assert [q.stem for q in by_type.context["cl"].result_list] == ["关于交通"]
    assert [q.stem for q in by_search.context["cl"].result_list] == ["关于消防"]
    assert [q.stem for q in by_category.context["cl"].result_list] == ["关于交通"]


def _question_form(bank, **overrides):
    data = {
        "bank": bank.pk,
        "type": "single",
        "stem": "新题（ ）。",
        "option_a": "甲",
        "option_b": "乙",
        "option_c": "",
        "option_d": "",
        "option_e": "",
        "option_f": "",
        "answer": "b",
        "explanation": "",
        "category": "",
        "difficulty": "3",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_question_form_stores_options_and_fingerprint(admin_browser, bank):
    response = admin_browser.post("/admin/quiz/question/add/", _question_form(bank))

    assert response.status_code == 302
    question = bank.questions.get()
    assert (question.options, question.answer) == (["甲", "乙"], "B")
    assert question.fingerprint == Question.compute_fingerprint("新题（ ）。", ["甲", "乙"])


def test_question_form_applies_the_import_rules(admin_browser, bank):
    response = admin_browser.post("/admin/quiz/question/add/", _question_form(bank, answer="D"))

    assert response.status_code == 200
    assert "does not have" in str(response.context["adminform"].form.errors["answer"])
    assert bank.questions.count() == 0


def test_question_form_refuses_a_duplicate_in_the_bank(admin_browser, bank):
    admin_browser.post("/admin/quiz/question/add/", _question_form(bank))

    response = admin_browser.post("/admin/quiz/question/add/", _question_form(bank, answer="A"))

    assert response.status_code == 200
    assert bank.questions.count() == 1
