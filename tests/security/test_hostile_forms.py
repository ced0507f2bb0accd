"""Hostile input to every form a user posts (issue 10), property-based, through the test client.

Each form is posted by a user in scope with generated values for every field: arbitrary unicode (control
characters and NUL included), very long strings, impossible and extreme dates, huge and malformed numbers,
unknown codes and choices, repeated values, arbitrary uploads. The properties:

* the response is never a 500 (an uncaught exception fails the test with its traceback);
* either the record is saved as posted (it is read back and compared), or nothing at all is written:
  the row count of every table in the database is the same before and after, and the rows the form
  would change are unchanged.

The forms: 记录走访 / 记录实事好事 / 修订一户一策 (households), their edit forms and the review of an edit
request; a cadre's own day and the team leader's week grid, and the attendance upload (villagecorps);
记录履责情况 (tiers); 重大涉贫事件, 核查认定 and 年度考核 (accountability.escalation), and the due-process
steps of an action (confirm, hold, waive, rebut, decide); the roster upload (rosters); the login form.
(The admin site's forms are Django's own and for administrators only; they are not covered here.)

Every example runs in a savepoint that is rolled back, so each starts from the same world. Examples are
derandomized and few, to keep this file fast. Faults these properties found are fixed, and kept fixed by
the regression tests at the end: a damaged attendance .xlsx is refused on its page (the parsers' own
faults are in ``test_hostile_input``); the week grid and the month calendar of a date at either end of
the calendar show this week or month; a change reason of any length is saved in full; a very long
username at the login page is a failed login. The properties make no exception for any input: weeks at
the ends of the calendar (``STARTS``), reasons of any length (``REASONS``), usernames of any length
(``USERNAMES``) and damaged workbooks are all drawn.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from axes.models import AccessAttempt
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from accountability.choices import ActionStatus, CaseKind, RatingGrade, RebuttalStatus
from accountability.models import Action, ActionDecision, Case, Incident, Rating, Rebuttal
from households import services as household_services
from households.choices import ReportedTo
from households.models import Deed, Household, Plan, Visit
from rosters.models import RosterImport, Status
from tests import factories
from tests.households.factories import HouseholdFactory, PairingFactory
from tests.security.test_hostile_input import (
    SAMPLE,
    TRICKY,
    _members,
    _zip,
    attendance_files,
    damaged_workbooks,
    workbooks,
)
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import ActionKind, Bearer, Role
from tiers.models import DutyRecord, DutyRecordKind, EditRequest, EditRequestStatus, Escalation
from tiers.services import role_grant
from villagecorps import services as corps_services
from villagecorps.choices import DayKind, MemberRole
from villagecorps.forms import CELL
from villagecorps.models import DutyDay, Membership

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2024, 6, 14)  # a Friday
WEEK = D(2024, 6, 10)
TEAM_START = D(2023, 1, 1)


def fast(examples: int) -> settings:
    """Few, derandomized examples; no deadline (a request takes tens of milliseconds)."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
    )


@pytest.fixture(autouse=True)
def _pinned(today_is: Any, settings: Any, tmp_path: Any) -> Iterator[None]:
    """Today is 2024-06-14, uploads go to a temporary folder, and the language is restored afterwards."""
    today_is(TODAY)
    settings.MEDIA_ROOT = tmp_path
    previous = translation.get_language()
    yield
    translation.activate(previous) if previous else translation.deactivate()


# --- what was written ------------------------------------------------------------------------------------


@functools.cache
def _count_query() -> tuple[tuple[str, ...], str]:
    tables = tuple(sorted(t for t in connection.introspection.table_names() if t != "django_session"))
    quote = connection.ops.quote_name
    return tables, "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables)


def table_counts() -> dict[str, int]:
    """The row count of every table of the database (the sessions' excepted), in one query."""
    tables, sql = _count_query()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def delta(before: dict[str, int]) -> dict[str, int]:
    """Tables whose row count changed since ``before``, by how much."""
    after = table_counts()
    return {t: after[t] - before[t] for t in after if after[t] != before[t]}


def table(model: type) -> str:
    return model._meta.db_table


def history(model: type) -> str:
    return model.history.model._meta.db_table


def row(obj: Any) -> tuple:
    """All the columns of ``obj``'s row as it is in the database now."""
    return type(obj).objects.filter(pk=obj.pk).values_list().get()


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example: everything it writes is rolled back afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def post(client: Client, url: str, data: dict[str, Any]) -> Any:
    """POST ``data``; never a 500 (an exception in the view propagates and fails the test)."""
    response = client.post(url, data)
    assert response.status_code < 500, response.status_code
    event(f"status {response.status_code}")
    return response


def as_date(text: str) -> datetime.date:
    """The day a date box's text means, as the forms read it (the zh-hans input formats)."""
    with translation.override("zh-hans"):
        return forms.DateField().clean(text)


def cleaned(text: str) -> str:
    """A text box's value as the forms keep it: surrounding whitespace dropped."""
    return text.strip()


# --- strategies ------------------------------------------------------------------------------------------

