"""Headers, the client's address behind a proxy, the login lockout and the password reset (issue 17 item 7).

* Everything sent to a logged-in user — pages, JSON, .xlsx exports — is ``Cache-Control: private,
  no-store`` (``accountability.middleware.NoStoreForAuthenticated``); static files are left alone.
* ``accountability.auth.client_ip``: with ``PROXY_COUNT=0`` X-Forwarded-For is ignored; with N proxies,
  the Nth address from its right end is the client. django-axes locks a username out *from an address*
  (``AXES_LOCKOUT_PARAMETERS``), so failures sent with a forged X-Forwarded-For lock out only the sender.
* The password reset is 404 without mail settings (``EMAIL_HOST``); with them it is limited per address
  and per client (``PASSWORD_RESET_LIMIT`` an hour).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from accountability.auth import client_ip
from accountability.messages import Msg
from tests import factories
from tiers.choices import Role

pytestmark = pytest.mark.django_db

PASSWORD = "pw-Test-2019"  # the factories' password


@pytest.fixture
def county_staff(place_tree: factories.Tree) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(factories.user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"]))
    return client


# --- Cache-Control ------------------------------------------------------------------------------------


def no_store(response: Any) -> bool:
    parts = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= parts


@pytest.mark.parametrize(
    ("url", "content_type"),
    [
        ("/households/", "text/html"),
        ("/dashboard/", "text/html"),
        ("/api/v1/violations/", "application/json"),
        ("/api/v1/violations/export.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_a_logged_in_users_pages_api_and_exports_are_not_stored(
    county_staff: Client, url: str, content_type: str
) -> None:
    response = county_staff.get(url, follow=True)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert no_store(response), response.get("Cache-Control")


def test_static_files_and_anonymous_pages_keep_their_own_caching(county_staff: Client) -> None:
    assert "no-store" not in county_staff.get(f"{settings.STATIC_URL}css/app.css").get("Cache-Control", "")
    login = Client().get(reverse("login"))  # Django's never_cache: its own header, not ours
    assert login.status_code == 200 and "no-store" in login["Cache-Control"]
    assert not Client().get("/households/").has_header("Cache-Control")  # a redirect to the login page


# --- the client's address -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, None, "10.0.0.1"),
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy of ours: the header is the client's word
        (1, None, "10.0.0.1"),  # a proxy that did not say: its own address
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # what the client wrote is to the left
        (2, "203.0.113.9, 198.51.100.2", "203.0.113.9"),
        (2, "1.2.3.4, 203.0.113.9, 198.51.100.2", "203.0.113.9"),
        (2, "198.51.100.2", "10.0.0.1"),  # shorter than the proxies: not trusted
        (1, "1.2.3.4, not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip(proxies: int, forwarded: str | None, expected: str) -> None:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", **headers)
    with override_settings(PROXY_COUNT=proxies):
        assert client_ip(request) == expected


def login(username: str, password: str, *, remote: str, forwarded: str | None = None) -> int:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    client = Client(REMOTE_ADDR=remote, **headers)
    return client.post(reverse("login"), {"username": username, "password": password}).status_code


def lock_out(username: str, *, remote: str, forwarded: Any) -> None:
    """More failures than the limit for ``username``, each with another forged first hop."""
    for attempt in range(settings.AXES_FAILURE_LIMIT + 1):
        login(username, "wrong", remote=remote, forwarded=forwarded(attempt))


def test_behind_a_proxy_a_forged_first_hop_locks_out_only_its_sender(place_tree: factories.Tree) -> None:
    factories.user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"], username="yuzhong")
    proxy, attacker, colleague = "10.0.0.1", "203.0.113.9", "198.51.100.7"
    with override_settings(PROXY_COUNT=1):
        lock_out("yuzhong", remote=proxy, forwarded=lambda i: f"192.0.2.{i}, {attacker}")
        assert login("yuzhong", PASSWORD, remote=proxy, forwarded=f"{colleague}, {attacker}") == 429  # locked
        assert login("yuzhong", PASSWORD, remote=proxy, forwarded=colleague) == 302  # the real user, elsewhere


def test_without_a_proxy_x_forwarded_for_is_ignored(place_tree: factories.Tree) -> None:
    factories.user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"], username="yuzhong")
    attacker, colleague = "203.0.113.9", "198.51.100.7"
    assert settings.PROXY_COUNT == 0
    lock_out("yuzhong", remote=attacker, forwarded=lambda i: f"192.0.2.{i}")
    assert login("yuzhong", PASSWORD, remote=attacker, forwarded=colleague) == 429  # forging does not help
    assert login("yuzhong", PASSWORD, remote=colleague, forwarded=attacker) == 302  # nor harm another


def test_production_settings_trust_the_proxy_only_when_there_is_one() -> None:
    from tests.accountability.test_settings import run_manage

    code = "from django.conf import settings as s; print(s.SECURE_PROXY_SSL_HEADER, s.USE_X_FORWARDED_HOST)"
    env = {
        "DJANGO_SETTINGS_MODULE": "accountability.settings.production",
        "SECRET_KEY": "x" * 30 + "-a-long-random-production-secret-key-0123456789",
        "ALLOWED_HOSTS": "fupin.gansu.example",
    }
    direct = run_manage("shell", "--no-imports", "-c", code, **env)
    assert direct.stdout.strip() == "None False", direct.stderr
    proxied = run_manage("shell", "--no-imports", "-c", code, PROXY_COUNT="1", **env)
    assert proxied.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') False", proxied.stderr
    checked = run_manage("check", "--deploy", "--fail-level", "WARNING", PROXY_COUNT="1", **env)
    assert checked.returncode == 0 and "no issues" in checked.stdout, checked.stdout + checked.stderr


# --- password reset --------------------------------------------------------------------------------------


@pytest.fixture
def clean_cache() -> Any:
    cache.clear()
    yield
    cache.clear()


RESET_PAGES = ["password_reset", "password_reset_done", "password_reset_complete"]


@pytest.mark.parametrize("name", RESET_PAGES)
def test_without_mail_settings_the_reset_pages_are_404(name: str) -> None:
    assert settings.EMAIL_HOST == ""
    assert Client().get(reverse(name)).status_code == 404


def test_without_mail_settings_a_reset_request_does_nothing(place_tree: factories.Tree) -> None:
    factories.UserFactory(username="yuzhong", email="yuzhong@example.org")
    response = Client().post(reverse("password_reset"), {"email": "yuzhong@example.org"})
    assert response.status_code == 404
    assert mail.outbox == []
    confirm = reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password"})
    assert Client().get(confirm).status_code == 404
    assert "password_reset" not in Client().get(reverse("login")).content.decode()  # not linked


@override_settings(EMAIL_HOST="smtp.example.org", PASSWORD_RESET_LIMIT=2)
def test_with_mail_the_reset_is_limited_per_address(place_tree: factories.Tree, clean_cache: None) -> None:
    factories.UserFactory(username="yuzhong", email="yuzhong@example.org")
    assert Client().get(reverse("password_reset")).status_code == 200
    for n in (1, 2):
        client = Client(REMOTE_ADDR=f"198.51.100.{n}")  # another client each time: the address's limit
        assert client.post(reverse("password_reset"), {"email": "yuzhong@example.org"}).status_code == 302
    refused = Client(REMOTE_ADDR="198.51.100.3").post(reverse("password_reset"), {"email": "YuZhong@example.org"})
    assert refused.status_code == 200
    assert str(Msg.PASSWORD_RESET_LIMIT) in refused.content.decode()
    assert len(mail.outbox) == 2


@override_settings(EMAIL_HOST="smtp.example.org", PASSWORD_RESET_LIMIT=2)
def test_with_mail_the_reset_is_limited_per_client(place_tree: factories.Tree, clean_cache: None) -> None:
    for n in (1, 2, 3):
        factories.UserFactory(username=f"user-{n}", email=f"user{n}@example.org")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n in (1, 2):
        assert client.post(reverse("password_reset"), {"email": f"user{n}@example.org"}).status_code == 302
    refused = client.post(reverse("password_reset"), {"email": "user3@example.org"})
    assert refused.status_code == 200 and str(Msg.PASSWORD_RESET_LIMIT) in refused.content.decode()
    assert [message.to for message in mail.outbox] == [["user1@example.org"], ["user2@example.org"]]
