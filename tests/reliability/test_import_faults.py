"""Imports that fail half-way through their writes leave nothing behind.

The database fails (a lost connection, as in tests/reliability/test_database_kill.py) after the
new rows were inserted and before the changed ones were updated: the answer is a clean 503 and
the bank, or the unit list, is exactly what it was.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError

from accounts.models import Organization
from quiz.models import Question
from quiz.services import banks as bank_services
from quiz.services.banks import bank_create, bank_import
from tests.support.bank_files import ZH_HEADER, ZH_ROWS, csv_bytes

pytestmark = pytest.mark.django_db


def _connection_lost(*args, **kwargs):
    raise OperationalError("server closed the connection unexpectedly")


def _state(queryset, *fields) -> list[tuple]:
    return list(queryset.order_by("id").values_list("id", *fields))


def test_a_bank_import_failing_between_its_inserts_and_updates_writes_nothing(
    linxia, make_client, monkeypatch
):
    bank = bank_create(name="半途失败")
    bank_import(bank=bank, file=csv_bytes([ZH_HEADER, *ZH_ROWS[:2]]), filename="bank.csv")
    changed = [row[:] for row in ZH_ROWS[:2]]
    for row in changed:
        row[9] = "新的解析"  # an update for both questions already there
    extra = ["单选", "新题：报警电话是（ ）。", "110", "119", "120", "122", "", "", "A", "", "消防", "1"]
    content = csv_bytes([ZH_HEADER, *changed, extra, ZH_ROWS[2]])  # and two new questions
    before = _state(Question.objects.filter(bank=bank), "explanation", "updated_at")
    monkeypatch.setattr(bank_services, "_update_rows", _connection_lost)

    response = make_client(linxia["admin"]).post(
        f"/api/v1/banks/{bank.pk}/import/",
        {"file": SimpleUploadedFile("bank.csv", content, content_type="text/csv")},
        format="multipart",
    )

    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert (
        _state(Question.objects.filter(bank=bank), "explanation", "updated_at") == before
    )  # the 2 inserts rolled back


def test_a_unit_import_failing_in_its_updates_writes_nothing(linxia, make_client, monkeypatch):
    unit = linxia["linxia_city"].organizations.order_by("id").first()
    content = (
        "单位名称,县区,行业,目标人数\n"
        f"{unit.name},临夏市,{unit.industry.name_zh},{unit.headcount_target + 50}\n"
        "临夏市新建第九中学,临夏市,教育,120\n"
    ).encode()
    before = _state(Organization.objects.all(), "name", "headcount_target")
    monkeypatch.setattr(Organization.objects, "bulk_update", _connection_lost)

    response = make_client(linxia["admin"]).post(
        "/api/v1/organizations/import/",
        {"file": SimpleUploadedFile("units.csv", content, content_type="text/csv")},
        format="multipart",
    )

    assert response.status_code == 503
    assert _state(Organization.objects.all(), "name", "headcount_target") == before