#: Any text a browser (or a script) can send: every unicode character but lone surrogates, NUL included.
ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=40)
LONG = st.builds(
    lambda ch, n: ch * n, st.sampled_from(["x", "长", "9", " "]), st.sampled_from([41, 101, 201, 2001, 20001])
)
FORM_TRICKY = [
    "\x00",
    "a\x00b",
    "\x1b[31m",
    "\r\n\r\n",
    "'; DROP TABLE households_visit; --",
    "<img src=x onerror=alert(1)>",
    "{{ request }}",
    "%(row)s",
]
HOSTILE = st.one_of(ANY_TEXT, st.sampled_from(TRICKY + FORM_TRICKY), LONG)
NUMBERS = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(
        [
            "0",
            "-1",
            "2012",
            "2013",
            "2024",
            "2025",
            "32767",
            "32768",
            "65536",
            "2147483648",
            "9223372036854775808",
            "1e3",
            "2024.0",
            "2024.5",
            "NaN",
            "Infinity",
            "٢٠٢٤",
            "２０２４",
            " 2024 ",
            "9" * 5000,
        ]
    ),
    HOSTILE,
)
DATE_TRICKY = [
    "",
    "2024-02-30",
    "2024-13-01",
    "0001-01-01",
    "0000-01-01",
    "1900-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-06-15",
    "2024-6-1",
    " 2024-06-10 ",
    "2024/06/10",
    "06/10/2024",
    "2024年6月10日",
    "2024-06-10T00:00",
    "２０２４-０６-１０",
    "20240610",
    "-2024-06-10",
]
DATES = st.one_of(
    st.dates(min_value=D(2019, 1, 1), max_value=D(2024, 6, 20)).map(lambda d: f"{d:%Y-%m-%d}"),
    st.sampled_from(DATE_TRICKY),
    st.dates().map(lambda d: d.isoformat()),
    HOSTILE,
)
RECENT = st.dates(min_value=D(2024, 1, 1), max_value=TODAY).map(lambda d: f"{d:%Y-%m-%d}")
PLAIN = st.sampled_from(["", "养牛", "联系务工", "四口人，两个孩子上学", "缺技术", "  种植花椒  "])


def fields(data: st.DataObject, spec: dict[str, tuple[st.SearchStrategy[Any], st.SearchStrategy[Any]]]) -> dict:
    """A value for each field: plausible, or (in a hostile example, one field in two) hostile."""
    hostile = data.draw(st.booleans(), label="hostile")
    values = {}
    for name, (good, bad) in spec.items():
        use_bad = hostile and data.draw(st.booleans(), label=f"{name} hostile?")
        values[name] = data.draw(bad if use_bad else good, label=name)
    return values


# --- households --------------------------------------------------------------------------------------------


@dataclass
class Households:
    helper: Any
    clerk: Any
    reviewer: Any
    fresh_visit: Visit
    old_visit: Visit
    fresh_deed: Deed
    old_deed: Deed
    request: EditRequest


@pytest.fixture
def hh(place_tree: factories.Tree) -> Households:
    """张帮扶 (a helper user) paired with H1 and H2 in township 620123101; a clerk and a reviewer of the
    township; a visit and a deed entered today and another of each entered 60 days ago (editing those
    files an edit request), and a pending edit request."""
    t = place_tree
    unit = factories.UnitFactory(code="UH", name="省直帮扶单位", place=t.province)
    user = factories.UserFactory(username="pz", password=None)
    zhang = factories.PersonFactory(code="PZ", name="张帮扶", unit=unit, user=user)
    role_grant(user=user, role=Role.HELPER)
    h1 = Household.objects.create(code="H1", head_name="王福贵", village=t["620123101201"])
    h2 = Household.objects.create(code="H2", head_name="赵有全", village=t["620123101202"])
    for household in (h1, h2):
        household_services.pairing_create(helper=zhang, household=household, start=D(2019, 7, 31))
    PairingFactory(household=HouseholdFactory(code="H4", village=t["620521101201"]))  # another county's
    clerk = factories.user_with_role(Role.TOWNSHIP_STAFF, place=t["620123101"], username="clerk", password=None)
    reviewer = factories.user_with_role(Role.TOWNSHIP_STAFF, place=t["620123101"], username="reviewer", password=None)
    log = household_services
    fresh_visit = log.visit_log(user=user, household=h1, date=D(2024, 6, 1), industry="养牛")
    old_visit = log.visit_log(user=user, household=h2, date=D(2024, 3, 1), water="通了自来水")
    fresh_deed = log.deed_log(user=user, household=h1, date=D(2024, 6, 2), description="联系务工")
    old_deed = log.deed_log(user=user, household=h2, date=D(2024, 3, 2), description="送化肥")
    long_ago = timezone.now() - datetime.timedelta(days=60)
    Visit.objects.filter(pk=old_visit.pk).update(entered_at=long_ago)
    Deed.objects.filter(pk__in=[old_deed.pk]).update(entered_at=long_ago)
    old_deed.refresh_from_db()
    request = log.record_update(user=user, record=old_deed, changes={"description": "送化肥两袋"}, reason="补记")
    assert isinstance(request, EditRequest)
    return Households(user, clerk, reviewer, fresh_visit, old_visit, fresh_deed, old_deed, request)


HOUSEHOLD_CODES = st.sampled_from(["H1", "H2"])
BAD_HOUSEHOLD_CODES = st.one_of(st.sampled_from(["H4", "h1", " H1", "H404", "", "1"]), HOSTILE)
FINDING_TEXTS = ["industry", "employment", "education", "medical", "housing", "water", "problems"]
REPORTED_TO = st.sampled_from(ReportedTo.values)


def assert_texts(record: Any, values: dict[str, Any], names: list[str]) -> None:
    for name in names:
        assert getattr(record, name) == cleaned(values[name]), name


@fast(20)
@given(data=st.data())
def test_visit_form(hh: Households, data: st.DataObject) -> None:
    values = fields(
        data,
        {
            "household": (HOUSEHOLD_CODES, BAD_HOUSEHOLD_CODES),
            "date": (RECENT, DATES),
            **{name: (PLAIN, HOSTILE) for name in FINDING_TEXTS},
            "reported_to": (REPORTED_TO, HOSTILE),
        },
    )
    with rolled_back():
        client = client_for(hh.helper)
        before = table_counts()
        response = post(client, reverse("households:visit-new"), values)
        written = delta(before)
        if response.status_code == 302:
            visit = Visit.objects.select_related("household", "helper").latest("pk")
            assert written == {table(Visit): 1, history(Visit): 1}
            assert (visit.household.code, visit.date, visit.helper.code) == (
                values["household"],
                as_date(values["date"]),
                "PZ",
            )
            assert_texts(visit, values, FINDING_TEXTS)
            assert visit.reported_to == values["reported_to"] and visit.entered_by == hh.helper
        else:
            assert written == {}


