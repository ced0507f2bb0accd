"""Every URL of the project, for every role: what is inside the user's scope is shown, what is outside never.

The world has two mirror-image sides: A around county 620123 (村 620123101201) and B around county 620521
(天水市), each with a unit, a helper (a user linked to a person), a household and its records, a team, duty
records, a violation found by the compliance engine, an action with a rebuttal, and an administrator's
roster upload. Every name of side B starts with 乙 and every code holds ``OUT``: that is the text that must
never reach a user whose scope does not cover B. The users hold each role of ``Role`` on side A: the
provincial group and an administrator on the province (so B is inside their scope too), prefecture staff
on 兰州市, county staff on 620123, township staff on 620123101, a team leader on the village, a unit liaison
on A's unit, and the helper who is A's person.

Every URL pattern is enumerated from the resolver:

* a pattern with path parameters needs an entry in ``REGISTRY`` (how to build its kwargs for an object
  inside the role's scope and for objects outside it, and what each role gets); a new one fails
  ``test_url_with_parameters`` until it is added;
* a pattern without parameters (lists, forms, API lists, .xlsx exports) needs an entry in ``LISTINGS``
  (the status per role; side B's text must be absent for every role that does not cover it, and a
  superuser must see it there, so that its absence means something);
* the admin's per-model pages are covered model by model (``ADMIN_SCOPED``, ``ADMIN_UNSCOPED``).

What a role may do at all (model permissions of its group, ``tiers/roles.py``) is written out per URL in
the tables; where it may do it is what this module is about. A POST naming side B must be refused and write
nothing (a digest of every table is compared with the world as built), and the same POST naming side A must
be accepted and write, so that the refusal is the scope's doing and not a bad form.

The world is built once for the module (a transaction rolled back at its end; each test runs in a savepoint
of it). The leaks this module found in the admin (django-simple-history's history, version and revert pages
outside the scope, the sector-lead memberships' unit filter, guardian's object-permission screens) were
fixed in 421858d and stay as plain tests. What is still wrong is ``xfail(strict=True)`` with a reason
starting ``LEAK`` (a leak) or ``BUG`` (a failure that is not one): a fix turns it into a failure, and the
mark is then removed.
"""

from __future__ import annotations

import datetime
import functools
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models, transaction
from django.forms.models import model_to_dict
from django.test import Client as DjangoClient
from django.test import override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils.http import urlsafe_base64_encode
from openpyxl import load_workbook
from simple_history.admin import SimpleHistoryAdmin

from accountability.choices import ActionStatus, CaseKind, RatingGrade
from accountability.compliance import engine
from accountability.models import Action, ActionTarget, ActionTrigger, Case, Incident, Rating, Rebuttal, Violation
from households.models import Deed, Household, Pairing, Plan, Visit
from rosters.models import Outcome, RosterImport
from tests import factories
from tests.villagecorps.factories import (
    DutyDayFactory,
    FollowUpVisitFactory,
    InsuranceCoverFactory,
    MembershipFactory,
    TeamFactory,
    TrainingDayFactory,
)
from tiers import models as tm
from tiers.admin import ScopedAdmin
from tiers.choices import ActionKind, Bearer, GroupRole, LeadingGroupKind, PostTitle, Role, TriggerKind, UnitKind
from tiers.models import EditRequest
from tiers.roles import STAFF_ROLES
from tiers.services import role_grant
from villagecorps.choices import DayKind
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, Membership, Team, TrainingDay

pytestmark = pytest.mark.django_db

D = datetime.date
START = D(2019, 1, 1)
YEAR = 2019


# --- the world ----------------------------------------------------------------------------------------


@dataclass
class Side:
    """The objects of one side of the tree: A (county 620123, inside) or B (county 620521, outside)."""

    county: tm.Place
    township: tm.Place
    village: tm.Place
    unit: tm.Unit
    person: tm.Person
    user: Any  # the helper who is ``person``
    household: Household
    pairing: Pairing
    visit: Visit
    deed: Deed
    plan: Plan
    edit_request: EditRequest
    team: Team
    membership: Membership
    duty_day: DutyDay
    follow_up: FollowUpVisit
    insurance: InsuranceCover
    training: TrainingDay
    record: tm.DutyRecord
    finding: tm.Finding
    post: tm.Post
    contact_leader: tm.ContactLeaderAssignment
    group_leader: tm.GroupLeaderAssignment
    assistance: tm.AssistanceAssignment
    sector_lead: tm.SectorLeadMembership
    leading_group: tm.LeadingGroup
    group_member: tm.LeadingGroupMember
    incident: Incident
    case: Case
    rating: Rating
    roster: RosterImport
    role_assignment: tm.RoleAssignment | None = None
    violation: Violation | None = None
    action: Action | None = None
    rebuttal: Rebuttal | None = None
    #: The codes and names of this side: what a user whose scope does not cover it must never be shown.
    markers: list[str] = field(default_factory=list)


@dataclass
class World:
    a: Side
    b: Side
    users: dict[str, Any]
    superuser: Any
    sessions: dict[Any, str]
    #: ``fingerprint()`` of the world as built: each test starts from it (its writes are rolled back).
    baseline: dict[str, Any] = field(default_factory=dict)


