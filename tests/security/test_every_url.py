"""Every URL of the project, for every role: data inside the user's scope is shown, data outside it never.

BUILD-IN-PROGRESS
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, override_settings
from openpyxl import load_workbook

from accountability.choices import CaseKind, RatingGrade
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
from tiers.choices import ActionKind, Bearer, GroupRole, LeadingGroupKind, PostTitle, Role, TriggerKind, UnitKind
from tiers.models import EditRequest
from villagecorps.models import DutyDay, FollowUpVisit, InsuranceCover, Membership, Team, TrainingDay

D = datetime.date
START = D(2019, 1, 1)
YEAR = 2019


@dataclass
class Side:
    """The objects of one side of the tree: A (county 620123, inside) or B (county 620521, outside)."""

    county: tm.Place
    township: tm.Place
    village: tm.Place
    unit: tm.Unit
    member_unit: tm.Unit
    person: tm.Person
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
    role_assignment: tm.RoleAssignment
    violation: Violation
    incident: Incident
    case: Case
    rating: Rating
    action: Action
    rebuttal: Rebuttal
    roster: RosterImport
    user: Any  # the helper who is ``person``
    markers: list[str] = field(default_factory=list)


@dataclass
class World:
    a: Side
    b: Side
    users: dict[str, Any]
    superuser: Any


def _side(tag: str, county_code: str, mark: str, roster_user: Any) -> Side:
    """One side: ``tag`` (IN / OUT) goes into every code, ``mark`` (甲 / 乙) into every name."""
    county = tm.Place.objects.get(code=county_code)
    township = tm.Place.objects.get(code=f"{county_code}101")
    village = tm.Place.objects.get(code=f"{county_code}101201")
    unit = factories.UnitFactory(code=f"UNIT-{tag}", name=f"{mark}帮扶单位", kind=UnitKind.COUNTY_UNIT, place=county)
    member_unit = factories.UnitFactory(
        code=f"UNIT-{tag}-2", name=f"{mark}成员单位", kind=UnitKind.COUNTY_UNIT, place=county
    )
    user = factories.UserFactory(username=f"helper-{tag.lower()}")
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
        previous={"problems": f"{mark}走访问题"},
        reason=f"{mark}修改理由",
        requested_by=user,
    )
    team = TeamFactory(village=village, name=f"{mark}驻村工作队")
    membership = MembershipFactory(team=team, person=person, dispatching_unit=unit)
    duty_day = DutyDayFactory(membership=membership)
    follow_up = FollowUpVisitFactory(membership=membership, visitors=f"{mark}回访人")
    insurance = InsuranceCoverFactory(membership=membership, policy_number=f"POL-{tag}")
    training = TrainingDayFactory(county=county, person=person, topic=f"{mark}轮训")
    record = tm.DutyRecord.objects.create(
        date=D(2019, 4, 1), place=village, unit=unit, person=person, title=f"{mark}履责记录"
    )
    record.attachment.save(f"record-{tag}.pdf", ContentFile(b"%PDF-1.4 " + tag.encode()))
    finding = tm.Finding.objects.create(
        duty=tm.Duty.objects.order_by("code").first(),
        place=village,
        unit=unit,
        person=person,
        period_start=START,
        period_end=D(2019, 12, 31),
        result="failed",
        evidence=f"{mark}认定依据",
    )
    post = tm.Post.objects.create(person=person, title=PostTitle.PRINCIPAL, unit=unit, start=START)
    contact_leader = tm.ContactLeaderAssignment.objects.create(person=person, county=county, start=START)
    group_leader = tm.GroupLeaderAssignment.objects.create(unit=unit, county=county, start=START)
    assistance = tm.AssistanceAssignment.objects.create(unit=unit, village=village, start=START)
    sector_lead = tm.SectorLeadMembership.objects.create(lead_unit=unit, member_unit=member_unit, start=START)
    leading_group = tm.LeadingGroup.objects.create(
        kind=LeadingGroupKind.COORDINATION, place=county, name=f"{mark}县领导小组"
    )
    group_member = tm.LeadingGroupMember.objects.create(
        group=leading_group, person=person, role=GroupRole.MEMBER, start=START
    )
    incident = Incident.objects.create(
        village=village, date=D(2019, 8, 1), description=f"{mark}涉贫事件", unit=unit, person=person
    )
    case = Case.objects.create(
        kind=CaseKind.FALSIFICATION,
        date=D(2019, 9, 1),
        inspection=f"{mark}核查",
        description=f"{mark}认定事实",
        place=township,
        unit=unit,
        person=person,
    )
    rating = Rating.objects.create(person=person, year=YEAR, grade=RatingGrade.INCOMPETENT)
    roster = RosterImport.objects.create(
        user=roster_user,
        file_name=f"roster-{tag}.xlsx",
        sha256=tag.lower() * 8,
        size=1,
        dry_run=True,
        as_of=START,
        outcome=Outcome.PREVIEWED,
    )
    return Side(
        county=county,
        township=township,
        village=village,
        unit=unit,
        member_unit=member_unit,
        person=person,
        household=household,
        pairing=pairing,
        visit=visit,
        deed=deed,
        plan=plan,
        edit_request=edit_request,
        team=team,
        membership=membership,
        duty_day=duty_day,
        follow_up=follow_up,
        insurance=insurance,
        training=training,
        record=record,
        finding=finding,
        post=post,
        contact_leader=contact_leader,
        group_leader=group_leader,
        assistance=assistance,
        sector_lead=sector_lead,
        leading_group=leading_group,
        group_member=group_member,
        role_assignment=None,  # type: ignore[arg-type]  # set once the users exist
        violation=None,  # type: ignore[arg-type]  # set after the compliance run
        incident=incident,
        case=case,
        rating=rating,
        action=None,  # type: ignore[arg-type]
        rebuttal=None,  # type: ignore[arg-type]
        roster=roster,
        user=user,
    )


def _action(side: Side, mark: str) -> None:
    escalation = tm.Escalation.objects.get(code="E05.1")
    measure = escalation.actions.filter(action=ActionKind.ADMONISH).first() or escalation.actions.first()
    side.action = Action.objects.create(
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
        subject_name=f"{mark}约谈对象单位",
        severity=1,
        convenor=measure.convenor,
        convenor_name=f"{mark}约谈主体",
        trigger_date=D(2019, 12, 31),
        rebuttal_due=D(2020, 1, 10),
    )
    ActionTarget.objects.create(action=side.action, person=side.person, role="主要负责同志")
    ActionTrigger.objects.create(
        action=side.action, kind=TriggerKind.VIOLATION, relation="self", violation=side.violation, summary=f"{mark}触发"
    )
    side.rebuttal = Rebuttal.objects.create(action=side.action, text=f"{mark}申辩理由", filed_by=side.user)
    side.rebuttal.attachment.save(f"rebuttal-{side.unit.code}.pdf", ContentFile(b"%PDF-1.4 rebuttal"))


def build_world() -> World:
    factories.build_tree()
    user_model = get_user_model()
    superuser = user_model.objects.create_superuser("root", password="pw-Test-2019")
    other_admin = factories.user_with_role(Role.ADMINISTRATOR, place=tm.Place.objects.get(code="620000"))
    users: dict[str, Any] = {}
    a = _side("IN", "620123", "甲", roster_user=None)
    b = _side("OUT", "620521", "乙", roster_user=other_admin)
    province = tm.Place.objects.get(code="620000")
    users[Role.PROVINCIAL_GROUP] = factories.user_with_role(Role.PROVINCIAL_GROUP, place=province)
    users[Role.ADMINISTRATOR] = factories.user_with_role(Role.ADMINISTRATOR, place=province)
    users[Role.PREFECTURE_STAFF] = factories.user_with_role(
        Role.PREFECTURE_STAFF, place=tm.Place.objects.get(code="620100")
    )
    users[Role.COUNTY_STAFF] = factories.user_with_role(Role.COUNTY_STAFF, place=a.county)
    users[Role.TOWNSHIP_STAFF] = factories.user_with_role(Role.TOWNSHIP_STAFF, place=a.township)
    users[Role.TEAM_LEADER] = factories.user_with_role(Role.TEAM_LEADER, place=a.village)
    users[Role.UNIT_LIAISON] = factories.user_with_role(Role.UNIT_LIAISON, unit=a.unit)
    from tiers.services import role_grant

    role_grant(user=a.user, role=Role.HELPER)
    role_grant(user=b.user, role=Role.HELPER)
    users[Role.HELPER] = a.user
    a.roster.user = users[Role.ADMINISTRATOR]
    a.roster.save()
    out_county = factories.user_with_role(Role.COUNTY_STAFF, place=b.county, username="county-out")
    a.role_assignment = tm.RoleAssignment.objects.get(user=users[Role.COUNTY_STAFF])
    b.role_assignment = tm.RoleAssignment.objects.get(user=out_county)

    result = engine.compliance_run_execute(
        engine.compliance_run_create(trigger="command", year=YEAR, as_of=D(2020, 1, 20), rules=["R10.2"])
    )
    assert result.status == "succeeded", result.error
    a.violation = Violation.objects.get(rule__code="R10.2", household=a.household)
    b.violation = Violation.objects.get(rule__code="R10.2", household=b.household)
    _action(a, "甲")
    _action(b, "乙")
    return World(a=a, b=b, users=users, superuser=superuser)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The world, built once for the module inside a transaction that is rolled back at the end."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world()
            transaction.set_rollback(True)
    finally:
        media.disable()


# --- roles --------------------------------------------------------------------------------------------

ROLES: list[str] = [role.value for role in Role]
#: Short names for the expectation tables, one per role of ``Role``.
SHORT = {
    "PG": Role.PROVINCIAL_GROUP,
    "AD": Role.ADMINISTRATOR,
    "PS": Role.PREFECTURE_STAFF,
    "CS": Role.COUNTY_STAFF,
    "TS": Role.TOWNSHIP_STAFF,
    "TL": Role.TEAM_LEADER,
    "UL": Role.UNIT_LIAISON,
    "HP": Role.HELPER,
}
#: Roles granted on the province: side B is inside their scope too (nothing of the tree is outside it).
PROVINCE_WIDE = {Role.PROVINCIAL_GROUP, Role.ADMINISTRATOR}
#: The lowest place of side A a role sees (mirrored on side B by swapping the county code).
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


# --- the registry of URLs with path parameters --------------------------------------------------------

Kwargs = dict[str, Any]


@dataclass(frozen=True)
class Expect:
    """What a role gets: the status for the object inside its scope, for the one outside, and for a POST
    on the outside object (``None``: not posted, e.g. side B is inside a province-wide role's scope)."""

    inside: int
    outside: int
    post: int | None = None


def expect(table: str) -> dict[str, Expect]:
    """``"PG AD: 200 200 | CS: 200 404 404 | …"``: every role exactly once, by its short name."""
    found: dict[str, Expect] = {}
    for part in table.split("|"):
        names, statuses = part.split(":")
        numbers = [int(s) for s in statuses.split()]
        for name in names.split():
            assert SHORT[name] not in found, f"{name} twice in {table!r}"
            found[SHORT[name]] = Expect(*numbers)
    missing = set(ROLES) - set(found)
    assert not missing, f"no expectation for {sorted(missing)} in {table!r}"
    return found


@dataclass(frozen=True)
class Entry:
    """How to request a URL with path parameters for a role: the kwargs of an object inside the role's
    scope, those of objects outside it, the query strings to try, and what each role must get."""

    inside: Callable[[World, str], Kwargs]
    outside: Callable[[World, str], list[Kwargs]]
    expect: dict[str, Expect] | None
    queries: tuple[str, ...] = ("",)
    post: Callable[[World], dict[str, Any]] | None = None


def same(build: Callable[[Side], Kwargs]) -> tuple[Callable[[World, str], Kwargs], Callable[[World, str], list]]:
    """Inside: ``build`` on side A; outside: ``build`` on side B (the same object for every role)."""
    return (lambda w, role: build(w.a)), (lambda w, role: [build(w.b)])


def by_place(
    build: Callable[[str], Kwargs] = lambda code: {"code": code},
) -> tuple[Callable[[World, str], Kwargs], Callable[[World, str], list]]:
    """Inside: the role's own place on side A; outside: its mirror on side B."""
    return (lambda w, role: build(place_in(role))), (lambda w, role: [build(place_out(role))])


def entry(
    kwargs: tuple[Callable[[World, str], Kwargs], Callable[[World, str], list]],
    table: str | None,
    *queries: str,
    post: Callable[[World], dict[str, Any]] | None = None,
) -> Entry:
    return Entry(kwargs[0], kwargs[1], expect(table) if table else None, queries or ("",), post)


def _week_post(w: World) -> dict[str, Any]:
    return {f"d-{w.b.membership.pk}-2019-01-07": "in_village_night"}


REGISTRY: dict[str, Entry] = {
    # --- households ---
    "households:helper-detail": entry(same(lambda s: {"person_code": s.person.code}), None),
    "households:household-detail": entry(same(lambda s: {"code": s.household.code}), None),
    "households:plan-new": entry(
        same(lambda s: {"code": s.household.code}),
        None,
        post=lambda w: {
            "date": "2019-03-01",
            "year": "2019",
            "family_situation": "x",
            "poverty_causes": "x",
            "income_paths": "x",
            "support_measures": "x",
        },
    ),
    "households:visit-edit": entry(
        same(lambda s: {"pk": s.visit.pk}), None, post=lambda w: {"date": "2019-03-05", "problems": "改", "reason": "r"}
    ),
    "households:deed-edit": entry(
        same(lambda s: {"pk": s.deed.pk}),
        None,
        post=lambda w: {"date": "2019-03-06", "description": "改", "reason": "r"},
    ),
    "households:review-decide": entry(
        same(lambda s: {"pk": s.edit_request.pk}), None, post=lambda w: {"decision": "approve"}
    ),
    # --- villagecorps ---
    "villagecorps:member-card": entry(same(lambda s: {"pk": s.membership.pk}), None, "?year=2019"),
    "villagecorps:team-calendar": entry(same(lambda s: {"pk": s.team.pk}), None, "?month=2019-01"),
    "villagecorps:team-week": entry(same(lambda s: {"pk": s.team.pk}), None, "?start=2019-01-07", post=_week_post),
    "villagecorps:county-teams": entry(by_place(), None, "?year=2019"),
    # --- tiers ---
    "place-detail": entry(by_place(), None),
    "records-place": entry(by_place(), None, "?year=2019"),
    "records-unit": entry(same(lambda s: {"code": s.unit.code}), None, "?year=2019"),
    "record-attachment": entry(same(lambda s: {"pk": s.record.pk}), None),
    # --- escalation outputs ---
    "escalation_outputs:action": entry(
        same(lambda s: {"pk": s.action.pk}), None, post=lambda w: {"step": "waive", "reason": "免"}
    ),
    "escalation_outputs:notice": entry(same(lambda s: {"pk": s.action.pk}), None),
    "escalation_outputs:rebuttal-attachment": entry(
        (
            lambda w, role: {"pk": w.a.action.pk, "rebuttal": w.a.rebuttal.pk},
            # B's own, and B's rebuttal reached through A's action (a rebuttal belongs to its action)
            lambda w, role: [
                {"pk": w.b.action.pk, "rebuttal": w.b.rebuttal.pk},
                {"pk": w.a.action.pk, "rebuttal": w.b.rebuttal.pk},
            ],
        ),
        None,
    ),
    # --- dashboards ---
    "dashboards:place": entry(by_place(), None, "?year=2019", "?year=2019&format=xlsx&table=children"),
    "dashboards:subjects": entry(by_place(), None, "?year=2019", "?year=2019&format=xlsx"),
    "dashboards:tier": entry(
        by_place(lambda code: {"code": code, "tier": "T10"}), None, "?year=2019", "?year=2019&format=xlsx"
    ),
    "dashboards:person": entry(same(lambda s: {"code": s.person.code}), None, "?year=2019", "?year=2019&format=xlsx"),
    "dashboards:unit": entry(same(lambda s: {"code": s.unit.code}), None, "?year=2019", "?year=2019&format=xlsx"),
    "dashboards:violation": entry(same(lambda s: {"pk": s.violation.pk}), None, "", "?format=xlsx"),
    "dashboards:place-data": entry(by_place(), None, "?year=2019"),
    # --- rosters (administrators; each sees their own uploads) ---
    "rosters:detail": entry(same(lambda s: {"pk": s.roster.pk}), None),
    "rosters:confirm": entry(same(lambda s: {"pk": s.roster.pk}), None, post=lambda w: {}),
    "rosters:progress": entry(same(lambda s: {"pk": s.roster.pk}), None),
    # --- API ---
    "api-violation-detail": entry(same(lambda s: {"pk": s.violation.pk}), None),
    "api-escalation-detail": entry(same(lambda s: {"pk": s.action.pk}), None),
}


# --- requests ---------------------------------------------------------------------------------------------


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def body_text(response: Any) -> str:
    """What a response shows, as text: a page, JSON (non-ASCII unescaped), or every cell of a workbook."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind and content:
        book = load_workbook(io.BytesIO(content), read_only=True)
        return "\n".join(
            str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
        )
    if "json" in kind and content:
        return json.dumps(json.loads(content), ensure_ascii=False)
    return content.decode("utf-8", errors="replace")