@fast(20)
@given(data=st.data())
def test_deed_form(hh: Households, data: st.DataObject) -> None:
    values = fields(
        data,
        {
            "household": (HOUSEHOLD_CODES, BAD_HOUSEHOLD_CODES),
            "date": (RECENT, DATES),
            "description": (PLAIN, HOSTILE),
        },
    )
    with rolled_back():
        client = client_for(hh.clerk)  # a clerk enters it on the helper's behalf
        before = table_counts()
        response = post(client, reverse("households:deed-new"), values)
        written = delta(before)
        if response.status_code == 302:
            deed = Deed.objects.select_related("household", "helper").latest("pk")
            assert written == {table(Deed): 1, history(Deed): 1}
            assert (deed.household.code, deed.date, deed.helper.code, deed.entered_by) == (
                values["household"],
                as_date(values["date"]),
                "PZ",
                hh.clerk,
            )
            assert deed.description == cleaned(values["description"]) != ""
        else:
            assert written == {}


PLAN_TEXTS = ["family_situation", "poverty_causes", "income_paths", "support_measures", "targets"]


@fast(20)
@given(data=st.data())
def test_plan_form(hh: Households, data: st.DataObject) -> None:
    values = fields(
        data,
        {
            "date": (RECENT, DATES),
            "year": (st.sampled_from(["2024", "2025", "2023"]), NUMBERS),
            **{name: (PLAIN.filter(bool), HOSTILE) for name in PLAN_TEXTS},
        },
    )
    code = data.draw(st.sampled_from(["H1", "H2"]), label="household")
    with rolled_back():
        client = client_for(hh.helper)
        before = table_counts()
        response = post(client, reverse("households:plan-new", args=[code]), values)
        written = delta(before)
        if response.status_code == 302:
            plan = Plan.objects.select_related("household").latest("pk")
            assert written == {table(Plan): 1, history(Plan): 1}
            assert (plan.household.code, plan.date, plan.year) == (code, as_date(values["date"]), int(values["year"]))
            assert_texts(plan, values, PLAN_TEXTS)
        else:
            assert written == {}


#: 修改理由 as a user writes it, short or long (a change saved straight away keeps it as its history's change
#: reason, a text; past the edit window it is the edit request's reason), the old varchar(100)'s edges included.
#: A hostile reason is any text of any length (``HOSTILE``: up to 20001 characters).
REASONS = st.one_of(PLAIN, st.sampled_from(["长" * 101, "补记走访情况。" * 15, "理" * 5000, "补" * 100]))


@fast(20)
@given(data=st.data())
def test_visit_and_deed_edit_forms(hh: Households, data: st.DataObject) -> None:
    which = data.draw(st.sampled_from(["fresh visit", "old visit", "fresh deed", "old deed"]), label="record")
    record = {"fresh visit": hh.fresh_visit, "old visit": hh.old_visit, "fresh deed": hh.fresh_deed}.get(
        which, hh.old_deed
    )
    texts = FINDING_TEXTS if isinstance(record, Visit) else ["description"]
    spec = {"date": (RECENT, DATES), **{name: (PLAIN, HOSTILE) for name in texts}}
    if isinstance(record, Visit):
        spec["reported_to"] = (REPORTED_TO, HOSTILE)
    spec["reason"] = (REASONS, HOSTILE)
    values = fields(data, spec)
    if len(values["reason"]) > 100:
        event("reason over 100 characters")
    model = type(record)
    url = reverse(f"households:{'visit' if model is Visit else 'deed'}-edit", args=[record.pk])
    with rolled_back():
        client = client_for(hh.helper)
        before, was = table_counts(), row(record)
        response = post(client, url, values)
        written = delta(before)
        if response.status_code == 302 and which.startswith("fresh"):
            assert written == {history(model): 1}
            record.refresh_from_db()
            assert record.date == as_date(values["date"])
            assert_texts(record, values, texts)
            assert record.history.latest().history_change_reason == cleaned(values["reason"])
            if len(cleaned(values["reason"])) > 100:
                event("saved straight away, with a reason over 100 characters")
        elif response.status_code == 302:  # entered 60 days ago: the change waits for a reviewer
            assert written == {table(EditRequest): 1}
            assert row(record) == was
            request = EditRequest.objects.latest("pk")
            assert request.reason == cleaned(values["reason"]) and request.status == EditRequestStatus.PENDING
            assert request.changes.get("date", f"{record.date:%Y-%m-%d}") == f"{as_date(values['date']):%Y-%m-%d}"
        else:
            assert written == {} and row(record) == was


@fast(20)
@given(data=st.data())
def test_review_form(hh: Households, data: st.DataObject) -> None:
    values = fields(
        data,
        {
            "decision": (st.sampled_from(["approve", "reject"]), st.one_of(HOSTILE, st.just(["approve", "reject"]))),
            "review_note": (PLAIN, HOSTILE),
        },
    )
    request = hh.request
    with rolled_back():
        client = client_for(hh.reviewer)
        before, deed, was = table_counts(), row(hh.old_deed), row(request)
        post(client, reverse("households:review-decide", args=[request.pk]), values)
        written = delta(before)
        request.refresh_from_db()
        decision = values["decision"][-1] if isinstance(values["decision"], list) else values["decision"]  # the last
        if request.status == EditRequestStatus.PENDING:
            assert written == {} and row(hh.old_deed) == deed and row(request) == was
        else:
            assert request.review_note == cleaned(values["review_note"]) and request.reviewed_by == hh.reviewer
            hh.old_deed.refresh_from_db()
            if request.status == EditRequestStatus.APPROVED:
                assert decision == "approve"
                assert written == {history(Deed): 1} and hh.old_deed.description == "送化肥两袋"
            else:
                assert decision == "reject"
                assert written == {} and row(hh.old_deed) == deed