def _side(tag: str, county_code: str, mark: str, roster_user: Any) -> Side:
    """One side: ``tag`` (IN / OUT) goes into every code, ``mark`` (甲 / 乙) starts every name."""
    county = tm.Place.objects.get(code=county_code)
    township = tm.Place.objects.get(code=f"{county_code}101")
    village = tm.Place.objects.get(code=f"{county_code}101201")
    unit = factories.UnitFactory(code=f"UNIT-{tag}", name=f"{mark}帮扶单位", kind=UnitKind.COUNTY_UNIT, place=county)
    member_unit = factories.UnitFactory(
        code=f"MEMBER-{tag}", name=f"{mark}成员单位", kind=UnitKind.COUNTY_UNIT, place=county
    )
    user = factories.UserFactory(username=f"helper-{tag.lower()}", password=None)
    person = factories.PersonFactory(code=f"PERS-{tag}", name=f"{mark}帮扶人", unit=unit, user=user)
    household = Household.objects.create(code=f"HH-{tag}", head_name=f"{mark}户主", village=village)
    pairing = Pairing.objects.create(helper=person, household=household, start=START)
    visit = Visit.objects.create(helper=person, household=household, date=D(2019, 3, 5), problems=f"{mark}走访问题")
    deed = Deed.objects.create(helper=person, household=household, date=D(2019, 3, 6), description=f"{mark}实事")
    plan = Plan.objects.create(
        helper=person,
        household=household,
        date=D(2019, 2, 1),
        year=YEAR,
        family_situation=f"{mark}家庭情况",
        poverty_causes="缺技术",
        income_paths="务工",
        support_measures="培训",
    )
    edit_request = EditRequest.objects.create(
        content_type=ContentType.objects.get_for_model(Visit),
        object_id=visit.pk,
        place=village,
        changes={"problems": f"{mark}修改后"},
        previous={"problems": visit.problems},
        reason=f"{mark}修改理由",
        requested_by=user,
    )
    team = TeamFactory(village=village, name=f"{mark}驻村工作队")
    membership = MembershipFactory(team=team, person=person, dispatching_unit=unit)
    record = tm.DutyRecord.objects.create(
        date=D(2019, 4, 1), place=village, unit=unit, person=person, title=f"{mark}履责记录"
    )
    record.attachment.save(f"record-{tag}.pdf", ContentFile(b"%PDF-1.4 " + tag.encode()))
    leading_group = tm.LeadingGroup.objects.create(
        kind=LeadingGroupKind.COORDINATION, place=county, name=f"{mark}县领导小组"
    )
    side = Side(
        county=county,
        township=township,
        village=village,
        unit=unit,
        person=person,
        user=user,
        household=household,
        pairing=pairing,
        visit=visit,
        deed=deed,
        plan=plan,
        edit_request=edit_request,
        team=team,
        membership=membership,
        duty_day=DutyDayFactory(membership=membership),
        follow_up=FollowUpVisitFactory(membership=membership, visitors=f"{mark}回访人"),
        insurance=InsuranceCoverFactory(membership=membership, policy_number=f"POL-{tag}"),
        training=TrainingDayFactory(county=county, person=person, topic=f"{mark}轮训"),
        record=record,
        finding=tm.Finding.objects.create(
            duty=tm.Duty.objects.order_by("code").first(),
            place=village,
            unit=unit,
            person=person,
            period_start=START,
            period_end=D(2019, 12, 31),
            result="failed",
            evidence=f"{mark}认定依据",
        ),
        post=tm.Post.objects.create(person=person, title=PostTitle.PRINCIPAL, unit=unit, start=START),
        contact_leader=tm.ContactLeaderAssignment.objects.create(person=person, county=county, start=START),
        group_leader=tm.GroupLeaderAssignment.objects.create(unit=unit, county=county, start=START),
        assistance=tm.AssistanceAssignment.objects.create(unit=unit, village=village, start=START),
        sector_lead=tm.SectorLeadMembership.objects.create(lead_unit=unit, member_unit=member_unit, start=START),
        leading_group=leading_group,
        group_member=tm.LeadingGroupMember.objects.create(
            group=leading_group, person=person, role=GroupRole.MEMBER, start=START
        ),
        incident=Incident.objects.create(
            village=village, date=D(2019, 8, 1), description=f"{mark}涉贫事件", unit=unit, person=person
        ),
        case=Case.objects.create(
            kind=CaseKind.FALSIFICATION,
            date=D(2019, 9, 1),
            inspection=f"{mark}核查",
            description=f"{mark}认定事实",
            place=township,
            unit=unit,
            person=person,
        ),
        rating=Rating.objects.create(person=person, year=YEAR, grade=RatingGrade.INCOMPETENT),
        roster=RosterImport.objects.create(
            user=roster_user,
            file_name=f"roster-{tag}.xlsx",
            sha256=tag.lower() * 8,
            size=1,
            dry_run=True,
            as_of=START,
            outcome=Outcome.PREVIEWED,
        ),
    )
    side.markers = [
        county_code,
        county.name,
        unit.code,
        unit.name,
        member_unit.code,
        member_unit.name,
        person.code,
        person.name,
        household.code,
        household.head_name,
        visit.problems,
        deed.description,
        plan.family_situation,
        edit_request.reason,
        team.name,
        side.follow_up.visitors,
        side.insurance.policy_number,
        side.training.topic,
        record.title,
        side.finding.evidence,
        leading_group.name,
        side.incident.description,
        side.case.inspection,
        side.case.description,
        side.roster.file_name,
        user.username,
    ]
    return side


def _action(side: Side, mark: str) -> None:
    """A 约谈 of the side's unit on its violation (proposed, then confirmed: two versions in its history),
    and the helper's rebuttal with an attachment."""
    escalation = tm.Escalation.objects.get(code="E05.1")
    measure = escalation.actions.filter(action=ActionKind.ADMONISH).first() or escalation.actions.first()
    action = Action.objects.create(
        escalation=escalation,
        measure=measure,
        kind=ActionKind.ADMONISH,
        bearer=Bearer.SUBJECT,
        slot="scope-test",
        year=YEAR,
        subject_key=f"K-{side.unit.code}",
        unit=side.unit,
        place=side.village,
        person=side.person,
        subject_name=f"{mark}约谈对象",
        severity=1,
        convenor=measure.convenor,
        convenor_name=f"{mark}约谈主体",
        trigger_date=D(2019, 12, 31),
        rebuttal_due=D(2020, 1, 10),
    )
    action.status = ActionStatus.CONFIRMED
    action.save()
    ActionTarget.objects.create(action=action, person=side.person, role="主要负责同志")
    ActionTrigger.objects.create(
        action=action, kind=TriggerKind.VIOLATION, relation="self", violation=side.violation, summary=f"{mark}触发"
    )
    side.action = action
    side.rebuttal = Rebuttal.objects.create(action=action, text=f"{mark}申辩理由", filed_by=side.user)
    side.rebuttal.attachment.save(f"rebuttal-{side.unit.code}.pdf", ContentFile(b"%PDF-1.4 rebuttal"))
    side.markers += [action.subject_name, action.convenor_name, f"{mark}触发", side.rebuttal.text]


def _session(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def build_world() -> World:
    factories.build_tree()
    province = tm.Place.objects.get(code="620000")
    superuser = get_user_model().objects.create_superuser("root", password=None)
    grant = functools.partial(factories.user_with_role, password=None)  # no password: no slow hashing
    administrator = grant(Role.ADMINISTRATOR, place=province, username="administrator")
    other_administrator = grant(Role.ADMINISTRATOR, place=province, username="administrator-out")
    a = _side("IN", "620123", "甲", roster_user=administrator)
    b = _side("OUT", "620521", "乙", roster_user=other_administrator)
    b.markers += ["天水市", other_administrator.username]
    users: dict[str, Any] = {
        Role.PROVINCIAL_GROUP: grant(Role.PROVINCIAL_GROUP, place=province),
        Role.ADMINISTRATOR: administrator,
        Role.PREFECTURE_STAFF: grant(Role.PREFECTURE_STAFF, place=tm.Place.objects.get(code="620100")),
        Role.COUNTY_STAFF: grant(Role.COUNTY_STAFF, place=a.county),
        Role.TOWNSHIP_STAFF: grant(Role.TOWNSHIP_STAFF, place=a.township),
        Role.TEAM_LEADER: grant(Role.TEAM_LEADER, place=a.village),
        Role.UNIT_LIAISON: grant(Role.UNIT_LIAISON, unit=a.unit),
        Role.HELPER: a.user,
    }
    role_grant(user=a.user, role=Role.HELPER)
    role_grant(user=b.user, role=Role.HELPER)
    county_out = grant(Role.COUNTY_STAFF, place=b.county, username="county-out")
    b.markers.append(county_out.username)
    a.role_assignment = tm.RoleAssignment.objects.get(user=users[Role.COUNTY_STAFF])
    b.role_assignment = tm.RoleAssignment.objects.get(user=county_out)

    run = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=YEAR, as_of=D(2020, 1, 20), rules=["R10.2"])
    )
    assert run.status == "succeeded", run.error
    a.violation = Violation.objects.get(rule__code="R10.2", household=a.household)
    b.violation = Violation.objects.get(rule__code="R10.2", household=b.household)
    _action(a, "甲")
    _action(b, "乙")
    sessions = {role: _session(user) for role, user in users.items()}
    sessions["superuser"] = _session(superuser)
    return World(a=a, b=b, users=users, superuser=superuser, sessions=sessions, baseline=fingerprint())


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world, built once for the module in a transaction rolled back at its end; each test runs in a
    savepoint of it (``django_db``), so what a test writes is gone before the next."""
    # Uploads go to a temporary directory; sessions live in their signed cookie (one query less per request:
    # the module makes some 1,600 of them).
    overrides = override_settings(
        MEDIA_ROOT=tmp_path_factory.mktemp("media"), SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies"
    )
    overrides.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        overrides.disable()


# --- roles ----------------------------------------------------------------------------------------------

ROLES: list[str] = [role.value for role in Role]
#: Short names of the roles in the expectation tables.
SHORT: dict[str, str] = {
    "PG": Role.PROVINCIAL_GROUP,
    "AD": Role.ADMINISTRATOR,
    "PS": Role.PREFECTURE_STAFF,
    "CS": Role.COUNTY_STAFF,
    "TS": Role.TOWNSHIP_STAFF,
    "TL": Role.TEAM_LEADER,
    "UL": Role.UNIT_LIAISON,
    "HP": Role.HELPER,
}
#: Roles granted on the province: side B is inside their scope as well.
PROVINCE_WIDE = {Role.PROVINCIAL_GROUP, Role.ADMINISTRATOR}
#: The lowest place of side A each role sees (its mirror on side B swaps the county code). The unit
#: liaison and the helper see no place at all: theirs is the village, which they get 404 for.
PLACE_OF = {
    Role.PROVINCIAL_GROUP: "620123",
    Role.ADMINISTRATOR: "620123",
    Role.PREFECTURE_STAFF: "620123",
    Role.COUNTY_STAFF: "620123",
    Role.TOWNSHIP_STAFF: "620123101",
    Role.TEAM_LEADER: "620123101201",
    Role.UNIT_LIAISON: "620123101201",
    Role.HELPER: "620123101201",
}


def place_in(role: str) -> str:
    return PLACE_OF[role]


def place_out(role: str) -> str:
    return PLACE_OF[role].replace("620123", "620521", 1)


def table(text: str) -> dict[str, tuple[int, ...]]:
    """``"PG AD: 200 200 | CS: 200 404 404 | …"``: statuses per role, every role exactly once."""
    found: dict[str, tuple[int, ...]] = {}
    for part in text.split("|"):
        names, statuses = part.split(":")
        for name in names.split():
            assert SHORT[name] not in found, f"{name} twice in {text!r}"
            found[SHORT[name]] = tuple(int(s) for s in statuses.split())
    missing = sorted(set(ROLES) - set(found))
    assert not missing, f"no expectation for {missing} in {text!r}: add the role"
    return found


# --- requests and what they show -------------------------------------------------------------------------


def _keep_no_template_context(*args: Any, **kwargs: Any) -> None:
    """Nothing here reads ``response.context``: the test client need not copy every template's context."""


