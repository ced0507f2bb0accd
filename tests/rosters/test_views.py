"""The import pages: upload → preview (a task) → confirm → result, for administrators only."""

from __future__ import annotations

from typing import Any

import pytest
from celery import current_app

from households.models import Household
from rosters.models import RosterImport
from tests.factories import PersonFactory
from tests.rosters.test_workbook import HH, PAIR, xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager() -> Any:
    """Tasks run in the request (as in the embedded default), whatever broker the suite has."""
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


@pytest.fixture
def admin_client(client: Any, django_user_model: Any) -> Any:
    client.force_login(django_user_model.objects.create_superuser("root", password="pw-Test-2019"))
    return client


def upload(client: Any, content: bytes, capture: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    with capture(execute=True):
        return client.post(
            "/rosters/import/",
            {"file": SimpleUploadedFile("名册.xlsx", content), "as_of": "2020-01-01"},
        )


def test_upload_preview_confirm_result(
    admin_client: Any,
    place_tree: Any,
    eager: None,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    PersonFactory(code="P1")
    content = xlsx({"帮扶户": [HH, ["H1", "张三", "620123101201", 4]], "结对帮扶": [PAIR, ["P1", "H1", "2019-01-01"]]})
    response = upload(admin_client, content, django_capture_on_commit_callbacks)
    preview = RosterImport.objects.get()
    assert response["Location"] == f"/rosters/imports/{preview.pk}/"
    page = admin_client.get(response["Location"]).content.decode()
    assert "已预览" in page and "确认导入" in page and Household.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/rosters/imports/{preview.pk}/confirm/")
    imported = RosterImport.objects.exclude(pk=preview.pk).get()
    assert (imported.outcome, imported.sha256) == ("imported", preview.sha256)
    assert Household.objects.filter(code="H1").exists()
    assert "确认导入" not in admin_client.get(f"/rosters/imports/{preview.pk}/").content.decode()  # done once
    assert admin_client.get(f"/rosters/imports/{imported.pk}/progress.json").json()["status"] == "finished"
    # Once imported, the workbook is deleted; both records keep its name, size and hash.
    assert list(tmp_path.rglob("*.xlsx")) == []
    assert set(RosterImport.objects.values_list("file", "file_name", "size")) == {("", "名册.xlsx", len(content))}


def test_an_unconfirmed_preview_is_purged_after_the_retention_days(
    admin_client: Any,
    place_tree: Any,
    eager: None,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    import datetime

    from django.utils import timezone

    from rosters.tasks import purge_uploads

    settings.MEDIA_ROOT = tmp_path
    settings.ROSTER_UPLOAD_DAYS = 7
    content = xlsx({"帮扶户": [HH, ["H1", "张三", "620123101201", 4]]})
    upload(admin_client, content, django_capture_on_commit_callbacks)
    upload(admin_client, content, django_capture_on_commit_callbacks)
    old, recent = RosterImport.objects.order_by("pk")
    RosterImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=8))
    assert len(list(tmp_path.rglob("*.xlsx"))) == 2
    assert purge_uploads.delay().get() == 1
    assert len(list(tmp_path.rglob("*.xlsx"))) == 1
    page = admin_client.get(f"/rosters/imports/{old.pk}/").content.decode()
    assert "已超过保留期" in page and "确认导入" not in page
    assert "确认导入" in admin_client.get(f"/rosters/imports/{recent.pk}/").content.decode()


def test_a_preview_with_problems_lists_them_and_offers_no_confirmation(
    admin_client: Any,
    place_tree: Any,
    eager: None,
    django_capture_on_commit_callbacks: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    response = upload(
        admin_client, xlsx({"帮扶户": [HH, ["H1", "张三", "620999999999", 4]]}), django_capture_on_commit_callbacks
    )
    page = admin_client.get(response["Location"]).content.decode()
    assert "工作表「帮扶户」第 2 行「所在村代码」列：所在村代码不存在：620999999999" in page
    assert "确认导入" not in page
    assert admin_client.post(f"/rosters/imports/{RosterImport.objects.get().pk}/confirm/").status_code == 404
    assert list(tmp_path.rglob("*.xlsx")) == []  # nothing to confirm: the workbook is not kept


def test_only_administrators_and_only_their_own_uploads(client: Any, django_user_model: Any, place_tree: Any) -> None:
    from tiers import services
    from tiers.choices import Role

    staff = django_user_model.objects.create_user("county", password="pw-Test-2019")
    services.role_grant(user=staff, role=Role.COUNTY_STAFF, place=place_tree["620123"])
    client.force_login(staff)
    for url in ("/rosters/import/", "/rosters/template.xlsx"):
        assert client.get(url).status_code == 403
    other = RosterImport.objects.create(file_name="x.xlsx", sha256="0" * 64, size=1, dry_run=True, as_of="2020-01-01")
    admin = django_user_model.objects.create_user("admin2", password="pw-Test-2019")
    services.role_grant(user=admin, role=Role.ADMINISTRATOR, place=place_tree.province)
    client.force_login(admin)
    assert client.get("/rosters/import/").status_code == 200
    assert client.get(f"/rosters/imports/{other.pk}/").status_code == 404  # someone else's upload


@pytest.mark.celery_worker
def test_a_preview_runs_on_the_worker_and_writes_nothing(
    celery_app_worker: Any, place_tree: Any, settings: Any, tmp_path: Any
) -> None:
    import time

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction

    from rosters.services import roster_upload

    settings.MEDIA_ROOT = tmp_path
    rows = [HH] + [[f"H{i}", "户主", "620123101201", 3] for i in range(5000)]
    with transaction.atomic():
        record = roster_upload(SimpleUploadedFile("big.xlsx", xlsx({"帮扶户": rows})), user=None)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        record.refresh_from_db()
        if record.status == "finished":
            break
        time.sleep(0.05)
    assert record.outcome == "previewed" and record.counts["households"]["new"] == 5000
    assert record.task_id and Household.objects.count() == 0