# --- villagecorps ------------------------------------------------------------------------------------------


@dataclass
class Corps:
    leader: Any
    zhang_user: Any
    wang: Membership
    zhang: Membership
    li: Membership
    other: Membership


@pytest.fixture
def corps(place_tree: factories.Tree) -> Corps:
    """Team 一村工作队 in 620123101201: 王队长 (a user, team leader), 张驻村 (a user), 李驻村 (from 1 April
    2024); 赵驻村 of another team; 张驻村 has recorded 10 June 2024."""
    t = place_tree
    unit = factories.UnitFactory(code="UA", name="省直单位甲", place=t.province)
    t1 = corps_services.team_create(village=t["620123101201"], name="一村工作队", start=D(2023, 1, 1))
    t2 = corps_services.team_create(village=t["620123101202"], name="二村工作队", start=D(2023, 1, 1))

    def station(team: Any, code: str, login: bool, start: datetime.date = TEAM_START) -> Membership:
        user = factories.UserFactory(username=code.lower(), password=None) if login else None
        person = factories.PersonFactory(code=code, unit=unit, user=user)
        return corps_services.membership_create(
            team=team, person=person, dispatching_unit=unit, start=start, role=MemberRole.MEMBER
        )

    wang, zhang = station(t1, "P1", True), station(t1, "P2", True)
    li, other = station(t1, "P3", False, D(2024, 4, 1)), station(t2, "P4", False)
    role_grant(user=wang.person.user, role=Role.TEAM_LEADER, place=t["620123101201"])
    corps_services.self_record(user=zhang.person.user, day=WEEK, kind=DayKind.IN_VILLAGE_NIGHT)
    return Corps(wang.person.user, zhang.person.user, wang, zhang, li, other)


KINDS = st.sampled_from(DayKind.values)
BAD_KINDS = st.one_of(st.sampled_from(["在村工作并住村", "Village", "village ", ""]), HOSTILE)
LOCATIONS = st.sampled_from(["", "35.84,104.11", "-90,180", " 35.8,104.1 "])


def duty_rows() -> list[tuple]:
    return list(DutyDay.objects.order_by("pk").values_list())


@fast(20)
@given(data=st.data())
def test_own_day_form(corps: Corps, data: st.DataObject) -> None:
    values = fields(
        data,
        {
            "date": (st.dates(min_value=D(2024, 6, 1), max_value=D(2024, 6, 15)).map(str), DATES),
            "kind": (KINDS, BAD_KINDS),
            "location": (LOCATIONS, st.one_of(HOSTILE, st.sampled_from(["91,0", "0,181", "1e3,1", "nan,nan"]))),
        },
    )
    with rolled_back():
        client = client_for(corps.zhang_user)
        before, days = table_counts(), duty_rows()
        response = post(client, reverse("villagecorps:my-duty"), values)
        written = delta(before)
        if response.status_code == 302:
            day = DutyDay.objects.get(person=corps.zhang.person, date=as_date(values["date"]))
            assert day.kind == values["kind"]
            assert written in ({}, {history(DutyDay): 1}, {table(DutyDay): 1, history(DutyDay): 1})
            assert day.location == cleaned(values["location"]) or (not cleaned(values["location"]) and not written)
        else:
            assert written == {} and duty_rows() == days


#: The week asked for (``?start=``): any day Python has, the first and last weeks of the calendar and the
#: edges of the range a calendar shows (2000-01-01 to 2099-12-01; outside it, this week) included.
STARTS = st.one_of(
    st.just(f"{WEEK:%Y-%m-%d}"),
    st.sampled_from(
        ["0001-01-01", "0001-01-03", "0001-01-08", "1999-12-31", "2000-01-01", "2099-12-01", "2099-12-02"]
        + ["9999-12-26", "9999-12-27", "9999-12-31"]
    ),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["", "2024-02-30", "x", "2024-06-10T00:00", "9999999-01-01"]),
)


def week_shown(start: str) -> datetime.date:
    """The Monday of the week the grid shows for ``?start=``: the day's week when it is a day from
    2000-01-01 to 2099-12-01, else this week."""
    try:
        asked = D.fromisoformat(start) if start else None
    except ValueError:
        asked = None
    if asked is not None and not D(2000, 1, 1) <= asked <= D(2099, 12, 1):
        event("start outside 2000-01-01..2099-12-01")
        asked = None
    day = asked or TODAY
    return day - datetime.timedelta(days=day.weekday())


