"""Input hygiene (issue 17 item 7): control characters, digits of codes, and whose roster imports an
administrator reads.

* A NUL (or any other control character) in a path, a query or a form is a 400 with a Chinese message
  from ``accountability.middleware.RefuseControlCharacters``, before any view runs — over every URL pattern
  of the project (enumerated from the resolver as ``test_every_url`` does), the API and the admin's
  changelists included. Tab, line feed and carriage return stay allowed in POSTed values.
* Codes made of digits take 0–9 only (``tiers.validators.is_ascii_digits``); the place form's cases are
  in ``tests/tiers/test_forms.py``, the roster workbook's here.
* A roster import's record is its administrator's: the admin lists an administrator's own, a superuser's
  all (``rosters.selectors.roster_imports``).
The date bounds are tested through the forms in the apps' test modules (``DATE_BEFORE_CAMPAIGN``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.http import QueryDict
from django.test import Client, RequestFactory
from django.urls import URLResolver, get_resolver, reverse

from accountability.api import requested_year
from accountability.messages import Msg
from accountability.middleware import control_character_in
from rosters.models import RosterImport
from rosters.workbook import Column, _value
from tests import factories
from tiers.choices import Role
from tiers.validators import is_ascii_digits

REFUSAL = "请求无效"  # the start of Msg.CONTROL_CHARACTER in Chinese


def _routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def concrete(route: str, value: str) -> str:
    """A URL of ``route``: integer parameters 1, the other parameters ``value`` (route or regex syntax)."""
    url = re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m[1] == "int" else value, route)
    url = re.sub(r"\(\?P<app_label>([^|)]+)[^)]*\)", r"\1", url)  # the admin's app_list: its first app
    url = url.replace("(?P<url>.*)", "x").replace("([^/]+)", value)
    return "/" + url.replace("^", "").replace("$", "")


ROUTES = sorted(set(_routes(get_resolver().url_patterns)))
WITH_TEXT_PARAMETERS = [r for r in ROUTES if re.search(r"<(?:str:|path:|slug:)?\w+>|\(\[\^/\]\+\)", r)]


def refused(response: Any) -> bool:
    return (
        response.status_code == 400
        and response["Content-Type"] == "text/plain; charset=utf-8"
        and response.content.decode().startswith(REFUSAL)
    )


def test_the_routes_are_enumerated() -> None:
    assert len(ROUTES) > 250 and "api/v1/violations/" in ROUTES and "admin/households/household/" in ROUTES
    assert concrete("admin/tiers/place/^([^/]+)/history/([^/]+)/$", "1") == "/admin/tiers/place/1/history/1/"


@pytest.mark.parametrize("route", ROUTES)
def test_a_nul_in_the_query_of_every_url_is_a_400(route: str) -> None:
    response = Client().get(concrete(route, "1") + "?q=%00")
    assert refused(response), (route, response.status_code)


@pytest.mark.parametrize("route", WITH_TEXT_PARAMETERS)
def test_a_nul_in_a_path_parameter_is_a_400(route: str) -> None:
    response = Client().get(concrete(route, "a%00b"))
    assert refused(response), (route, response.status_code)


@pytest.fixture
def county_staff(place_tree: factories.Tree) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(factories.user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"]))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/households/?q=%00",
        "/api/v1/violations/?org=%00",
        "/api/v1/violations/export.xlsx?rule=R09.1%00",
        "/dashboard/places/620123%00/",
        "/admin/households/household/?q=%00",
        "/admin/tiers/place/?q=%1b%5b31m",
        "/households/?%00=1",
        "/households/?q=%7f",
        "/households/?q=%C2%85",  # a C1 control (NEL)
        "/households/?q=a%09b",  # a tab: allowed in a POSTed textarea, not in a query
    ],
)
def test_the_reported_urls_are_refused_for_a_logged_in_user(county_staff: Client, url: str) -> None:
    response = county_staff.get(url)
    assert refused(response), response.status_code
    assert "控制字符" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_the_refusal_speaks_the_requests_language() -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/households/?q=%00")
    assert english.status_code == 400
    assert english.content.decode().startswith("Invalid request: the query contains invisible control characters")
    chinese = Client().get("/households/%00/")
    assert chinese.content.decode().startswith("请求无效：网址中含有不可见的控制字符")


@pytest.mark.parametrize("url", ["/households/?q=620123", "/api/v1/violations/?org=620123", "/admin/tiers/place/?q=县"])
def test_the_same_urls_without_a_control_character_answer(county_staff: Client, url: str) -> None:
    assert county_staff.get(url).status_code == 200


@pytest.mark.django_db
def test_a_nul_in_a_posted_form_is_refused_and_a_textareas_lines_are_not() -> None:
    client = Client()
    form = "application/x-www-form-urlencoded"
    assert refused(client.post(reverse("login"), "username=yuzhong%00&password=x", content_type=form))
    assert refused(client.post(reverse("login"), {"username": "yuzhong", "password": "a\x00"}))  # multipart
    response = client.post(reverse("login"), {"username": "yuzhong", "password": "a\tb\r\nc"})
    assert response.status_code == 200  # a failed login, not a refusal


@pytest.mark.parametrize(
    ("method", "body", "where"),
    [
        ("post", "minutes=line+one%0D%0Aline+two%09tabbed", None),
        ("post", "minutes=%00", Msg.CONTROL_IN_FORM),
        ("post", "minutes=%1b", Msg.CONTROL_IN_FORM),
        ("post", "minutes%0A=x", Msg.CONTROL_IN_FORM),  # a newline in a key is never legitimate
        ("get", "q=a%0Ab", Msg.CONTROL_IN_QUERY),
    ],
)
def test_where_a_control_character_is(method: str, body: str, where: Any) -> None:
    factory = RequestFactory()
    if method == "post":
        request = factory.post("/records/new/", body, content_type="application/x-www-form-urlencoded")
    else:
        request = factory.get(f"/records/?{body}")
    assert control_character_in(request) is where


def test_a_json_body_is_left_to_the_api() -> None:
    """The API reads JSON itself (DRF's fields refuse NUL); the middleware looks at forms only."""
    request = RequestFactory().post("/api/v1/x/", '{"a": "\\u0000"}', content_type="application/json")
    assert control_character_in(request) is None


# --- codes are ASCII digits -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digits"),
    [("620123", True), ("0", True), ("", False), ("６２０１２３", False), ("٦٢٠", False), ("62012３", False),
     ("²", False), ("6201 23", False), ("62012A", False)],
)  # fmt: skip
def test_is_ascii_digits(text: str, digits: bool) -> None:
    assert is_ascii_digits(text) is digits
    assert text.isdigit() or not digits  # what it replaces accepted every one of these and more


