"""The two upload endpoints (question banks, units) under random files, through HTTP.

tests/quiz/test_bank_import_fuzz.py drives the bank import service with plausible sheets in every
encoding; this one sends whatever bytes under whatever name to the API itself: the answer is
always 200 or a 400 JSON with a message (never a 500), and a 400 writes nothing.
UPLOAD_FUZZ_EXAMPLES (default 25) sets the examples per endpoint.
"""

import codecs
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accounts.models import Organization
from quiz.models import Question
from quiz.services.banks import bank_create
from tests.support.bank_files import ZH_HEADER, ZH_ROWS, csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("UPLOAD_FUZZ_EXAMPLES", "25"))
UNIT_HEADER = ["单位名称", "县区", "行业", "目标人数", "联系人", "联系电话"]
UNIT_ROWS = [
    ["临夏市第九中学", "临夏市", "教育", "80", "马老师", "13800000000"],
    ["某单位", "不存在县", "未知", "-1", "", "x"],
]
NAMES = [
    "bank.csv",
    "bank.xlsx",
    "bank.xls",
    "bank.CSV",
    "bank",
    "题库.csv",
    "../../etc/passwd.csv",
    "a" * 300 + ".csv",
]
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16", "latin-1"]


def _encoded(rows: list[list[str]], encoding: str) -> bytes:
    if encoding == "utf-16":
        return codecs.BOM_UTF16_LE + csv_bytes(rows, encoding="utf-16-le")
    if encoding == "latin-1":
        return "\n".join(",".join(row) for row in rows).encode("gb18030")[::-1]  # garbage of the right size
    return csv_bytes(rows, encoding=encoding.replace("-sig", ""), bom=encoding.endswith("-sig"))


@st.composite
def upload(draw, header: list[str], rows: list[list[str]]) -> tuple[str, bytes]:
    printable = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)  # what a sheet can hold
    cell = st.one_of(st.sampled_from([c for row in rows for c in row]), printable)
    table = [
        header,
        *draw(st.lists(st.one_of(st.sampled_from(rows), st.lists(cell, max_size=8)), max_size=5)),
    ]
    kind = draw(st.sampled_from(["csv", "xlsx", "bytes"]))
    if kind == "xlsx":
        content = xlsx_bytes(table)
    elif kind == "csv":
        content = _encoded(table, draw(st.sampled_from(ENCODINGS)))
    else:
        content = draw(st.binary(max_size=2048))
    if content and draw(st.booleans()):
        cut = len(content) * draw(st.integers(0, 1000)) // 1000  # (an .xlsx's length varies with its clock)
        content = content[:cut] + draw(st.binary(max_size=16))
    return draw(st.sampled_from(NAMES)), content


def _post(client, url: str, name: str, content: bytes, **fields):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(url, {"file": upload, **fields}, format="multipart")


def _assert_clean(response) -> None:
    assert response.status_code in (200, 400), response.content[:300]
    body = response.json()
    event(f"{response.status_code} {body.get('code', '')}")
    if response.status_code == 400:
        assert body["detail"] and body["code"]


FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(file=upload(ZH_HEADER, ZH_ROWS), dry_run=st.booleans(), skip_invalid=st.booleans())
def test_any_bank_file_answers_200_or_a_400_that_wrote_nothing(
    linxia, make_client, file, dry_run, skip_invalid
):
    bank = bank_create(name=f"fuzz {Question.objects.count()} {id(file)}")
    before = list(Question.objects.values_list("id", "updated_at"))

    response = _post(
        make_client(linxia["admin"]),
        f"/api/v1/banks/{bank.pk}/import/",
        *file,
        dry_run=str(dry_run).lower(),
        skip_invalid=str(skip_invalid).lower(),
    )

    _assert_clean(response)
    if response.status_code == 400 or dry_run:
        assert list(Question.objects.values_list("id", "updated_at")) == before


@FUZZ
@given(file=upload(UNIT_HEADER, UNIT_ROWS), dry_run=st.booleans())
def test_any_unit_file_answers_200_or_a_400_that_wrote_nothing(linxia, make_client, file, dry_run):
    before = list(Organization.objects.order_by("id").values_list("id", "name", "headcount_target"))

    response = _post(
        make_client(linxia["admin"]), "/api/v1/organizations/import/", *file, dry_run=str(dry_run).lower()
    )

    _assert_clean(response)
    if response.status_code == 400 or dry_run:
        assert (
            list(Organization.objects.order_by("id").values_list("id", "name", "headcount_target")) == before
        )