class Client(DjangoClient):
    def request(self, **request: Any) -> Any:
        with mock.patch("django.test.client.store_rendered_templates", _keep_no_template_context):
            return super().request(**request)


def client_of(world: World, who: str) -> Client:
    """A client logged in as ``who`` (a role, or "superuser") with the session made when the world was."""
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.cookies[settings.SESSION_COOKIE_NAME] = world.sessions[who]
    return client


def body_text(response: Any) -> str:
    """What a response shows, as text: a page, JSON (non-ASCII unescaped), every cell of a workbook, or a
    redirect's target."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind and content:
        book = load_workbook(io.BytesIO(content), read_only=True)
        text = "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
        )
    elif "json" in kind and content:
        text = json.dumps(json.loads(content), ensure_ascii=False)
    else:
        text = content.decode("utf-8", errors="replace")
    return text + response.get("Location", "")


def hidden_from(world: World, role: str) -> list[str]:
    """What of side B ``role`` must never be shown: all of it, or for a province-wide role only the other
    administrator's roster upload (each administrator sees their own)."""
    if role in PROVINCE_WIDE:
        return [world.b.roster.file_name]
    return world.b.markers


def assert_shows_none(response: Any, hidden: list[str], what: str) -> None:
    text = body_text(response)
    shown = [marker for marker in hidden if marker in text]
    assert not shown, f"{what} shows {shown} of side B (status {response.status_code})"


WATCHED_APPS = ("auth", "guardian", "tiers", "households", "villagecorps", "accountability", "rosters")


#: Tables no request writes (the permissions and the role groups' permissions, set by the migrations).
STATIC_TABLES = {"auth_permission", "auth_group_permissions"}


