"""Every create is idempotent (issue 17, item 6): ten parallel POSTs of one form submission make one
record, and every answer is a redirect to the first one's page — never a second record, never a 500.

The POSTs are real HTTP against the live test server, from ten threads at once (a barrier releases them
together), with a logged-in session cookie and the CSRF and submission tokens scraped from the form as a
browser would send them. The natural keys are exercised without a token (a duty day per person and day, a
rating per person and year), and two escalation computations of one year run at once on PostgreSQL."""

from __future__ import annotations

import datetime
import http.client
import re
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from celery import current_app
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.choices import RatingGrade
from accountability.models import Action, ActionTarget, ActionTrigger, Case, Incident, Rating, Rebuttal
from households.models import Deed, Plan, Visit
from rosters.models import RosterImport
from tests import factories
from tests.conftest import REQUIRE_SERVICES
from tests.households.factories import HouseholdFactory, PairingFactory, VisitFactory
from tests.rosters.test_workbook import HH, xlsx
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import ActionKind, Bearer, TriggerKind
from tiers.messages import Msg
from tiers.models import Duty, DutyRecord, DutyRecordKind, EditRequest, Escalation, Finding, SubmissionToken
from tiers.submissions import FIELD
from villagecorps.choices import MemberRole
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, TrainingDay

PARALLEL = 10
D = datetime.date


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        if REQUIRE_SERVICES:
            pytest.fail("the parallel-submit tests need PostgreSQL")
        pytest.skip("needs PostgreSQL (concurrent writers); CI sets DATABASE_URL")


# --- a browser over plain HTTP --------------------------------------------------------------------------


