"""An administrator uploads a roster workbook in Debian's chromium, watches the preview's progress,
reads the counts, confirms, and sees the import's result."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from households.models import Household, Pairing
from tests import factories
from tests.browser.conftest import log_in
from tests.rosters.test_workbook import HH, PAIR, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PASSWORD = "pw-Test-2019"
ROWS = 20_000


@pytest.fixture
def tasks(request: pytest.FixtureRequest) -> bool:
    """A real worker on the broker when there is one (CI), else tasks in the request. True: a worker."""
    if settings.REDIS_URL:
        request.getfixturevalue("celery_app_worker")
        return True
    from celery import current_app

    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    request.addfinalizer(lambda: setattr(current_app.conf, "task_always_eager", before))
    return False


def test_upload_preview_confirm_import(phone: Any, place_tree: Any, tasks: bool, tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    factories.PersonFactory(code="P1")
    factories.UserFactory(username="guanli", is_superuser=True, is_staff=True)
    workbook = tmp_path / "名册.xlsx"
    households = [[f"H{i:05d}", f"户主{i}", "620123101201", 3] for i in range(ROWS)]
    workbook.write_bytes(xlsx({"帮扶户": [HH, *households], "结对帮扶": [PAIR, ["P1", "H00000", "2019-01-01"]]}))

    log_in(phone, "guanli", PASSWORD)
    phone.goto(f"{phone.base_url}/rosters/import/")
    phone.set_input_files("input[type=file]", str(workbook))
    with phone.expect_navigation():
        phone.get_by_role("button", name="上传并预览").tap()
    if tasks:  # queued on the worker: the progress bar shows, then the page reloads with the result
        assert phone.locator(".roster-progress progress").count() == 1
    phone.wait_for_selector("#outcome", timeout=60_000)
    assert "已预览" in phone.locator("#outcome").inner_text()
    counts = phone.locator("#counts").inner_text()
    assert str(ROWS) in counts and Household.objects.count() == 0

    with phone.expect_navigation():
        phone.get_by_role("button", name="确认导入").tap()
    phone.wait_for_selector("#outcome", timeout=60_000)
    assert "已导入" in phone.locator("#outcome").inner_text()
    assert Household.objects.count() == ROWS and Pairing.objects.count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