def fingerprint() -> dict[str, Any]:
    """A digest of every row of the apps' tables: equal before and after a request that wrote nothing."""
    tables = sorted(
        {
            model._meta.db_table
            for app in WATCHED_APPS
            for model in apps.get_app_config(app).get_models(include_auto_created=True)
        }
        - STATIC_TABLES
    )
    if connection.vendor != "postgresql":
        found: dict[str, Any] = {}
        with connection.cursor() as cursor:
            for name in tables:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(name)}")
                found[name] = sorted(map(repr, cursor.fetchall()))
        return found
    digest = "(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {} t)"
    digests = ", ".join(digest.format(connection.ops.quote_name(name)) for name in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {digests}")
        return dict(zip(tables, cursor.fetchone(), strict=True))


def written(world: World) -> list[str]:
    """The tables that differ from the world as built (a test's POST comes before anything else it does)."""
    now = fingerprint()
    return [name for name in world.baseline if world.baseline[name] != now[name]]


# --- enumeration of the URL patterns -----------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str  # namespaced (``dashboards:place``); the route itself for an unnamed pattern
    params: bool


def walk(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            route = prefix + str(pattern.pattern)
            name = (f"{namespace}:{pattern.name}" if namespace else pattern.name) if pattern.name else route
            yield Pattern(route, name, bool(pattern.pattern.regex.groups))


PATTERNS: list[Pattern] = list(walk(get_resolver().url_patterns))
#: The admin's pages of one registered model, and the model's label for each.
ADMIN_VIEWS = ("changelist", "add", "change", "history", "delete", "simple_history")
ADMIN_MODEL_PAGES: dict[str, str] = {}
for _model, _model_admin in admin.site._registry.items():
    _opts = _model._meta
    for _view in ADMIN_VIEWS:
        ADMIN_MODEL_PAGES[f"admin:{_opts.app_label}_{_opts.model_name}_{_view}"] = _opts.label
    ADMIN_MODEL_PAGES[f"admin/{_opts.app_label}/{_opts.model_name}/<path:object_id>/"] = _opts.label


def is_admin_model_page(pattern: Pattern) -> bool:
    return pattern.name in ADMIN_MODEL_PAGES


# --- URLs with path parameters ------------------------------------------------------------------------------

Kwargs = dict[str, Any]
#: The kwargs of a URL for a role (or, for an unnamed pattern, its path).
Build = Callable[[World, str], Kwargs | str]


@dataclass(frozen=True)
class Entry:
    """A URL with path parameters: kwargs of an object inside the role's scope and of objects outside it,
    the query strings to try, and per role the status of the inside object, of the outside ones, and
    (third, when given) of a POST of ``post`` on the outside object, which must write nothing."""

    inside: Build
    outside: Callable[[World, str], list[Kwargs | str]]
    expect: dict[str, tuple[int, ...]]
    queries: tuple[str, ...] = ("",)
    post: Callable[[Side], dict[str, Any]] | None = None
    #: The status of the same POST by county staff on side A, which must write (so that the refusal on
    #: side B is the scope's doing, not a bad form); ``None``: not tried.
    accepted: int | None = None


def same(build: Callable[[Side], Kwargs]) -> tuple[Build, Callable[[World, str], list[Kwargs]]]:
    """Inside: ``build`` on side A; outside: on side B (the same objects whatever the role)."""
    return (lambda w, role: build(w.a)), (lambda w, role: [build(w.b)])


def by_place(
    build: Callable[[str], Kwargs] = lambda code: {"code": code},
) -> tuple[Build, Callable[[World, str], list[Kwargs]]]:
    """Inside: the role's own place on side A; outside: its mirror on side B."""
    return (lambda w, role: build(place_in(role))), (lambda w, role: [build(place_out(role))])


def entry(
    kwargs: tuple[Build, Callable[[World, str], list[Kwargs]]],
    expect: str,
    *queries: str,
    post: Callable[[Side], dict[str, Any]] | None = None,
    accepted: int | None = None,
) -> Entry:
    return Entry(kwargs[0], kwargs[1], table(expect), queries or ("",), post, accepted)


#: Shared tables. Objects every role sees on side A (the helper through their person, the unit liaison
#: through their unit) …
SCOPED_TO_ALL = "PG AD: 200 200 | PS CS TS TL UL HP: 200 404"
#: … a place's pages: for the roles granted on a place (the liaison and the helper see no place at all) …
PLACE_PAGE = "PG AD: 200 200 | PS CS TS TL: 200 404 | UL HP: 404 404"
#: People and units: seen from the county up and by the unit's liaison, not from the township or village.
PERSON_OR_UNIT_PAGE = "PG AD: 200 200 | PS CS UL: 200 404 | TS TL HP: 404 404"
#: Logging and editing a helper's work: county and township staff, and the helper.
HELPER_WORK = "PG: 403 403 403 | AD: 200 200 | PS TL UL: 403 403 403 | CS TS HP: 200 404 404"
#: Roster uploads: administrators only, each their own.
ROSTER = "PG PS CS TS TL UL HP: 403 403 | AD: 200 404"
PLAN = {
    "date": "2019-03-01",
    "year": "2019",
    "family_situation": "越权修订",
    "poverty_causes": "x",
    "income_paths": "x",
    "support_measures": "x",
}

REGISTRY: dict[str, Entry] = {
    # --- households ---
    "households:helper-detail": entry(same(lambda s: {"person_code": s.person.code}), SCOPED_TO_ALL, "?year=2019"),
    "households:household-detail": entry(same(lambda s: {"code": s.household.code}), SCOPED_TO_ALL),
    "households:plan-new": entry(
        same(lambda s: {"code": s.household.code}), HELPER_WORK, post=lambda s: PLAN, accepted=302
    ),
    "households:visit-edit": entry(
        same(lambda s: {"pk": s.visit.pk}),
        HELPER_WORK,
        post=lambda s: {"date": "2019-03-05", "problems": "越权修改", "reason": "x"},
        accepted=302,
    ),
    "households:deed-edit": entry(
        same(lambda s: {"pk": s.deed.pk}),
        HELPER_WORK,
        post=lambda s: {"date": "2019-03-06", "description": "越权修改", "reason": "x"},
        accepted=302,
    ),
    # POST only; reviewers (prefecture, county, township staff) decide the requests of their places.
    "households:review-decide": entry(
        same(lambda s: {"pk": s.edit_request.pk}),
        "PG TL UL HP: 403 403 403 | AD: 405 405 | PS CS TS: 405 405 404",
        post=lambda s: {"decision": "approve"},
        accepted=302,
    ),
    # --- villagecorps ---
    "villagecorps:member-card": entry(same(lambda s: {"pk": s.membership.pk}), SCOPED_TO_ALL, "?year=2019"),
    "villagecorps:team-calendar": entry(same(lambda s: {"pk": s.team.pk}), SCOPED_TO_ALL, "?month=2019-01"),
    # Recording days: county and township staff and the team leader.
    "villagecorps:team-week": entry(
        same(lambda s: {"pk": s.team.pk}),
        "PG PS UL HP: 403 403 403 | AD: 200 200 | CS TS TL: 200 404 404",
        "?start=2019-01-07",
        post=lambda s: {f"d-{s.membership.pk}-2019-01-07": DayKind.IN_VILLAGE_NIGHT.value},
        accepted=302,
    ),
    # A county's page: from the county up.
    "villagecorps:county-teams": entry(
        by_place(), "PG AD: 200 200 | PS CS: 200 404 | TS TL UL HP: 404 404", "?year=2019"
    ),
    # --- tiers ---
    "place-detail": entry(by_place(), PLACE_PAGE),
    "records-place": entry(
        by_place(), "PG AD: 200 200 | PS CS TS: 200 404 | UL: 404 404 | TL HP: 403 403", "?year=2019"
    ),
    "records-unit": entry(
        same(lambda s: {"code": s.unit.code}),
        "PG AD: 200 200 | PS CS UL: 200 404 | TS: 404 404 | TL HP: 403 403",
        "?year=2019",
    ),
    "record-attachment": entry(
        same(lambda s: {"pk": s.record.pk}), "PG AD: 200 200 | PS CS TS UL: 200 404 | TL HP: 403 403"
    ),
    # --- the escalation outputs ---
    "escalation_outputs:action": entry(
        same(lambda s: {"pk": s.action.pk}),
        "PG AD: 200 200 | PS CS TS TL UL HP: 200 404 404",
        post=lambda s: {"step": "waive", "reason": "越权免予处理"},
        accepted=302,
    ),
    "escalation_outputs:notice": entry(same(lambda s: {"pk": s.action.pk}), SCOPED_TO_ALL),
    "escalation_outputs:rebuttal-attachment": Entry(
        inside=lambda w, role: {"pk": w.a.action.pk, "rebuttal": w.a.rebuttal.pk},
        # B's rebuttal on B's action, and on A's action (a rebuttal is only reached through its own
        # action): for a province-wide role only the latter is outside.
        outside=lambda w, role: [
            *([] if role in PROVINCE_WIDE else [{"pk": w.b.action.pk, "rebuttal": w.b.rebuttal.pk}]),
            {"pk": w.a.action.pk, "rebuttal": w.b.rebuttal.pk},
        ],
        expect=table("PG AD PS CS TS TL UL HP: 200 404"),
    ),
    # --- dashboards (pages, their .xlsx tables, the charts' JSON) ---
    "dashboards:place": entry(by_place(), PLACE_PAGE, "?year=2019", "?year=2019&format=xlsx&table=children"),
    "dashboards:subjects": entry(by_place(), PLACE_PAGE, "?year=2019", "?year=2019&format=xlsx"),
    "dashboards:tier": entry(
        by_place(lambda code: {"code": code, "tier": "T10"}), PLACE_PAGE, "?year=2019", "?year=2019&format=xlsx"
    ),
    "dashboards:person": entry(
        same(lambda s: {"code": s.person.code}), PERSON_OR_UNIT_PAGE, "?year=2019", "?year=2019&format=xlsx"
    ),
    "dashboards:unit": entry(
        same(lambda s: {"code": s.unit.code}), PERSON_OR_UNIT_PAGE, "?year=2019", "?year=2019&format=xlsx"
    ),
    "dashboards:violation": entry(same(lambda s: {"pk": s.violation.pk}), SCOPED_TO_ALL, "", "?format=xlsx"),
    "dashboards:place-data": entry(by_place(), PLACE_PAGE, "?year=2019"),
    # --- roster imports ---
    "rosters:detail": entry(same(lambda s: {"pk": s.roster.pk}), ROSTER),
    "rosters:progress": entry(same(lambda s: {"pk": s.roster.pk}), ROSTER),
    "rosters:confirm": entry(
        same(lambda s: {"pk": s.roster.pk}), "PG PS CS TS TL UL HP: 403 403 403 | AD: 405 405 404", post=lambda s: {}
    ),
    "rosters:retry": entry(
        same(lambda s: {"pk": s.roster.pk}), "PG PS CS TS TL UL HP: 403 403 403 | AD: 405 405 404", post=lambda s: {}
    ),
    # --- the API ---
    "api-violation-detail": entry(same(lambda s: {"pk": s.violation.pk}), SCOPED_TO_ALL),
    "api-escalation-detail": entry(same(lambda s: {"pk": s.action.pk}), SCOPED_TO_ALL),
}


def _place_pk(code: str) -> int:
    return tm.Place.objects.get(code=code).pk


def _role_group(role: str) -> int:
    return Group.objects.get(name=role).pk


def _uid(user: Any) -> str:
    return urlsafe_base64_encode(str(user.pk).encode())


#: django-guardian's object-permission screens: superusers only (roles are granted through RoleAssignment).
GUARDIAN = "PG TL HP: 302 302 | AD PS CS TS UL: 403 403"

REGISTRY |= {
    # --- accounts: no mail configured, so no password reset at all (accountability.auth) ---
    "password_reset_confirm": Entry(
        inside=lambda w, role: {"uidb64": _uid(w.users[role]), "token": "set-password-x"},
        outside=lambda w, role: [{"uidb64": _uid(w.b.user), "token": "set-password-x"}],
        expect=table("PG AD PS CS TS TL UL HP: 404 404"),
    ),
    # --- the admin's own pages with parameters (its per-model pages are below, model by model) ---
    "admin:app_list": Entry(
        inside=lambda w, role: {"app_label": "households"},
        outside=lambda w, role: [],
        expect=table("PG TL HP: 302 | AD PS CS TS UL: 200"),
    ),
    "admin:view_on_site": Entry(
        inside=lambda w, role: {
            "content_type_id": ContentType.objects.get_for_model(Household).pk,
            "object_id": w.a.household.pk,
        },
        outside=lambda w, role: [
            {"content_type_id": ContentType.objects.get_for_model(Household).pk, "object_id": w.b.household.pk}
        ],
        expect=table("PG TL HP: 302 302 | AD PS CS TS UL: 404 404"),
    ),
    "admin:auth_user_password_change": Entry(
        inside=lambda w, role: {"id": w.users[role].pk},
        outside=lambda w, role: [{"id": w.b.user.pk}],
        expect=table("PG TL HP: 302 302 | AD: 200 200 | PS CS TS UL: 403 403"),
    ),
    "admin:tiers_place_permissions": Entry(
        inside=lambda w, role: {"object_pk": _place_pk(place_in(role))},
        outside=lambda w, role: [{"object_pk": _place_pk(place_out(role))}],
        expect=table(GUARDIAN),
    ),
    "admin:tiers_place_permissions_manage_user": Entry(
        inside=lambda w, role: {"object_pk": _place_pk(place_in(role)), "user_id": w.users[role].pk},
        outside=lambda w, role: [{"object_pk": _place_pk(place_out(role)), "user_id": w.users[role].pk}],
        expect=table(GUARDIAN),
    ),
    "admin:tiers_place_permissions_manage_group": Entry(
        inside=lambda w, role: {"object_pk": _place_pk(place_in(role)), "group_id": _role_group(role)},
        outside=lambda w, role: [{"object_pk": _place_pk(place_out(role)), "group_id": _role_group(role)}],
        expect=table(GUARDIAN),
    ),
    "admin:tiers_unit_permissions": Entry(
        inside=lambda w, role: {"object_pk": w.a.unit.pk},
        outside=lambda w, role: [{"object_pk": w.b.unit.pk}],
        expect=table(GUARDIAN),
    ),
    "admin:tiers_unit_permissions_manage_user": Entry(
        inside=lambda w, role: {"object_pk": w.a.unit.pk, "user_id": w.users[role].pk},
        outside=lambda w, role: [{"object_pk": w.b.unit.pk, "user_id": w.users[role].pk}],
        expect=table(GUARDIAN),
    ),
    "admin:tiers_unit_permissions_manage_group": Entry(
        inside=lambda w, role: {"object_pk": w.a.unit.pk, "group_id": _role_group(role)},
        outside=lambda w, role: [{"object_pk": w.b.unit.pk, "group_id": _role_group(role)}],
        expect=table(GUARDIAN),
    ),
    # The admin's catch-all, an unnamed pattern (the kwargs are the path itself); it holds no object.
    "admin/(?P<url>.*)$": Entry(
        inside=lambda w, role: "/admin/no-such-app/no-such-page/",
        outside=lambda w, role: [],
        expect=table("PG TL HP: 302 | AD PS CS TS UL: 404"),
    ),
}


def url_of(name: str, kwargs: Kwargs | str, query: str = "") -> str:
    """The URL named ``name`` with ``kwargs`` (or the path itself for an unnamed pattern), and ``query``."""
    return (kwargs if isinstance(kwargs, str) else reverse(name, kwargs=kwargs)) + query


# --- URLs without path parameters ------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    """A URL without path parameters: the query strings to try; per role the status of each GET and
    (second, when given) of a POST of ``post``, which names side B's objects and must write nothing; and
    text of side B that the page shows a superuser (so that its absence for the others means something)."""

    expect: dict[str, tuple[int, ...]]
    queries: tuple[str, ...] = ("",)
    shows: tuple[str, ...] = ()
    post: Callable[[Side], dict[str, Any]] | None = None
    #: The status of the same POST by county staff naming side A's objects, which must write.
    accepted: int | None = None


def listing(
    expect: str,
    *queries: str,
    shows: tuple[str, ...] = (),
    post: Callable[[Side], dict[str, Any]] | None = None,
    accepted: int | None = None,
) -> Listing:
    return Listing(table(expect), queries or ("",), shows, post, accepted)


def _days_of(side: Side) -> dict[str, Any]:
    content = f"人员编码,日期,类别\n{side.person.code},2019-01-08,{DayKind.IN_VILLAGE_NIGHT.label}\n".encode()
    return {"file": SimpleUploadedFile("days.csv", content, content_type="text/csv")}


def _record_on(side: Side) -> dict[str, Any]:
    kind = tm.DutyRecordKind.objects.order_by("pk").first()
    return {
        "kinds": [kind.pk],
        "date": "2019-05-01",
        "title": "履责记录",
        "place": side.county.code,
        "person": side.person.code,
    }


ALL_200 = "PG AD PS CS TS TL UL HP: 200"
#: Logging a helper's work for a household of side B: refused on the form (200) or without the permission.
LOG_FOR_B = "PG PS TL UL: 403 403 | AD: 200 | CS TS HP: 200 200"
#: The triggers' lists: everyone who may view them (the team leader and the helper may not).
TRIGGER_LIST = "PG AD PS CS TS UL: 200 | TL HP: 403"
#: Recording an incident or a case: the provincial group, prefecture and county staff.
TRIGGER_NEW = "PG AD: 200 | PS CS: 200 200 | TS TL UL HP: 403 403"
#: The admin's own pages: staff get them, the others are sent to the admin's login.
ADMIN_ONLY = "PG TL HP: 302 | AD PS CS TS UL: 200"
YEAR_LISTS = ("?year=2019&status=all", "?year=2019&status=all&format=xlsx")

LISTINGS: dict[str, Listing] = {
    # --- django: language, accounts ---
    "set_language": listing("PG AD PS CS TS TL UL HP: 302"),
    "login": listing(ALL_200),
    "logout": listing("PG AD PS CS TS TL UL HP: 405"),  # POST only
    "password_change": listing(ALL_200),
    "password_change_done": listing(ALL_200),
    "password_reset": listing("PG AD PS CS TS TL UL HP: 404"),  # no mail configured: no reset
    "password_reset_done": listing("PG AD PS CS TS TL UL HP: 404"),
    "password_reset_complete": listing("PG AD PS CS TS TL UL HP: 404"),
    # --- households ---
    "households:my-households": listing(ALL_200, "?year=2019"),
    "households:household-list": listing(ALL_200, shows=("HH-OUT", "乙户主")),
    "households:visit-new": listing(
        LOG_FOR_B,
        shows=("HH-OUT",),
        post=lambda s: {"household": s.household.code, "date": "2019-05-01"},
        accepted=302,
    ),
    "households:deed-new": listing(
        LOG_FOR_B,
        shows=("HH-OUT",),
        post=lambda s: {"household": s.household.code, "date": "2019-05-01", "description": "越权"},
        accepted=302,
    ),
    "households:reviews": listing("PG TL UL HP: 403 | AD PS CS TS: 200", shows=("乙修改理由",)),
    # --- villagecorps ---
    "villagecorps:my-duty": listing(ALL_200, "?year=2019"),
    "villagecorps:team-list": listing(ALL_200, shows=("乙驻村工作队",)),
    "villagecorps:duty-import": listing(
        "PG PS UL HP: 403 403 | AD: 200 | CS TS TL: 200 200", post=_days_of, accepted=302
    ),
    # --- tiers ---
    "home": listing(ALL_200),
    "catalogue": listing(ALL_200),
    "api-catalogue": listing(ALL_200),
    "record-new": listing(
        "PG TL HP: 403 403 | AD: 200 | PS CS TS UL: 200 200", shows=("UNIT-OUT",), post=_record_on, accepted=302
    ),
    # --- triggers ---
    "escalations:incident-list": listing(TRIGGER_LIST, "?year=2019", shows=("乙涉贫事件",)),
    "escalations:incident-new": listing(
        TRIGGER_NEW,
        shows=("620521101201",),
        post=lambda s: {"village": s.village.code, "date": "2019-05-01", "description": "越权事件"},
        accepted=302,
    ),
    "escalations:case-list": listing(TRIGGER_LIST, "?year=2019", shows=("乙核查",)),
    "escalations:case-new": listing(
        TRIGGER_NEW,
        shows=("620521",),
        post=lambda s: {
            "kind": CaseKind.FALSIFICATION,
            "date": "2019-05-01",
            "inspection": "越权核查",
            "description": "x",
            "person": s.person.code,
        },
        accepted=302,
    ),
    "escalations:rating-list": listing(TRIGGER_LIST, "?year=2019", shows=("PERS-OUT",)),
    # Ratings: county staff and unit liaisons.
    "escalations:rating-new": listing(
        "PG PS TS TL HP: 403 403 | AD: 200 | CS UL: 200 200",
        post=lambda s: {"person": s.person.code, "year": "2018", "grade": RatingGrade.INCOMPETENT},
        accepted=302,
    ),
    # --- the year-end outputs (side A's and B's actions are 约谈, so only that list has them) ---
    "escalation_outputs:admonishments": listing(ALL_200, *YEAR_LISTS, shows=("乙约谈对象", "乙约谈主体")),
    "escalation_outputs:awards": listing(ALL_200, *YEAR_LISTS),
    "escalation_outputs:assessment-caps": listing(ALL_200, *YEAR_LISTS),
    # --- dashboards ---
    "dashboards:dashboard": listing("PG AD PS CS TS TL UL HP: 302"),
    "dashboards:my-duties": listing(ALL_200),
    # --- roster imports (administrators; the list holds their own uploads) ---
    "rosters:template": listing("PG PS CS TS TL UL HP: 403 | AD: 200"),
    "rosters:upload": listing("PG PS CS TS TL UL HP: 403 | AD: 200", shows=("roster-OUT.xlsx",)),
    # --- the API and its spreadsheet ---
    "api-violations": listing(ALL_200, "?year=2019", "?year=2019&format=xlsx", shows=("HH-OUT", "乙帮扶人")),
    "api-violations-export": listing(ALL_200, "?year=2019", shows=("HH-OUT", "乙帮扶人")),
    "api-escalations": listing(ALL_200, "?year=2019", shows=("PERS-OUT", "乙约谈对象")),
    # --- the admin's own pages (its per-model pages are below) ---
    "admin:index": listing(ADMIN_ONLY),
    "admin:login": listing("PG TL HP: 200 | AD PS CS TS UL: 302"),
    "admin:logout": listing("PG TL HP: 302 | AD PS CS TS UL: 405"),  # POST only
    "admin:autocomplete": listing(
        ADMIN_ONLY,
        "?app_label=tiers&model_name=post&field_name=person&term=",
        "?app_label=households&model_name=visit&field_name=household&term=",
        shows=("乙帮扶人", "HH-OUT"),
    ),
    "admin:jsi18n": listing(ADMIN_ONLY),
    "admin:password_change": listing(ADMIN_ONLY),
    "admin:password_change_done": listing(ADMIN_ONLY),
}


# --- the admin's per-model pages --------------------------------------------------------------------------

Pick = Callable[[World, str], models.Model]


def pick(attr: str) -> tuple[Pick, Pick]:
    return (lambda w, role: getattr(w.a, attr)), (lambda w, role: getattr(w.b, attr))


#: Models whose admin is scoped (``tiers.admin.ScopedAdmin``): the object of side A, the one of side B.
ADMIN_SCOPED: dict[str, tuple[Pick, Pick]] = {
    "tiers.Place": (
        lambda w, role: tm.Place.objects.get(code=place_in(role)),
        lambda w, role: tm.Place.objects.get(code=place_out(role)),
    ),
    "tiers.Unit": pick("unit"),
    "tiers.Person": pick("person"),
    "tiers.Post": pick("post"),
    "tiers.ContactLeaderAssignment": pick("contact_leader"),
    "tiers.GroupLeaderAssignment": pick("group_leader"),
    "tiers.AssistanceAssignment": pick("assistance"),
    "tiers.SectorLeadMembership": pick("sector_lead"),
    "tiers.LeadingGroup": pick("leading_group"),
    "tiers.LeadingGroupMember": pick("group_member"),
    "tiers.RoleAssignment": pick("role_assignment"),
    "tiers.DutyRecord": pick("record"),
    "tiers.Finding": pick("finding"),
    "households.Household": pick("household"),
    "households.Pairing": pick("pairing"),
    "households.Visit": pick("visit"),
    "households.Deed": pick("deed"),
    "households.Plan": pick("plan"),
    "villagecorps.Team": pick("team"),
    "villagecorps.Membership": pick("membership"),
    "villagecorps.DutyDay": pick("duty_day"),
    "villagecorps.FollowUpVisit": pick("follow_up"),
    "villagecorps.InsuranceCover": pick("insurance"),
    "villagecorps.TrainingDay": pick("training"),
    "accountability.Violation": pick("violation"),
    "accountability.Incident": pick("incident"),
    "accountability.Case": pick("case"),
    "accountability.Rating": pick("rating"),
    "accountability.Action": pick("action"),
}
#: Side A's object is outside these roles' scope too (the admin answers as for a missing object): the unit
#: liaison sees no place, and sector-lead memberships are seen only through their units.
ADMIN_INSIDE_HIDDEN: dict[str, set[str]] = {
    "tiers.Place": {Role.UNIT_LIAISON},
    "tiers.ContactLeaderAssignment": {Role.UNIT_LIAISON},
    "tiers.SectorLeadMembership": {Role.COUNTY_STAFF},
    "tiers.LeadingGroup": {Role.UNIT_LIAISON},
    "tiers.LeadingGroupMember": {Role.UNIT_LIAISON},
}
#: Models whose admin is not scoped, and why that is right.
ADMIN_UNSCOPED: dict[str, str] = {
    "auth.Group": "accounts: administrators only (auth permissions)",
    "auth.User": "accounts: administrators only (auth permissions)",
    "django_celery_beat.PeriodicTask": "schedules: administrators only",
    "django_celery_beat.ClockedSchedule": "schedules: administrators only",
    "django_celery_beat.CrontabSchedule": "schedules: administrators only",
    "django_celery_beat.SolarSchedule": "schedules: administrators only",
    "django_celery_beat.IntervalSchedule": "schedules: administrators only",
    "tiers.Document": "the catalogue is the province's",
    "tiers.Tier": "the catalogue is the province's",
    "tiers.Duty": "the catalogue is the province's",
    "tiers.Rule": "the catalogue is the province's",
    "tiers.Escalation": "the catalogue is the province's",
    "tiers.EscalationTrigger": "the catalogue is the province's",
    "tiers.EscalationAction": "the catalogue is the province's",
    "tiers.Policy": "the catalogue is the province's",
    "tiers.DutyRecordKind": "the catalogue is the province's",
    "accountability.ComplianceRun": "compliance runs are province-wide",
    "rosters.RosterImport": "administrators only, each their own (superusers all): tests/security/test_hygiene.py",
    "axes.AccessAttempt": "login attempts: administrators only",
    "axes.AccessLog": "login attempts: administrators only",
    "axes.AccessFailureLog": "login attempts: administrators only",
}
#: Scoped models whose admin keeps the change history (``SimpleHistoryAdmin``).
HISTORY_MODELS = [
    label for label in ADMIN_SCOPED if isinstance(admin.site._registry[apps.get_model(label)], SimpleHistoryAdmin)
]


def admin_url(obj: models.Model, view: str, *extra: Any) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk, *extra])


def may(user: Any, action: str, model: type[models.Model]) -> bool:
    """Whether the role's group holds the model permission (what the role may do at all, tiers/roles.py)."""
    return user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")


def may_view(user: Any, model: type[models.Model]) -> bool:
    return may(user, "view", model) or may(user, "change", model)


def to_admin_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def to_admin_index(response: Any) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("admin:index")


def leak(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"LEAK: {reason}")


# --- coverage of the URL patterns ------------------------------------------------------------------------


def _cases(patterns: list[Pattern], roles: list[str]) -> list[Any]:
    names = dict.fromkeys(p.name for p in patterns)
    return [pytest.param(name, role, id=f"{name}-{role}") for name in names for role in roles]


WITH_PARAMETERS = [p for p in PATTERNS if p.params and not is_admin_model_page(p)]
WITHOUT_PARAMETERS = [p for p in PATTERNS if not p.params and not is_admin_model_page(p)]


def test_every_url_pattern_is_covered() -> None:
    """Each pattern has its entry, each admin model its registry, and no entry is left over."""
    problems = [
        f"{p.name} ({p.route}) has path parameters: add it to REGISTRY"
        for p in WITH_PARAMETERS
        if p.name not in REGISTRY
    ]
    problems += [f"{p.name} ({p.route}): add it to LISTINGS" for p in WITHOUT_PARAMETERS if p.name not in LISTINGS]
    names = {p.name for p in PATTERNS}
    problems += [
        f"{name}: no URL has that name any more, remove it" for name in [*REGISTRY, *LISTINGS] if name not in names
    ]
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if isinstance(model_admin, ScopedAdmin) and label not in ADMIN_SCOPED:
            problems.append(f"the admin of {label} is scoped: add it to ADMIN_SCOPED")
        elif label not in ADMIN_SCOPED and label not in ADMIN_UNSCOPED:
            problems.append(f"{label} is in the admin: add it to ADMIN_SCOPED or ADMIN_UNSCOPED")
    for label in [*ADMIN_SCOPED, *ADMIN_UNSCOPED]:
        if apps.get_model(label) not in admin.site._registry:
            problems.append(f"{label} is no longer in the admin: remove it from the admin registries")
    assert not problems, "\n".join(problems)
    assert len(PATTERNS) == len(WITH_PARAMETERS) + len(WITHOUT_PARAMETERS) + sum(map(is_admin_model_page, PATTERNS))


# --- URLs with path parameters, for every role ----------------------------------------------------------


@pytest.mark.parametrize(("name", "role"), _cases(WITH_PARAMETERS, ROLES))
def test_url_with_parameters(world: World, name: str, role: str) -> None:
    """The object inside the role's scope gets the role's status; objects outside get 404 (or 403), never
    their data; a POST on the outside object is refused and writes nothing."""
    found = REGISTRY.get(name)
    if found is None:
        pytest.fail(f"{name} has path parameters: add it to REGISTRY (kwargs inside and outside the scope)")
    statuses = found.expect[role]
    client = client_of(world, role)
    hidden = hidden_from(world, role)
    inside, outside = found.inside(world, role), found.outside(world, role)
    if found.post is not None and len(statuses) > 2:
        url = url_of(name, outside[0], found.queries[0])
        response = client.post(url, found.post(world.b))
        assert response.status_code == statuses[2], f"POST outside: {url}"
        assert not written(world), f"POST {url} wrote"
    if role == Role.ADMINISTRATOR and statuses[1:2] == (200,):
        outside = []  # side B is in its scope and it may do anything there: the provincial group shows B is real
    for number, query in enumerate(found.queries):
        if number == 0:  # the other query strings ask the same view for another form of the same data
            url = url_of(name, inside, query)
            response = client.get(url)
            assert response.status_code == statuses[0], f"inside: {url}"
        for kwargs in outside if number == 0 or role not in PROVINCE_WIDE else []:
            url = url_of(name, kwargs, query)
            response = client.get(url)
            assert response.status_code == statuses[1], f"outside: {url}"
            assert_shows_none(response, hidden, url)


# --- URLs without path parameters, for every role -------------------------------------------------------


def _path(name: str) -> str:
    return reverse(name) if not name.endswith("$") and "/" not in name else "/" + name


@pytest.mark.parametrize(("name", "role"), _cases(WITHOUT_PARAMETERS, ROLES))
def test_url_without_parameters(world: World, name: str, role: str) -> None:
    """Lists, forms, API lists and downloads: the role's status, and nothing of side B unless the role's
    scope covers it; a POST naming side B's objects is refused and writes nothing."""
    found = LISTINGS.get(name)
    if found is None:
        pytest.fail(f"{name}: add it to LISTINGS (the status of every role)")
    statuses = found.expect[role]
    client = client_of(world, role)
    hidden = hidden_from(world, role)
    if found.post is not None and len(statuses) > 1:
        response = client.post(_path(name), found.post(world.b))
        assert response.status_code == statuses[1], f"POST {name}"
        assert not written(world), f"POST {name} wrote"
    for query in found.queries:
        url = _path(name) + query
        response = client.get(url)
        assert response.status_code == statuses[0], url
        assert_shows_none(response, hidden, url)


POSTS_ACCEPTED = [
    *(name for name, found in REGISTRY.items() if found.accepted is not None),
    *(name for name, found in LISTINGS.items() if found.accepted is not None),
]


@pytest.mark.parametrize("name", POSTS_ACCEPTED)
def test_the_same_post_on_side_a_is_accepted(world: World, name: str) -> None:
    """The POSTs refused on side B are good ones: county staff make them on side A, and they write."""
    role = Role.COUNTY_STAFF
    if name in REGISTRY:
        found = REGISTRY[name]
        url, data, status = url_of(name, found.inside(world, role), found.queries[0]), found.post, found.accepted
    else:
        url, data, status = _path(name), LISTINGS[name].post, LISTINGS[name].accepted
    assert data is not None
    response = client_of(world, role).post(url, data(world.a))
    assert response.status_code == status, f"POST {url}"
    assert written(world), f"POST {url} wrote nothing"


@pytest.mark.parametrize("name", [name for name, found in LISTINGS.items() if found.shows])
def test_side_b_is_listed_for_a_superuser(world: World, name: str) -> None:
    """The text looked for in ``test_url_without_parameters`` is really on the page when in scope."""
    client = client_of(world, "superuser")
    text = "".join(body_text(client.get(_path(name) + query)) for query in LISTINGS[name].queries)
    assert [marker for marker in LISTINGS[name].shows if marker not in text] == []


# --- the admin, model by model --------------------------------------------------------------------------

#: Admins that add nothing (their rows come from the engines).
READ_ONLY_ADMINS = {"accountability.Violation", "accountability.Action"}


def _admin_cases(labels: list[str], roles: list[str], marks: dict[tuple[str, str], Any]) -> list[Any]:
    return [
        pytest.param(label, role, id=f"{label}-{role}", marks=marks.get((label, role), []))
        for label in labels
        for role in roles
    ]


#: The admin's per-model pages are tested for county staff and the unit liaison: a scope by place and a scope
#: by unit (prefecture and township staff only differ by the place, and their pages cost as much; for the
#: administrator side B's pages are side A's again). Users who are not staff: test_admin_is_for_staff_only.
ADMIN_ROLES = [Role.COUNTY_STAFF, Role.UNIT_LIAISON]
#: Staff for whom side A's change page is rendered in full; for the other staff roles side A is requested
#: only where it must be refused (out of their scope, or no permission), which keeps the module fast.
FULL_PAGE_ROLES = {Role.COUNTY_STAFF}
ADMIN_LEAKS: dict[tuple[str, str], Any] = {}  # none left: a leak found here is marked with leak(...)


@pytest.mark.parametrize(
    "label", [pytest.param(label, marks=ADMIN_LEAKS.get((label, Role.COUNTY_STAFF), [])) for label in ADMIN_SCOPED]
)
def test_scoped_models_keep_a_scoped_admin(label: str) -> None:
    """Every model of ``ADMIN_SCOPED`` is registered with an admin that goes through ``visible_to``."""
    assert isinstance(admin.site._registry[apps.get_model(label)], ScopedAdmin)


@pytest.mark.parametrize(("label", "role"), _admin_cases(list(ADMIN_SCOPED), ADMIN_ROLES, ADMIN_LEAKS))
def test_admin_change_pages(world: World, label: str, role: str) -> None:
    """Staff reach the change page of an object in their scope; outside it the admin answers as for a
    missing object (back to the index) or refuses (403), never showing it. County staff also get the
    delete and history pages, the changelist and the add page, none showing anything of side B."""
    model = apps.get_model(label)
    user, client = world.users[role], client_of(world, role)
    inside, outside = (choose(world, role) for choose in ADMIN_SCOPED[label])
    viewer = may_view(user, model)
    hidden_inside = role in ADMIN_INSIDE_HIDDEN.get(label, set())
    if not viewer or hidden_inside or role in FULL_PAGE_ROLES:
        response = client.get(admin_url(inside, "change"))
        if not viewer:
            assert response.status_code == 403
        elif hidden_inside:
            assert to_admin_index(response)
        else:
            assert response.status_code == 200
    hidden = hidden_from(world, role)
    response = client.get(admin_url(outside, "change"))
    assert to_admin_index(response) if viewer else response.status_code == 403
    assert_shows_none(response, hidden, "change page")
    if role in FULL_PAGE_ROLES:
        # The delete page, and Django's own history page (SimpleHistoryAdmin's: test_admin_history_pages_*),
        # which ScopedAdmin answers with 404 outside the scope.
        response = client.get(admin_url(outside, "delete"))
        assert response.status_code == 403  # no role but the administrator deletes in the admin
        assert_shows_none(response, hidden, "delete page")
        if label not in HISTORY_MODELS:
            response = client.get(admin_url(outside, "history"))
            assert response.status_code == 404
            assert_shows_none(response, hidden, "history page")
        # The changelist holds the role's rows only (and its filters offer nothing outside the scope: the
        # sector-lead memberships' unit filter offered every unit until 421858d); the add page offers
        # choices in the scope only (every scoped admin limits its foreign keys with the same hooks
        # whatever the role: county staff, who may add the most, stand for the others).
        opts = model._meta
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        assert response.status_code == (200 if viewer else 403)
        assert_shows_none(response, hidden, "changelist")
        response = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        assert response.status_code == (200 if may(user, "add", model) and label not in READ_ONLY_ADMINS else 403)
        assert_shows_none(response, hidden, "add page")
    # The old address of a change page only redirects to it.
    response = client.get(f"/admin/{model._meta.app_label}/{model._meta.model_name}/{outside.pk}/")
    assert response.status_code == 302 and response["Location"] == admin_url(outside, "change")


@pytest.mark.parametrize("role", [role for role in ROLES if role not in STAFF_ROLES])
def test_admin_is_for_staff_only(world: World, role: str) -> None:
    """Users who are not staff are sent to the admin's login from every model's change page and list."""
    client = client_of(world, role)
    for label, (pick_inside, pick_outside) in ADMIN_SCOPED.items():
        opts = apps.get_model(label)._meta
        for url in (
            admin_url(pick_inside(world, role), "change"),
            admin_url(pick_outside(world, role), "change"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        ):
            assert to_admin_login(client.get(url)), url


@pytest.mark.parametrize("role", [Role.PREFECTURE_STAFF, Role.TOWNSHIP_STAFF])
def test_admin_place_change_page_for_staff_who_may_only_view(world: World, role: str) -> None:
    """Prefecture and township staff may view places (not change them): their own place's page opens.

    With ``PlaceAdmin`` registered (before 421858d) this was a 500: ``PlaceAdminForm.__init__`` sets
    ``fields['level'].disabled``, but a user who may only view gets a form without fields (KeyError)."""
    place = tm.Place.objects.get(code=place_in(role))
    assert client_of(world, role).get(admin_url(place, "change")).status_code == 200


def test_admin_object_permissions_of_an_account_outside_the_scope(world: World) -> None:
    """django-guardian's object-permission screens are for superusers: county staff can neither look up the
    account of side B's helper nor grant it a role on their county (around ``RoleAssignment``)."""
    client = client_of(world, Role.COUNTY_STAFF)
    url = reverse("admin:tiers_place_permissions_manage_user", args=[world.a.county.pk, world.b.user.pk])
    response = client.get(url)
    assert response.status_code == 403
    assert_shows_none(response, hidden_from(world, Role.COUNTY_STAFF), "object permissions of an account")
    assert client.post(url, {"permissions": ["role_county_staff"]}).status_code == 403
    assert not written(world)


# --- django-simple-history's pages ---------------------------------------------------------------------
# They read the history table directly; until 421858d an object outside the scope had its history, every
# version and a revert (a write, even on the read-only actions) reachable by anyone who may view the model.
# County staff stand for the staff roles (the code is the same; only the model permission matters).


def _first_version(obj: models.Model) -> Any:
    return obj.history.order_by("history_id").first()


def _form_data(instance: models.Model) -> dict[str, Any]:
    """The fields of ``instance`` as a POSTed admin form would carry them."""
    data: dict[str, Any] = {}
    for name, value in model_to_dict(instance).items():
        if value is None or isinstance(value, models.fields.files.FieldFile):
            data[name] = ""
        elif isinstance(value, list):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.datetime):
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        elif isinstance(value, datetime.date):
            data[name] = f"{value:%Y-%m-%d}"
        else:
            data[name] = value
    return data


@pytest.mark.parametrize("label", HISTORY_MODELS)
def test_admin_history_pages_of_outside_object(world: World, label: str) -> None:
    """The history of an object outside the scope (``<id>/history/``), each of its versions
    (``<id>/history/<version>/``) and a POST of a version (the admin's "revert") are 404, and the revert
    changes nothing (the actions have a second version, so that a revert would change them)."""
    client, hidden = client_of(world, Role.COUNTY_STAFF), hidden_from(world, Role.COUNTY_STAFF)
    outside = ADMIN_SCOPED[label][1](world, Role.COUNTY_STAFF)
    version = _first_version(outside)
    version_url = admin_url(outside, "simple_history", version.history_id)
    response = client.post(version_url, _form_data(version.instance))
    assert response.status_code == 404
    assert not written(world), f"reverting {label} #{outside.pk} wrote"
    for url in (admin_url(outside, "history"), version_url):
        response = client.get(url)
        assert response.status_code == 404, url
        assert_shows_none(response, hidden, url)


@pytest.mark.parametrize("label", list(ADMIN_UNSCOPED))
def test_admin_unscoped_models(world: World, label: str) -> None:
    """Models the admin does not scope: county staff (standing for the staff roles, which share these model
    permissions) may view the catalogue and get 403 for the rest; administrators hold every permission."""
    model = apps.get_model(label)
    opts = model._meta
    response = client_of(world, Role.COUNTY_STAFF).get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert response.status_code == (200 if opts.app_label == "tiers" else 403)


def test_admin_compliance_run_change_page(world: World) -> None:
    run = apps.get_model("accountability.ComplianceRun").objects.order_by("pk").first()
    assert client_of(world, Role.ADMINISTRATOR).get(admin_url(run, "change")).status_code == 200