def _multipart(fields: dict[str, Any], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        for item in value if isinstance(value, list | tuple) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'.encode())
    for name, (file_name, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        parts.append(head.encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """One logged-in user's cookies (session, CSRF) and plain HTTP requests, safe to use from threads."""

    def __init__(self, base_url: str, user: Any) -> None:
        client = Client()
        client.force_login(user)
        self.cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
        url = urlsplit(base_url)
        self.host, self.port = url.hostname, url.port

    def request(self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None) -> Any:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            conn.request(method, path, body, {"Cookie": cookie, "Accept-Language": "zh-hans", **(headers or {})})
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name != settings.SESSION_COOKIE_NAME:  # the CSRF cookie, the messages
                self.cookies[name] = rest.split(";")[0]
        return response.status, response.headers, text

    def form(self, path: str) -> dict[str, str]:
        """The hidden tokens of the page's form: CSRF, and the submission token when there is one."""
        status, _, html = self.request("GET", path)
        assert status == 200, (path, status)
        fields = {"csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]}
        if token := re.search(rf'name="{FIELD}" value="([^"]+)"', html):
            fields[FIELD] = token[1]
        return fields

    def post(self, path: str, fields: dict[str, Any], files: dict[str, tuple[str, bytes]] | None = None) -> Any:
        body, content_type = _multipart(fields, files or {})
        status, headers, _ = self.request("POST", path, body, {"Content-Type": content_type})
        return status, headers.get("Location", "")


def at_once(count: int, work: Callable[[], Any]) -> list[Any]:
    """``work()`` from ``count`` threads released together."""
    barrier = threading.Barrier(count)

    def run() -> Any:
        barrier.wait()
        try:
            return work()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(count) as pool:
        futures = [pool.submit(run) for _ in range(count)]
        return [future.result() for future in futures]


# --- the world --------------------------------------------------------------------------------------------


@dataclass
class World:
    tree: Any
    root: Any
    cadre_user: Any
    cadre: Any
    membership: Any
    team: Any
    household: Any
    old_visit: Visit
    action: Action
    today: datetime.date = field(default_factory=timezone.localdate)


@pytest.fixture
def world(live_server: Any, transactional_db: None, django_db_serialized_rollback: None) -> World:
    needs_postgres()
    tree = factories.build_tree()
    today = timezone.localdate()
    county, village = tree["620122"], tree["620122101201"]
    root = get_user_model().objects.create_superuser("root-twice", password="pw-Test-2019")
    cadre_user = factories.UserFactory(username="cadre-twice")
    cadre = factories.PersonFactory(code="PTWICE", name="驻村干部甲", user=cadre_user)
    team = TeamFactory(village=village, start=D(2019, 1, 1))
    membership = MembershipFactory(team=team, person=cadre, role=MemberRole.LEADER, start=D(2019, 1, 1))
    household = HouseholdFactory(code="HTWICE", village=village)
    pairing = PairingFactory(helper=factories.PersonFactory(code="PHELP"), household=household, start=D(2019, 1, 1))
    old_visit = VisitFactory(pairing=pairing, date=D(2019, 3, 1))
    Visit.objects.filter(pk=old_visit.pk).update(entered_at=timezone.now() - datetime.timedelta(days=90))
    rule = Escalation.objects.get(code="E09.2")
    action = Action.objects.create(
        escalation=rule,
        measure=rule.actions.first(),
        kind=ActionKind.PROMOTION_BAN,
        bearer=Bearer.SUBJECT,
        slot="test",
        year=today.year,
        subject_key="twice",
        place=county,
        person=cadre,
        subject_name=cadre.name,
        severity=3,
        trigger_date=today,
        rebuttal_due=today + datetime.timedelta(days=10),
    )
    ActionTarget.objects.create(action=action, person=cadre, role="本人")
    ActionTrigger.objects.create(action=action, kind=TriggerKind.INCIDENT, relation="self", summary="测试")
    return World(tree, root, cadre_user, cadre, membership, team, household, old_visit, action, today)


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def eager() -> Any:
    """Tasks run in the request (the embedded default), whatever broker the suite has."""
    before = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = before


# --- every create form ---------------------------------------------------------------------------------------


@dataclass
class Form:
    """One create form: who fills it, where, with what, and how to count what it creates."""

    user: str  # "root" or "cadre"
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    count: Callable[[World], int]
    files: Callable[[World], dict[str, tuple[str, bytes]]] = lambda w: {}


def _iso(day: datetime.date) -> str:
    return f"{day:%Y-%m-%d}"


def _admin(model: str) -> Callable[[World], str]:
    return lambda w: f"/admin/{model}/add/"


CASES: dict[str, Form] = {
    "visit": Form(
        "root",
        lambda w: reverse("households:visit-new"),
        lambda w: {"household": "HTWICE", "date": _iso(w.today), "problems": "饮水不便"},
        lambda w: Visit.objects.exclude(pk=w.old_visit.pk).count(),
    ),
    "deed": Form(
        "root",
        lambda w: reverse("households:deed-new"),
        lambda w: {"household": "HTWICE", "date": _iso(w.today), "description": "帮助联系务工岗位"},
        lambda w: Deed.objects.count(),
    ),
    "plan revision": Form(
        "root",
        lambda w: reverse("households:plan-new", args=["HTWICE"]),
        lambda w: {
            "date": _iso(w.today),
            "year": str(w.today.year),
            "family_situation": "四口人",
            "poverty_causes": "缺技术",
            "income_paths": "养牛",
            "support_measures": "技能培训",
            "targets": "人均收入过万",
        },
        lambda w: Plan.objects.count(),
    ),
    "edit request": Form(
        "root",
        lambda w: reverse("households:visit-edit", args=[w.old_visit.pk]),
        lambda w: {"date": _iso(w.old_visit.date), "problems": "补充：缺水", "reason": "补录"},
        lambda w: EditRequest.objects.count(),
    ),
    "incident": Form(
        "root",
        lambda w: reverse("escalations:incident-new"),
        lambda w: {
            "village": "620122101201",
            "date": _iso(w.today),
            "description": "因灾返贫",
            "person": "",
            "unit": "",
        },
        lambda w: Incident.objects.count(),
    ),
    "case": Form(
        "root",
        lambda w: reverse("escalations:case-new"),
        lambda w: {
            "kind": "falsification",
            "date": _iso(w.today),
            "inspection": "省级核查",
            "description": "考勤代签",
            "place": "",
            "unit": "",
            "membership": "PTWICE",
            "person": "",
        },
        lambda w: Case.objects.count(),
    ),
    "rating": Form(
        "root",
        lambda w: reverse("escalations:rating-new"),
        lambda w: {"person": "PTWICE", "year": str(w.today.year), "grade": RatingGrade.BASIC},
        lambda w: Rating.objects.count(),
    ),
    "duty record": Form(
        "root",
        lambda w: reverse("record-new"),
        lambda w: {
            "kinds": [DutyRecordKind.objects.get(code="county-promotion-meeting").pk],
            "date": _iso(w.today),
            "title": "推进会",
            "place": "620122",
            "unit": "",
            "person": "",
            "participants": "",
            "minutes": "",
        },
        lambda w: DutyRecord.objects.count(),
    ),
    "duty day (own)": Form(
        "cadre",
        lambda w: reverse("villagecorps:my-duty"),
        lambda w: {"date": _iso(w.today), "kind": "village_night", "location": ""},
        lambda w: DutyDay.objects.count(),
    ),
    "duty days (week grid)": Form(
        "root",
        lambda w: reverse("villagecorps:team-week", args=[w.team.pk]),
        lambda w: {f"d-{w.membership.pk}-{_iso(w.today)}": "village_night"},
        lambda w: DutyDay.objects.count(),
    ),
    "duty days (import)": Form(
        "root",
        lambda w: reverse("villagecorps:duty-import"),
        lambda w: {},
        lambda w: DutyDay.objects.count(),
        files=lambda w: {"file": ("kaoqin.csv", f"人员编码,日期,类别\nPTWICE,{_iso(w.today)},会议\n".encode())},
    ),
    "rebuttal": Form(
        "cadre",
        lambda w: reverse("escalation_outputs:action", args=[w.action.pk]),
        lambda w: {"step": "rebut", "text": "情况不属实，有考勤记录为证"},
        lambda w: Rebuttal.objects.count(),
    ),
    "roster upload": Form(
        "root",
        lambda w: reverse("rosters:upload"),
        lambda w: {"as_of": _iso(w.today)},
        lambda w: RosterImport.objects.count(),
        files=lambda w: {"file": ("名册.xlsx", xlsx({"帮扶户": [HH, ["HNEW", "张三", "620122101201", 4]]}))},
    ),
    "follow-up visit (admin)": Form(
        "root",
        _admin("villagecorps/followupvisit"),
        lambda w: {"membership": w.membership.pk, "date": _iso(w.today), "visitors": "单位党委书记", "notes": ""},
        lambda w: FollowUpVisit.objects.count(),
    ),
    "insurance (admin)": Form(
        "root",
        _admin("villagecorps/insurancecover"),
        lambda w: {
            "membership": w.membership.pk,
            "insurer": "中国人寿",
            "policy_number": "PL1",
            "start": _iso(w.today),
            "end": "",
        },
        lambda w: InsuranceCover.objects.count(),
    ),
    "training (admin)": Form(
        "root",
        _admin("villagecorps/trainingday"),
        lambda w: {"county": w.tree["620122"].pk, "person": w.cadre.pk, "date": _iso(w.today), "topic": "轮训"},
        lambda w: TrainingDay.objects.count(),
    ),
    "finding (admin)": Form(
        "root",
        _admin("tiers/finding"),
        lambda w: {
            "duty": Duty.objects.order_by("pk").first().pk,
            "place": w.tree["620122"].pk,
            "unit": "",
            "person": "",
            "period_start": _iso(w.today.replace(month=1, day=1)),
            "period_end": _iso(w.today),
            "result": "failed",
            "evidence": "会议记录缺失",
        },
        lambda w: Finding.objects.count(),
    ),
    "duty day (admin)": Form(
        "root",
        _admin("villagecorps/dutyday"),
        lambda w: {"person": w.cadre.pk, "date": _iso(w.today), "kind": "meeting", "location": ""},
        lambda w: DutyDay.objects.count(),
    ),
}


def browser_for(world: World, live_server: Any, who: str) -> Browser:
    return Browser(live_server.url, world.root if who == "root" else world.cadre_user)


@pytest.mark.parametrize("name", list(CASES))
def test_ten_parallel_posts_of_one_form_make_one_record(
    name: str, world: World, live_server: Any, media: Any, eager: None
) -> None:
    case = CASES[name]
    browser = browser_for(world, live_server, case.user)
    url = case.url(world)
    tokens = browser.form(url)
    assert FIELD in tokens, f"the {name} form carries no submission token"
    before = case.count(world)
    data = {**tokens, **case.data(world)}
    answers = at_once(PARALLEL, lambda: browser.post(url, data, case.files(world)))

    statuses = [status for status, _ in answers]
    assert statuses == [302] * PARALLEL, statuses  # the first one's redirect, ten times; never a 500
    assert len({location for _, location in answers}) == 1  # every one goes to the first one's page
    assert case.count(world) - before == 1
    claim = SubmissionToken.objects.get(token=tokens[FIELD])
    assert claim.redirect_to == answers[0][1]


def test_the_repeated_submission_says_so(world: World, live_server: Any) -> None:
    browser = browser_for(world, live_server, "root")
    url = reverse("households:deed-new")
    data = {**browser.form(url), "household": "HTWICE", "date": _iso(world.today), "description": "送春联"}
    first, again = browser.post(url, data), browser.post(url, data)
    assert first == again and first[0] == 302
    _, _, page = browser.request("GET", again[1])
    assert str(Msg.ALREADY_SUBMITTED) in page
    assert Deed.objects.count() == 1


def test_a_token_of_another_user_is_refused_and_saves_nothing(world: World, live_server: Any) -> None:
    root, cadre = browser_for(world, live_server, "root"), browser_for(world, live_server, "cadre")
    url = reverse("villagecorps:my-duty")
    data = {"date": _iso(world.today), "kind": "village_night", "location": ""}
    token = cadre.form(url)[FIELD]
    SubmissionToken.objects.create(token=token, user=world.root, redirect_to="/")  # someone else's claim
    status, _ = cadre.post(url, {**cadre.form(url), FIELD: token, **data})
    assert status == 200 and not DutyDay.objects.exists()
    assert root.form(url)  # the other user's pages are untouched


# --- natural keys, without a token ----------------------------------------------------------------------


def test_a_duty_day_saved_ten_times_at_once_is_one_row(world: World, live_server: Any) -> None:
    browser = browser_for(world, live_server, "cadre")
    url = reverse("villagecorps:my-duty")
    tokens = browser.form(url)
    del tokens[FIELD]  # no token: the natural key (one day per person and date) alone
    data = {**tokens, "date": _iso(world.today), "kind": "village_night", "location": ""}
    answers = at_once(PARALLEL, lambda: browser.post(url, data))
    assert [status for status, _ in answers] == [302] * PARALLEL
    assert DutyDay.objects.filter(person=world.cadre, date=world.today).count() == 1


def test_a_rating_recorded_ten_times_at_once_is_one_row(world: World, live_server: Any) -> None:
    browser = browser_for(world, live_server, "root")
    url = reverse("escalations:rating-new")
    tokens = browser.form(url)
    del tokens[FIELD]  # no token: one rating per person and year
    data = {**tokens, "person": "PTWICE", "year": str(world.today.year), "grade": RatingGrade.INCOMPETENT}
    answers = at_once(PARALLEL, lambda: browser.post(url, data))
    assert [status for status, _ in answers] == [302] * PARALLEL
    assert Rating.objects.filter(person=world.cadre).count() == 1


# --- the roster confirmation ---------------------------------------------------------------------------------


def test_a_preview_confirmed_ten_times_at_once_imports_once(
    world: World, live_server: Any, media: Any, eager: None
) -> None:
    browser = browser_for(world, live_server, "root")
    upload = reverse("rosters:upload")
    roster = xlsx({"帮扶户": [HH, ["HROSTER", "李四", "620122101202", 3]]})
    status, location = browser.post(
        upload, {**browser.form(upload), "as_of": _iso(world.today)}, {"file": ("名册.xlsx", roster)}
    )
    assert status == 302
    preview = RosterImport.objects.get()
    assert preview.outcome == "previewed"
    confirm = reverse("rosters:confirm", args=[preview.pk])
    tokens = browser.form(location)
    answers = at_once(PARALLEL, lambda: browser.post(confirm, tokens))

    assert [status for status, _ in answers] == [302] * PARALLEL
    imported = RosterImport.objects.get(dry_run=False)
    assert {location for _, location in answers} == {reverse("rosters:detail", args=[imported.pk])}
    assert (imported.preview, imported.outcome, imported.status) == (preview, "imported", "finished")
    # Once more, later: the import's result again, with a message; still one import.
    status, location = browser.post(confirm, tokens)
    assert (status, location) == (302, reverse("rosters:detail", args=[imported.pk]))
    _, _, page = browser.request("GET", location)
    assert "已经确认导入过" in page
    assert RosterImport.objects.filter(dry_run=False).count() == 1


# --- two escalation computations at once ------------------------------------------------------------------------


def _actions() -> set[tuple]:
    return set(
        Action.objects.values_list("escalation__code", "kind", "bearer", "slot", "subject_key", "status", "severity")
    )


def test_two_escalation_computations_at_once_serialise_and_equal_one(
    transactional_db: None, django_db_serialized_rollback: None
) -> None:
    from accountability.escalation.engine import ESCALATION_LOCK, escalations_compute
    from tiers.locks import advisory_xact_lock

    needs_postgres()
    tree = factories.build_tree()
    village = tree["620122101201"]
    team = TeamFactory(village=village, start=D(2019, 1, 1))
    MembershipFactory(team=team, role=MemberRole.LEADER, start=D(2019, 1, 1))
    unit = factories.UnitFactory(name="帮扶单位")
    for n in range(5):
        Incident.objects.create(village=village, date=D(2019, 8, n + 1), description=f"事件{n}", team=team, unit=unit)
    as_of = D(2020, 2, 1)

    results: list[Any] = []
    with transaction.atomic():
        advisory_xact_lock(ESCALATION_LOCK, 2019)  # hold the year: both runs start, and wait, together
        threads = [threading.Thread(target=lambda: results.append(_compute(escalations_compute, as_of))) for _ in "ab"]
        for thread in threads:
            thread.start()
        _wait_for_waiters(2)
    for thread in threads:
        thread.join(timeout=120)
    assert len(results) == 2 and all(not isinstance(r, Exception) for r in results), results
    after_both = _actions()
    assert after_both and Action.objects.count() == len(after_both)
    counts = sorted(results, key=lambda r: r.get("proposed", 0))
    assert counts[0].get("proposed", 0) == 0 and counts[1]["proposed"] == len(after_both)  # the second added none

    Action.objects.all().delete()
    escalations_compute(year=2019, as_of=as_of)
    assert _actions() == after_both


def _compute(compute: Any, as_of: datetime.date) -> Any:
    try:
        return compute(year=2019, as_of=as_of)
    except Exception as exc:  # reported by the test, not lost in the thread
        return exc
    finally:
        connections.close_all()


def _wait_for_waiters(count: int, timeout: float = 30) -> None:
    """Until ``count`` sessions wait on an advisory lock (inside a transaction, the statistics views are a
    snapshot taken once: cleared before each look)."""
    import time

    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
            )
            if cursor.fetchone()[0] >= count:
                return
            time.sleep(0.05)
    raise AssertionError("the computations never waited on the year's lock")


# --- the token's life --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_refused_form_leaves_its_token_unclaimed_for_the_corrected_one(client: Client, place_tree: Any) -> None:
    client.force_login(get_user_model().objects.create_superuser("root-refused", password="pw-Test-2019"))
    membership = MembershipFactory(team=TeamFactory(village=place_tree["620122101201"]), start=D(2019, 1, 1))
    url = "/admin/villagecorps/followupvisit/add/"
    page = client.get(url).content.decode()
    token = re.search(rf'name="{FIELD}" value="([^"]+)"', page)[1]  # the admin's add page carries one
    data = {FIELD: token, "membership": membership.pk, "date": "2019-03-01", "visitors": "", "notes": ""}
    assert client.post(url, data).status_code == 200  # 回访人员 missing: refused, with the form
    assert not SubmissionToken.objects.exists()
    assert client.post(url, {**data, "visitors": "单位党委书记"}).status_code == 302
    assert client.post(url, {**data, "visitors": "单位党委书记"}).status_code == 302  # the same form again
    assert FollowUpVisit.objects.count() == 1
    (claim,) = SubmissionToken.objects.all()
    assert claim.result == FollowUpVisit.objects.get()


@pytest.mark.django_db
def test_tokens_older_than_a_day_are_purged(django_user_model: Any) -> None:
    from tiers.tasks import purge_submission_tokens

    user = django_user_model.objects.create_user("purge")
    now = timezone.now()
    old = SubmissionToken.objects.create(token="a" * 32, user=user, created_at=now - datetime.timedelta(days=2))
    fresh = SubmissionToken.objects.create(token="b" * 32, user=user, created_at=now - datetime.timedelta(hours=2))
    assert purge_submission_tokens.apply().get() == 1
    assert list(SubmissionToken.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not SubmissionToken.objects.filter(pk=old.pk).exists()
