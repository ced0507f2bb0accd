"""Browser tests: Playwright driving Debian's chromium against the live test server.

The browser is /usr/bin/chromium, installed by ``make browser`` (``make test`` runs it); Playwright's
own browser download is never used. Without chromium the tests are skipped, except in CI
(REQUIRE_SERVICES=1), where that is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}  # a common phone viewport, in CSS pixels


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if REQUIRE_SERVICES:
            pytest.fail("/usr/bin/chromium is missing: `make browser` installs it")
        pytest.skip("needs /usr/bin/chromium (`make browser`)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # themselves (database set-up, checking results) are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def phone(chromium: Any, live_server: Any, django_db_serialized_rollback: None) -> Iterator[Any]:
    """A phone-sized page in Chinese, with ``page.base_url`` set to the live server."""
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    yield page
    context.close()


def log_in(page: Any, username: str, password: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