@fast(20)
@given(data=st.data())
def test_week_grid_form(corps: Corps, data: st.DataObject) -> None:
    members = [corps.wang, corps.zhang, corps.li]
    good_id = st.sampled_from([str(m.pk) for m in members])
    bad_id = st.sampled_from([str(corps.other.pk), "0", "99999999999999999999999", f"0{corps.wang.pk}", "-1"])
    week = st.dates(min_value=WEEK, max_value=WEEK + datetime.timedelta(days=6)).map(str)
    bad_day = st.one_of(DATES, st.sampled_from(["2024-02-30", "2019-01-01", "0001-01-01", "9999-12-31"]))
    hostile = data.draw(st.booleans(), label="hostile")
    cells: dict[str, Any] = {}
    for _ in range(data.draw(st.integers(0, 8), label="cells")):
        bad = hostile and data.draw(st.booleans())
        member = data.draw(bad_id if bad and data.draw(st.booleans()) else good_id)
        day = data.draw(bad_day if bad and data.draw(st.booleans()) else week)
        kind = data.draw(BAD_KINDS if bad else st.one_of(KINDS, st.just("")))
        cells[f"d-{member}-{day}"] = kind
    if hostile:
        cells |= data.draw(st.dictionaries(HOSTILE, st.one_of(HOSTILE, KINDS), max_size=3), label="other fields")
    start = data.draw(STARTS, label="start")
    shown = week_shown(start)
    expected = {}
    for name, kind in cells.items():
        match = CELL.match(name)
        if match and isinstance(kind, str) and kind.strip():
            try:
                expected[(int(match[1]), D.fromisoformat(match[2]))] = kind.strip()
            except ValueError:
                pass
    with rolled_back():
        client = client_for(corps.leader)
        before, days = table_counts(), duty_rows()
        url = f"{reverse('villagecorps:team-week', args=[corps.wang.team_id])}?start={start}"
        response = post(client, url, cells)
        written = delta(before)
        if response.status_code == 302:
            assert response.url.endswith(f"?start={shown:%Y-%m-%d}")
            for (membership, day), kind in expected.items():
                assert DutyDay.objects.get(membership_id=membership, date=day).kind == kind
            assert set(written) <= {table(DutyDay), history(DutyDay)}
        else:
            if response.status_code == 200:  # the week again, with its errors
                assert response.context["grid"].start == shown
            assert written == {} and duty_rows() == days


@st.composite
def corps_attendance(draw: st.DrawFn) -> tuple[str, bytes, list[tuple[str, datetime.date]]]:
    """A .csv of this world's cadres (P1 to P4, P4 out of the leader's scope), mostly good rows, and the
    (person code, day) of each row."""
    lines = ["人员编码,日期,类别,位置"]
    cells = st.tuples(
        st.sampled_from(["P1", "P2", "p2", "P1", "P2", "P3", "P4"]),
        st.dates(min_value=D(2024, 3, 25), max_value=D(2024, 6, 16)),
        st.sampled_from(["住村", "在村", "会议", "village_night", "在村工作并住村"]),
        st.sampled_from(["", "", "", '"35.84,104.11"', "35.84;104.11"]),
    )
    rows = draw(st.lists(cells, min_size=1, max_size=3, unique_by=lambda c: (c[0].upper(), c[1])))
    lines += [f"{code},{day:%Y/%m/%d},{kind},{location}" for code, day, kind, location in rows]
    content = ("\r\n".join(lines) + "\r\n").encode(draw(st.sampled_from(["utf-8-sig", "gb18030"])))
    return "考勤.csv", content, [(code.upper(), day) for code, day, _kind, _location in rows]


@fast(20)
@given(data=st.data())
def test_attendance_upload_form(corps: Corps, data: st.DataObject) -> None:
    files = st.one_of(corps_attendance(), corps_attendance(), attendance_files(), damaged_workbooks())
    file = data.draw(files, label="file")
    if isinstance(file, tuple):
        name, content, rows = file
    else:
        name, content, rows = getattr(file, "name", "考勤.xlsx"), file.content, None
    upload = SimpleUploadedFile(name or "upload", content)
    with rolled_back():
        client = client_for(corps.leader)
        before, days = table_counts(), duty_rows()
        response = post(client, reverse("villagecorps:duty-import"), {"file": upload})
        written = delta(before)
        if response.status_code == 302:
            assert set(written) <= {table(DutyDay), history(DutyDay)} and written
            for code, day in rows or []:
                assert DutyDay.objects.filter(person__code=code, date=day).exists()
        else:
            assert written == {} and duty_rows() == days


# --- tiers: 记录履责情况 ---------------------------------------------------------------------------------------


@pytest.fixture
def county(place_tree: factories.Tree) -> Any:
    """County staff of 620123, leaders PA and PB of a provincial unit, a unit of the county."""
    unit = factories.UnitFactory(code="UP", name="省直单位")
    for code in ("PA", "PB"):
        factories.PersonFactory(code=code, unit=unit)
    factories.UnitFactory(code="X620123", name="榆中县委", place=place_tree["620123"])
    return factories.user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"], username="county", password=None)


UPLOADS = st.one_of(
    st.none(),
    st.builds(
        lambda name, content: SimpleUploadedFile(name, content),
        st.sampled_from(["纪要.pdf", "a.docx", "a.exe", "a.pdf.exe", "x" * 300 + ".pdf", "..pdf", "a.PDF", "会.xlsx"]),
        st.one_of(st.binary(max_size=200), st.just(b"%PDF-1.4 minutes")),
    ),
)