@pytest.mark.parametrize("code", ["６２０１２３１０１２０１", "٦٢٠١٢٣١٠١٢٠١"])
def test_the_roster_workbook_refuses_a_village_code_of_other_digits(code: str) -> None:
    with pytest.raises(ValueError, match="编码只能含字母、数字、下划线和连字符"):
        _value(Column("帮扶村代码", "village", "code", max_length=12), code)


@pytest.mark.parametrize("number", ["２０２４", "٢٠٢٤"])
def test_the_roster_workbook_refuses_an_integer_of_other_digits(number: str) -> None:
    with pytest.raises(ValueError, match="应为整数"):
        _value(Column("计划年度", "year", "int", minimum=2013, maximum=2100), number)
    assert _value(Column("计划年度", "year", "int", minimum=2013, maximum=2100), "2024") == 2024


def test_an_exports_year_is_ascii_digits() -> None:
    assert requested_year(QueryDict("year=2024")) == "2024"
    assert requested_year(QueryDict("year=٢٠٢٤")) == "all"


# --- roster imports in the admin --------------------------------------------------------------------------


def test_an_administrator_reads_only_their_own_roster_imports_in_the_admin(place_tree: factories.Tree) -> None:
    """Decided: a roster import (its workbook, its problems, who and what it wrote) is its administrator's;
    the upload pages already showed each their own, and the admin now does too. A superuser sees all."""
    first = factories.user_with_role(Role.ADMINISTRATOR, place=place_tree.province, username="admin-one")
    second = factories.user_with_role(Role.ADMINISTRATOR, place=place_tree.province, username="admin-two")
    common = {"sha256": "0" * 64, "size": 1, "dry_run": True, "as_of": "2024-01-01"}
    mine = RosterImport.objects.create(user=first, file_name="mine-roster.xlsx", **common)
    theirs = RosterImport.objects.create(user=second, file_name="theirs-roster.xlsx", **common)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(first)

    listed = client.get(reverse("admin:rosters_rosterimport_changelist")).content.decode()
    assert "mine-roster.xlsx" in listed and "theirs-roster.xlsx" not in listed
    assert client.get(reverse("admin:rosters_rosterimport_change", args=[mine.pk])).status_code == 200
    other = client.get(reverse("admin:rosters_rosterimport_change", args=[theirs.pk]))
    assert other.status_code == 302 and other["Location"] == reverse("admin:index")  # "does not exist"
    searched = client.get(reverse("admin:rosters_rosterimport_changelist") + "?q=theirs").content.decode()
    assert "theirs-roster.xlsx" not in searched

    client.force_login(factories.UserFactory(username="root", is_superuser=True, is_staff=True))
    listed = client.get(reverse("admin:rosters_rosterimport_changelist")).content.decode()
    assert "mine-roster.xlsx" in listed and "theirs-roster.xlsx" in listed
