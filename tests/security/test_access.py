"""Access: login rate limiting (django-axes), sessions that expire, CSRF on every form, and a
Content-Security-Policy without inline script (issue 10)."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory, user_with_role
from tiers.choices import Role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "pw-Test-2019-x"


@pytest.fixture
def people(db: None) -> tuple[Any, Any]:
    first, second = UserFactory(username="zhang"), UserFactory(username="li")
    for user in (first, second):
        user.set_password(PASSWORD)
        user.save()
    return first, second


def log_in(client: Client, username: str, password: str, ip: str = "10.0.0.7") -> Any:
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_a_username_is_locked_out_from_an_address_after_five_failures(people: tuple[Any, Any]) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "zhang", "wrong").status_code == 200  # the form again, with its error
    locked = log_in(client, "zhang", "wrong")
    assert locked.status_code == 429
    assert "登录已暂时锁定" in locked.content.decode() and "15 分钟后再试" in locked.content.decode()
    # Now even the right password is refused, without being checked…
    assert log_in(client, "zhang", PASSWORD).status_code == 429
    # …while a colleague behind the same address, and the same user elsewhere, can still log in.
    assert log_in(Client(), "li", PASSWORD).status_code == 302
    assert log_in(Client(), "zhang", PASSWORD, ip="10.0.0.8").status_code == 302


def test_the_lockout_ends_after_the_cool_off(people: tuple[Any, Any]) -> None:
    from axes.models import AccessAttempt

    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "zhang", "wrong")
    assert log_in(client, "zhang", PASSWORD).status_code == 429
    past = timezone.now() - settings.AXES_COOLOFF_TIME - datetime.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert log_in(client, "zhang", PASSWORD).status_code == 302


def test_a_session_expires_after_a_working_day(people: tuple[Any, Any]) -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client = Client()
    assert log_in(client, "zhang", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_post_without_the_csrf_token_is_refused(place_tree: Any) -> None:
    user = user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert client.post("/accounts/logout/").status_code == 403
    assert client.post("/rosters/import/").status_code == 403


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=[str(t.relative_to(ROOT / "templates")) for t in TEMPLATES])
def test_templates_have_no_inline_script_and_every_post_form_a_csrf_token(template: Path) -> None:
    text = template.read_text()
    inline = [
        m.group(0) for m in re.finditer(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", text)
    ]
    assert inline == [], "inline <script>: move it to static/js"
    assert re.findall(r"\son[a-z]+\s*=", text) == [], "inline event handler: use addEventListener in static/js"
    assert "<style" not in text, "inline <style>: move it to static/css"
    for form in re.finditer(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", text, re.S | re.I):
        assert "{% csrf_token %}" in form.group(1), form.group(0)[:120]


def test_every_page_carries_the_policy(people: tuple[Any, Any], client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe" not in directives["script-src"] and "unsafe" not in directives["default-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