@fast(20)
@given(data=st.data())
def test_duty_record_form(county: Any, data: st.DataObject) -> None:
    ids = dict(DutyRecordKind.objects.values_list("code", "pk"))
    county_kinds = [str(ids[code]) for code in ("county-promotion-meeting", "county-team-heads-meeting")]
    other_kinds = [str(pk) for pk in sorted(ids.values())[:4]]  # these need a unit, a leader or another level
    values = fields(
        data,
        {
            "kinds": (
                st.lists(st.sampled_from(county_kinds), min_size=1, max_size=2, unique=True),
                st.lists(
                    st.one_of(st.sampled_from(["0", "-1", "1.5", "99999999999999999999", "", *other_kinds]), HOSTILE),
                    max_size=3,
                ),
            ),
            "date": (RECENT, DATES),
            "title": (PLAIN.filter(bool), HOSTILE),
            "place": (
                st.sampled_from(["620123", "620123", "620123101", ""]),
                st.one_of(st.sampled_from(["620122", "620123101201"]), HOSTILE),
            ),
            "unit": (st.sampled_from(["", "X620123"]), st.one_of(st.just("UP"), HOSTILE)),
            "person": (st.sampled_from(["", "PA", "pb"]), HOSTILE),
            "participants": (st.sampled_from(["", "PA\nPB", "pa、pb，PA"]), HOSTILE),
            "minutes": (PLAIN, HOSTILE),
        },
    )
    attachment = data.draw(UPLOADS if data.draw(st.integers(0, 2)) == 0 else st.none(), label="attachment")
    payload = values | ({"attachment": attachment} if attachment else {})
    with rolled_back():
        client = client_for(county)
        before = table_counts()
        response = post(client, reverse("record-new"), payload)
        written = delta(before)
        if response.status_code == 302:
            record = DutyRecord.objects.select_related("place", "unit", "person").latest("pk")
            assert written[table(DutyRecord)] == 1 and written[history(DutyRecord)] >= 1  # kinds.set() adds one
            assert all("dutyrecord" in name for name in written), written  # its kinds, participants, history
            assert (record.date, record.title, record.minutes) == (
                as_date(values["date"]),
                cleaned(values["title"]),
                cleaned(values["minutes"]),
            )
            assert sorted(str(pk) for pk in record.kinds.values_list("pk", flat=True)) == sorted(set(values["kinds"]))
            assert (record.place.code if record.place else "") == cleaned(values["place"]).upper()
            assert (record.person.code if record.person else "") == cleaned(values["person"]).upper()
            assert bool(record.attachment) == bool(attachment)
        else:
            assert written == {}


# --- accountability: incidents, cases, ratings, and an action's due process ------------------------------


@pytest.fixture
def triggers(place_tree: factories.Tree) -> Any:
    """County staff of 620123; a provincial unit's cadre (PM1) stationed there, a helper (PH1) paired
    there; a county unit; a stranger (PX1) and a unit of another county (as ``test_escalation_records``)."""
    tree = place_tree
    provincial = factories.UnitFactory(code="SCZT", name="省财政厅")
    factories.UnitFactory(code="X620123", name="榆中县委", place=tree["620123"])
    factories.UnitFactory(code="X620122", name="永登县委", place=tree["620122"])
    team = TeamFactory(village=tree["620123101201"], name="一村工作队")
    MembershipFactory(team=team, person=factories.PersonFactory(code="PM1", unit=provincial))
    helper = factories.PersonFactory(code="PH1", unit=provincial)
    PairingFactory(helper=helper, household=HouseholdFactory(village=tree["620123101202"]))
    factories.PersonFactory(code="PX1", unit=factories.UnitFactory(code="SJYT"))
    return factories.user_with_role(Role.COUNTY_STAFF, place=tree["620123"], username="county", password=None)


PEOPLE = st.sampled_from(["PM1", "PH1", "pm1"])
BAD_PEOPLE = st.one_of(st.sampled_from(["PX1", "P404", ""]), HOSTILE)
UNITS = st.sampled_from(["", "SCZT", "X620123"])
BAD_UNITS = st.one_of(st.sampled_from(["X620122", "SJYT"]), HOSTILE)
VILLAGES = st.sampled_from(["620123101201", "620123101202", " 620123101201 "])


