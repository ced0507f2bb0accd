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
from django.db import connections

from tests.conftest import REQUIRE_SERVICES

CHROMIUM = Path("/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}  # a common phone viewport, in CSS pixels
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def phone(live_server: Any, django_db_serialized_rollback: None) -> Iterator[Any]:
    """A phone-sized page of Debian's chromium in Chinese, with ``page.base_url`` set to the live server.

    Playwright starts here, per test and after the database is set up: its sync API keeps an event
    loop running in this thread, and Django's connection handler is context-local, so the restore of
    the serialized catalogue must happen before the loop starts. The ORM calls the test makes itself
    (set-up, checking results) are synchronous and safe, hence DJANGO_ALLOW_ASYNC_UNSAFE.
    """
    if not CHROMIUM.exists():
        if REQUIRE_SERVICES:
            pytest.fail("/usr/bin/chromium is missing: `make browser` installs it")
        pytest.skip("needs /usr/bin/chromium (`make browser`)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.base_url = live_server.url
            # Anything the Content-Security-Policy refuses (an inline script, a foreign source) fails the test.
            refused: list[str] = []
            page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
            yield page
            assert refused == [], refused
            context.close()
            browser.close()
            connections.close_all()  # the connections the test body opened in the loop's context
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def log_in(page: Any, username: str, password: str) -> None:
    """Log in through the login form, as a person would."""
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main button[type=submit]")