def _trigger_page(user: Any, kind: str, values: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    client = client_for(user)
    before = table_counts()
    response = post(client, reverse(f"escalations:{kind}-new"), values)
    written = delta(before)
    if response.status_code != 302:
        assert written == {}
    return response, written


@fast(12)
@given(data=st.data())
def test_incident_form(triggers: Any, data: st.DataObject) -> None:
    values = fields(
        data,
        {
            "village": (VILLAGES, st.one_of(st.sampled_from(["620122101201", "620123"]), HOSTILE)),
            "date": (RECENT, DATES),
            "description": (PLAIN.filter(bool), HOSTILE),
            "team": (st.sampled_from(["", "on"]), HOSTILE),
            "person": (st.one_of(st.just(""), PEOPLE), BAD_PEOPLE),
            "unit": (UNITS, BAD_UNITS),
        },
    )
    with rolled_back():
        response, written = _trigger_page(triggers, "incident", values)
        if response.status_code == 302:
            incident = Incident.objects.select_related("village", "person", "unit").latest("pk")
            assert written == {table(Incident): 1, history(Incident): 1}
            assert (incident.village.code, incident.date, incident.description) == (
                values["village"].strip(),
                as_date(values["date"]),
                cleaned(values["description"]),
            )
            assert (incident.person.code if incident.person else "") == cleaned(values["person"]).upper()
            assert (incident.unit.code if incident.unit else "") == cleaned(values["unit"]).upper()
            assert (incident.team_id is not None) == (values["team"] not in ("", "false", "False", "0"))


@fast(12)
@given(data=st.data())
def test_case_form(triggers: Any, data: st.DataObject) -> None:
    subject = data.draw(st.sampled_from(["place", "unit", "membership", "person"]), label="subject")
    good_subject = {
        "place": st.sampled_from(["620123", "620123101"]),
        "unit": st.just("X620123"),
        "membership": st.just("PM1"),
        "person": st.just("PH1"),
    }[subject]
    values = fields(
        data,
        {
            "kind": (st.sampled_from(CaseKind.values), HOSTILE),
            "date": (RECENT, DATES),
            "inspection": (st.just("2023 年省级交叉考核"), HOSTILE),
            "description": (PLAIN.filter(bool), HOSTILE),
            subject: (good_subject, HOSTILE),
        },
    )
    with rolled_back():
        response, written = _trigger_page(triggers, "case", values)
        if response.status_code == 302:
            case = Case.objects.latest("pk")
            assert written == {table(Case): 1, history(Case): 1}
            assert (case.kind, case.date, case.inspection, case.description) == (
                values["kind"],
                as_date(values["date"]),
                cleaned(values["inspection"]),
                cleaned(values["description"]),
            )
            named = {"place": case.place, "unit": case.unit, "person": case.person}.get(subject)
            if subject == "membership":
                named = case.membership.person
            assert named.code == cleaned(values[subject]).upper()


@fast(12)
@given(data=st.data())
def test_rating_form(triggers: Any, data: st.DataObject) -> None:
    values = fields(
        data,
        {
            "person": (st.sampled_from(["PM1", "pm1"]), BAD_PEOPLE),
            "year": (st.sampled_from(["2023", "2024", "2019"]), NUMBERS),
            "grade": (st.sampled_from(RatingGrade.values), HOSTILE),
        },
    )
    with rolled_back():
        response, written = _trigger_page(triggers, "rating", values)
        if response.status_code == 302:
            rating = Rating.objects.get(person__code="PM1", year=int(values["year"]))
            assert written == {table(Rating): 1, history(Rating): 1}
            assert rating.grade == values["grade"]


@dataclass
class Due:
    action: Action
    rebuttal: Rebuttal
    reviewer: Any
    liaison: Any


@pytest.fixture
def due(place_tree: factories.Tree) -> Due:
    """A proposed 约谈 of unit UA01 (county 620122), its liaison (who may rebut until 2024-06-30) with a
    pending rebuttal, and a provincial reviewer."""
    unit = factories.UnitFactory(code="UA01", name="省测试厅")
    rule = Escalation.objects.get(code="E05.1")
    measure = rule.actions.filter(action=ActionKind.ADMONISH).first() or rule.actions.first()
    action = Action.objects.create(
        escalation=rule,
        measure=measure,
        kind=ActionKind.ADMONISH,
        bearer=Bearer.SUBJECT,
        slot="test",
        year=2023,
        subject_key="K1",
        unit=unit,
        place=place_tree["620122"],
        subject_name="省测试厅",
        severity=1,
        convenor=measure.convenor,
        trigger_date=D(2023, 12, 31),
        rebuttal_due=D(2024, 6, 30),
    )
    liaison = factories.user_with_role(Role.UNIT_LIAISON, unit=unit, username="liaison", password=None)
    rebuttal = Rebuttal.objects.create(action=action, text="已按要求召开会议", filed_by=liaison)
    reviewer = factories.user_with_role(Role.PROVINCIAL_GROUP, place=place_tree.province, username="rv", password=None)
    return Due(action, rebuttal, reviewer, liaison)


@fast(20)
@given(data=st.data())
def test_action_due_process_forms(due: Due, data: st.DataObject) -> None:
    steps = ["confirm", "hold", "waive", "rebut", "decide"]
    step = data.draw(st.sampled_from([*steps, *steps, "delete", ""]), label="step")
    status = data.draw(st.sampled_from([ActionStatus.PROPOSED, ActionStatus.CONFIRMED]), label="status")
    values = fields(
        data,
        {
            "reason": (PLAIN.filter(bool), st.one_of(st.just(""), HOSTILE)),
            "held_on": (RECENT, DATES),
            "minutes": (PLAIN.filter(bool), st.one_of(st.just(""), HOSTILE)),
            "text": (PLAIN.filter(bool), st.one_of(st.just(""), HOSTILE)),
            "rebuttal": (st.just(str(due.rebuttal.pk)), NUMBERS),
            "accepted": (st.sampled_from(["1", "0"]), HOSTILE),
        },
    )
    attachment = data.draw(UPLOADS, label="attachment") if step == "rebut" and data.draw(st.booleans()) else None
    payload = {"step": step, **values} | ({"attachment": attachment} if attachment else {})
    action, rebuttal = due.action, due.rebuttal
    with rolled_back():
        Action.objects.filter(pk=action.pk).update(status=status)
        client = client_for(due.liaison if step == "rebut" else due.reviewer)
        before, was, filed = table_counts(), row(action), row(rebuttal)
        response = post(client, reverse("escalation_outputs:action", args=[action.pk]), payload)
        written = delta(before)
        action.refresh_from_db()
        rebuttal.refresh_from_db()
        if response.status_code != 302:
            assert written == {} and row(action) == was and row(rebuttal) == filed
            return
        event(f"done: {step}")
        if step == "rebut":
            assert written == {table(Rebuttal): 1, history(Rebuttal): 1}
            assert Rebuttal.objects.latest("pk").text == cleaned(values["text"]) != ""
        elif step == "decide":
            assert rebuttal.status != RebuttalStatus.PENDING and rebuttal.reason == cleaned(values["reason"])
            assert (rebuttal.status == RebuttalStatus.ACCEPTED) == (values["accepted"] == "1")
        else:
            assert written == {table(ActionDecision): 1, history(Action): 1}
            expected = {"confirm": ActionStatus.CONFIRMED, "hold": ActionStatus.HELD, "waive": ActionStatus.WAIVED}
            assert action.status == expected[step]
            if step == "hold":
                assert (action.held_on, action.minutes) == (as_date(values["held_on"]), cleaned(values["minutes"]))
            if step == "waive":
                assert action.decision_reason == cleaned(values["reason"]) != ""


# --- rosters: the upload form ---------------------------------------------------------------------------


@fast(12)
@given(data=st.data())
def test_roster_upload_form(place_tree: factories.Tree, data: st.DataObject) -> None:
    admin = factories.UserFactory(username="admin", is_superuser=True, is_staff=True)
    generated = data.draw(st.one_of(workbooks(), damaged_workbooks()), label="file")
    name = data.draw(st.sampled_from(["名册.xlsx", "a.xls", "a.csv", "x" * 300 + ".xlsx", ".xlsx", "a"]), label="name")
    as_of = data.draw(st.one_of(RECENT, DATES), label="as_of")
    with rolled_back():
        client = client_for(admin)
        before = table_counts()
        upload = SimpleUploadedFile(name, generated.content)
        response = post(client, reverse("rosters:upload"), {"file": upload, "as_of": as_of})
        written = delta(before)
        if response.status_code == 302:
            record = RosterImport.objects.latest("pk")
            assert written == {table(RosterImport): 1}
            assert (record.status, record.dry_run, record.as_of, record.user) == (
                Status.QUEUED,
                True,
                as_date(as_of),
                admin,
            )
            assert record.file_name == upload.name and record.file.read() == generated.content  # name: ≤ 255
        else:
            assert written == {}


# --- the login form -----------------------------------------------------------------------------------


#: Any username, of any length: longer than a username may be (150) and than django-axes' varchar(255) too.
USERNAMES = st.one_of(st.just("pz"), HOSTILE, st.sampled_from(["x" * 150, "x" * 151, "长" * 256, "x" * 20001]))
#: What a failed login may write: django-axes' count of failures (per username and address).
LOGIN_FAILURES = {"axes_accessattempt", "axes_accessfailurelog"}


@fast(10)
@given(username=USERNAMES, password=HOSTILE)
def test_login_form(hh: Households, username: str, password: str) -> None:
    if len(username) > 150:
        event("username over 150 characters")
    with rolled_back():
        before = table_counts()
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        response = post(client, reverse("login"), {"username": username, "password": password})
        # the helper has no password: nobody gets in (400: a control character refused before the form)
        assert response.status_code in (200, 400, 403, 429)
        assert set(delta(before)) <= LOGIN_FAILURES
        assert "_auth_user_id" not in client.session


# --- regressions: faults these properties found -----------------------------------------------------------


def test_the_attendance_upload_of_a_damaged_xlsx_is_refused_on_the_page(corps: Corps) -> None:
    """The duty-import page (``villagecorps.views.duty_import`` → ``importing.import_upload``) refuses a
    damaged .xlsx (here an empty [Content_Types].xml, an XML ParseError in openpyxl) with 只能导入 .xlsx 或
    .csv 文件。 and writes nothing (it used to answer 500; see ``test_hostile_input``'s
    ``test_a_damaged_attendance_xlsx_is_refused_as_not_an_xlsx_or_csv``)."""
    members = _members(SAMPLE)
    members["[Content_Types].xml"] = b""
    upload = SimpleUploadedFile("考勤.xlsx", _zip(members))
    client = client_for(corps.leader)
    before = table_counts()
    response = client.post(reverse("villagecorps:duty-import"), {"file": upload})
    assert response.status_code == 200
    assert "只能导入 .xlsx 或 .csv 文件。" in response.content.decode()
    assert delta(before) == {}


@pytest.mark.parametrize(
    "start", ["9999-12-31", "9999-12-27", "0001-01-03", "0001-01-01", "1999-12-31", "2099-12-02", "2100-01-04"]
)
def test_the_week_grid_of_a_week_at_either_end_of_the_calendar_shows_this_week(corps: Corps, start: str) -> None:
    """``villagecorps.views.team_week`` ignores a ``?start=`` outside 2000-01-01 to 2099-12-01 and shows
    this week (9999-12-27's week ends in year 10000, and the first week's "previous" link is before
    year 1: both were an OverflowError and a 500), on GET and on POST alike."""
    url = f"{reverse('villagecorps:team-week', args=[corps.wang.team_id])}?start={start}"
    client = client_for(corps.leader)
    shown = client.get(url)
    assert shown.status_code == 200
    assert (shown.context["grid"].start, shown.context["grid"].end) == (WEEK, D(2024, 6, 16))
    cell = f"d-{corps.wang.pk}-{TODAY:%Y-%m-%d}"
    confirmed = client.post(url, {cell: DayKind.IN_VILLAGE_NIGHT})
    assert confirmed.status_code == 302
    assert confirmed.url.endswith(f"?start={WEEK:%Y-%m-%d}")


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "1999-12", "2100-01"])
def test_the_month_calendar_of_a_month_at_either_end_of_the_calendar_shows_this_month(corps: Corps, month: str) -> None:
    """``villagecorps.views.team_calendar`` ignores a ``?month=`` outside 2000-01 to 2099-12 and shows this
    month (the "previous" link of 0001-01 was before year 1: an OverflowError and a 500)."""
    url = f"{reverse('villagecorps:team-calendar', args=[corps.wang.team_id])}?month={month}"
    shown = client_for(corps.leader).get(url)
    assert shown.status_code == 200
    assert shown.context["month"] == D(2024, 6, 1)


def test_a_long_reason_for_a_recent_edit_is_saved_in_full(hh: Households) -> None:
    """``households.services.record_update`` saves a change made within the edit window with its reason as
    the history's change reason: a text, so a 修改理由 of any length is kept whole (it was a varchar(100):
    a longer reason was a DataError and a 500)."""
    reason = "理" * 5000
    url = reverse("households:visit-edit", args=[hh.fresh_visit.pk])
    data = {"date": "2024-06-01", "industry": "养牛和种植", "reported_to": hh.fresh_visit.reported_to, "reason": reason}
    client = client_for(hh.helper)
    before = table_counts()
    response = client.post(url, data)
    assert response.status_code == 302
    assert delta(before) == {history(Visit): 1}
    hh.fresh_visit.refresh_from_db()
    assert hh.fresh_visit.industry == "养牛和种植"
    assert hh.fresh_visit.history.latest().history_change_reason == reason


@pytest.mark.parametrize("length", [151, 256, 5000])
def test_a_login_with_a_very_long_username_is_a_failed_login(db: None, length: int) -> None:
    """django-axes counts failed logins by username in a varchar(255); it is given the username cut to 150
    characters (``accountability.auth.axes_username``), so a longer one typed at the login page is an
    ordinary failed login: the page again, with the form's error, and nobody signed in (it was a 500)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(reverse("login"), {"username": "x" * length, "password": "x"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["x" * 150]  # counted, cut
