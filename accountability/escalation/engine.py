"""The escalation engine: the year's triggers → actions, each with its bearer, convenor, targets and
chain of evidence. Keyed by escalation rule × action × bearer × slot × subject × year and upserted:
re-running never duplicates an action, never overwrites a reviewer's decision, and withdraws (never
deletes) an action whose triggers went away.

Per escalation rule and body, the severity is the highest of its triggers (a violation's, spec §4;
an incident, a falsification, a 不称职 rating or a serious case counts as 3; a reviewer's finding as 1).
The catalogue's action rows whose severity range holds it apply: a ladder of 约谈 convenors by severity
(E05.1, E07.1) is one slot; actions applying together (E09.2's two 约谈 of the dispatching unit's
leader) are separate slots.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from accountability.choices import ActionStatus
from accountability.dashboards.summaries import action_summaries_refresh
from accountability.escalation.triggers import Body, Collector, Hit
from accountability.models import Action, ActionDecision, ActionTarget, ActionTrigger
from tiers.choices import Bearer, Convenor, PostTitle, Target
from tiers.locks import advisory_xact_lock
from tiers.models import ContactLeaderAssignment, Escalation, EscalationAction, Person, Place, Post, Unit
from tiers.services import policy_value
from villagecorps.choices import MemberRole
from villagecorps.models import Membership, Team

#: The advisory lock of a year's computation (``tiers.locks``).
ESCALATION_LOCK = "escalations"
LEADER_ROLES = [MemberRole.LEADER, MemberRole.FIRST_SECRETARY_LEADER]
#: Post titles that answer to a 约谈 target, for a unit and for a place (党委政府).
UNIT_TITLES = {
    Target.PRINCIPAL: [PostTitle.PRINCIPAL],
    Target.DEPUTY: [PostTitle.DEPUTY],
    "unit_leader": [PostTitle.PRINCIPAL],
}
PLACE_TITLES = {
    Target.PRINCIPAL: [PostTitle.PARTY_SECRETARY, PostTitle.PRINCIPAL, PostTitle.GOVERNMENT_HEAD],
    Target.PARTY_SECRETARY: [PostTitle.PARTY_SECRETARY],
    Target.DEPUTY: [PostTitle.DEPUTY],
    Target.COUNTY_TEAM_HEAD: [PostTitle.COUNTY_TEAM_HEAD],
}


@dataclass
class Planned:
    """An action as the engine computes it, before it meets the database."""

    key: tuple[int, str, str, str, str, int]
    escalation: Escalation
    measure: EscalationAction
    body: Body
    bearer: Body
    severity: int
    date: datetime.date
    convenor_name: str
    hits: list[Hit]
    context: Hit
    targets: list[tuple[int, str]] = field(default_factory=list)


def _slot(measure: EscalationAction) -> str:
    full = measure.min_severity == 1 and measure.max_severity == 3
    return (measure.convenor or "-") if full else "ladder"


class Resolver:
    """Names, bearers, convenors and targets, from rows loaded once per computation."""

    def __init__(self, collector: Collector) -> None:
        self.collector = collector
        self.places = {p.pk: p for p in Place.objects.only("id", "name", "path", "level")}
        self.units: dict[int, Unit] = {}
        self.people: dict[int, Person] = {}
        self.memberships: dict[int, Membership] = {}
        self.teams: dict[int, Team] = {}
        start, end = collector.start, collector.end
        self.team_leaders: dict[int, list[Membership]] = defaultdict(list)
        self.posts: dict[tuple[str, int], list[Post]] = defaultdict(list)
        for post in Post.objects.overlapping(start, end).select_related("person").order_by("start"):
            if post.unit_id:
                self.posts[("unit", post.unit_id)].append(post)
            if post.place_id:
                self.posts[("place", post.place_id)].append(post)
        self.contact_leaders: dict[int, Person] = {
            a.county_id: a.person
            for a in ContactLeaderAssignment.objects.overlapping(start, end).select_related("person").order_by("start")
        }

    def load(self, bodies: set[Body]) -> None:
        """Fetch the units, people, memberships and teams of these bodies in a few queries."""
        ids: dict[str, set[int]] = defaultdict(set)
        for body in bodies:
            ids[body.kind].add(body.id)
        self.memberships.update(
            Membership.objects.select_related("person", "team", "dispatching_unit").in_bulk(ids["membership"])
        )
        team_ids = ids["team"] | {m.team_id for m in self.memberships.values()}
        self.teams.update(Team.objects.in_bulk(team_ids))
        self.people.update(Person.objects.select_related("unit").in_bulk(ids["person"]))
        unit_ids = ids["unit"] | {p.unit_id for p in self.people.values()}
        unit_ids |= {m.dispatching_unit_id for m in self.memberships.values()}
        unit_ids |= {u for u in self.collector._gl.values()} if self.collector._gl else set()
        self.units.update(Unit.objects.in_bulk(unit_ids))
        leaders = Membership.objects.filter(team_id__in=team_ids, role__in=LEADER_ROLES).select_related("person")
        for membership in leaders.overlapping(self.collector.start, self.collector.end):
            if membership not in self.team_leaders[membership.team_id]:
                self.team_leaders[membership.team_id].append(membership)

    # --- names and bearers -----------------------------------------------------------------------

    def name(self, body: Body) -> str:
        if body.kind == "unit":
            return self.units[body.id].name
        if body.kind == "place":
            return self.places[body.id].name
        if body.kind == "person":
            return self.people[body.id].name
        if body.kind == "membership":
            m = self.memberships[body.id]
            return f"{m.person.name}（{m.team.name}）"
        return self.teams[body.id].name

    def bearer(self, bearer: str, body: Body, hit: Hit) -> Body | None:
        """Who an action row falls on, from the body its triggers reached."""
        if bearer == Bearer.SUBJECT:
            return body
        if bearer == Bearer.GROUP_LEADER_UNIT:
            if body.kind == "unit":
                return body
            gl = self.collector.group_leader_unit(hit.county_id)
            return Body("unit", gl) if gl else None
        membership = self.memberships.get(body.id) if body.kind == "membership" else None
        team_id = membership.team_id if membership else (body.id if body.kind == "team" else None)
        if bearer == Bearer.DISPATCHING_UNIT:
            return Body("unit", membership.dispatching_unit_id) if membership else None
        if bearer == Bearer.TEAM:
            return Body("team", team_id) if team_id else None
        if bearer == Bearer.TEAM_LEADER:
            leaders = self.team_leaders.get(team_id, []) if team_id else []
            return Body("person", leaders[0].person_id) if leaders else None
        if bearer == Bearer.MEMBER:
            return Body("person", membership.person_id) if membership else None
        if bearer == Bearer.ASSISTING_UNIT:
            person = self.people.get(body.id) if body.kind == "person" else None
            return Body("unit", person.unit_id) if person else None
        return None

    def place_of(self, body: Body, hit: Hit) -> int | None:
        """The place the action sits under for scope and drill-down."""
        if body.kind == "place":
            return body.id
        if body.kind == "unit":
            return self.units[body.id].place_id
        if body.kind == "membership":
            return self.teams[self.memberships[body.id].team_id].village_id
        if body.kind == "team":
            return self.teams[body.id].village_id
        return hit.village_id or hit.county_id

    # --- convenors and targets -------------------------------------------------------------------

    def _level_name(self, place_id: int | None, level: str) -> str:
        place = self.collector.places.up(place_id, level)
        return self.places[place].name if place else ""

    def convenor_name(self, convenor: str, bearer: Body, hit: Hit) -> str:
        label = Convenor(convenor).label if convenor else ""
        place = self.place_of(bearer, hit) if bearer.kind != "unit" else hit.county_id
        if convenor == Convenor.PROVINCIAL_LEADING_GROUP:
            return str(label)
        if convenor == Convenor.PREFECTURE_LEADING_GROUP:
            return f"{self._level_name(place or hit.county_id, 'prefecture')}脱贫攻坚帮扶工作协调领导小组"
        if convenor == Convenor.COUNTY_LEADING_GROUP:
            return f"{self._level_name(place or hit.county_id, 'county')}脱贫攻坚帮扶工作协调领导小组"
        if convenor == Convenor.GROUP_LEADER_UNIT:
            gl = self.collector.group_leader_unit(hit.county_id)
            unit = self.units.get(gl) if gl else None
            if gl and unit is None:
                unit = self.units[gl] = Unit.objects.get(pk=gl)
            return f"组长单位：{unit.name}" if unit else str(label)
        if convenor == Convenor.CONTACT_LEADER:
            leader = self.contact_leaders.get(hit.county_id)
            return f"省级联系包抓领导：{leader.name}" if leader else str(label)
        if convenor == Convenor.COUNTY_PRINCIPAL:
            county = self.collector.places.up(place, "county")
            head = self._holders(("place", county), PLACE_TITLES[Target.PRINCIPAL], hit.date) if county else []
            return f"{self.places[county].name}主要负责同志：{head[0].name}" if head else str(label)
        if convenor == Convenor.OWN_UNIT:
            person = self.people.get(bearer.id) if bearer.kind == "person" else None
            return f"所在单位：{person.unit.name}" if person else str(label)
        return str(label)

    def _holders(self, owner: tuple[str, int], titles: list[str], day: datetime.date) -> list[Person]:
        found = []
        for post in self.posts.get(owner, []):
            if post.title in titles and post.start <= day and (post.end is None or post.end >= day):
                if post.person not in found:
                    found.append(post.person)
        return found

    def targets(self, targets: list[str], bearer: Body, body: Body, day: datetime.date) -> list[tuple[int, str]]:
        """The people holding the named posts on the trigger date: (person id, role)."""
        chosen: dict[int, list[str]] = {}
        for target in targets:
            people: list[Person] = []
            if bearer.kind in ("unit", "place") and target in (UNIT_TITLES if bearer.kind == "unit" else PLACE_TITLES):
                titles = (UNIT_TITLES if bearer.kind == "unit" else PLACE_TITLES)[target]
                people = self._holders((bearer.kind, bearer.id), titles, day)
            elif target in (Target.MEMBER, Target.HELPER) and body.kind == "person":
                people = [self.people[body.id]]
            elif target == Target.MEMBER and body.kind == "membership":
                people = [self.memberships[body.id].person]
            elif target == Target.TEAM_LEADER and body.kind in ("membership", "team"):
                team = self.memberships[body.id].team_id if body.kind == "membership" else body.id
                people = [m.person for m in self.team_leaders.get(team, [])]
            label = str(Target(target).label if target in Target.values else "单位负责同志")
            for person in people:
                roles = chosen.setdefault(person.pk, [])
                if label not in roles:
                    roles.append(label)
        return [(pk, "、".join(roles)) for pk, roles in chosen.items()]


def _plan(hits: list[Hit], resolver: Resolver) -> dict[tuple, Planned]:
    grouped: dict[tuple[int, Body], list[Hit]] = defaultdict(list)
    for hit in hits:
        grouped[(hit.escalation.pk, hit.body)].append(hit)
    resolver.load({body for _, body in grouped})
    measures = defaultdict(list)
    for measure in EscalationAction.objects.order_by("id"):
        measures[measure.escalation_id].append(measure)
    extra: set[Body] = set()
    planned: dict[tuple, Planned] = {}
    for (escalation_id, body), group in grouped.items():
        severity = max(h.severity for h in group)
        first = min(group, key=lambda h: h.date)
        for measure in measures[escalation_id]:
            if not measure.min_severity <= severity <= measure.max_severity:
                continue
            bearer = resolver.bearer(measure.bearer, body, first)
            if bearer is None:
                continue
            extra.add(bearer)
            key = (escalation_id, measure.action, measure.bearer, _slot(measure), f"{bearer.kind}:{bearer.id}")
            if key in planned:  # two bodies reach the same bearer (E03.2: units of one county)
                planned[key].hits.extend(group)
                planned[key].severity = max(planned[key].severity, severity)
                continue
            planned[key] = Planned(
                key=(*key, resolver.collector.year),
                escalation=first.escalation,
                measure=measure,
                body=body,
                bearer=bearer,
                severity=severity,
                date=first.date,
                convenor_name="",
                hits=list(group),
                context=first,
            )
    resolver.load(extra)
    for plan in planned.values():
        plan.convenor_name = resolver.convenor_name(plan.measure.convenor, plan.bearer, plan.context)
        plan.targets = resolver.targets(plan.measure.targets, plan.bearer, plan.body, plan.date)
    return planned


def _link(plan: Planned, resolver: Resolver) -> dict[str, Any]:
    bearer = plan.bearer
    fields: dict[str, Any] = {
        "unit_id": None,
        "place_id": None,
        "person_id": None,
        "membership_id": None,
        "team_id": None,
    }
    fields[f"{bearer.kind}_id"] = bearer.id
    if bearer.kind == "person":
        fields["unit_id"] = resolver.people[bearer.id].unit_id
    if bearer.kind == "membership":
        fields["person_id"] = resolver.memberships[bearer.id].person_id
        fields["unit_id"] = resolver.memberships[bearer.id].dispatching_unit_id
    fields["place_id"] = fields["place_id"] or resolver.place_of(bearer, plan.context)
    return fields


LINKS = ("violation", "finding", "incident", "case", "rating")


def _signatures(plan: Planned) -> list[tuple]:
    """The chain of a planned action as plain tuples: kind, relation, summary and the five links."""
    return sorted(
        (
            (h.trigger.kind, h.trigger.relation, h.summary[:300], *(h.links.get(name) for name in LINKS))
            for h in plan.hits
        ),
        key=repr,
    )


def _replace_chains(recomputed: list[tuple[Action, Planned]], year: int) -> None:
    """Write each action's triggers, leaving alone the chains that did not change (most of them, night
    after night). Compared as tuples: no model instance is built for an unchanged chain."""
    before: dict[int, list[tuple]] = defaultdict(list)
    fields = ["action_id", "kind", "relation", "summary", *(f"{name}_id" for name in LINKS)]
    for action_id, *signature in (
        ActionTrigger.objects.filter(action__year=year).values_list(*fields).iterator(chunk_size=BATCH)
    ):
        before[action_id].append(tuple(signature))
    stale, rows = [], []
    for action, plan in recomputed:
        fresh = _signatures(plan)
        if fresh != sorted(before.get(action.pk, []), key=repr):
            stale.append(action.pk)
            rows.extend(
                ActionTrigger(
                    action=action,
                    kind=kind,
                    relation=relation,
                    summary=summary,
                    **{f"{name}_id": pk for name, pk in zip(LINKS, links, strict=True)},
                )  # fmt: skip
                for kind, relation, summary, *links in fresh
            )
    for chunk in _chunks(stale):
        ActionTrigger.objects.filter(action_id__in=chunk).delete()
    ActionTrigger.objects.bulk_create(rows, batch_size=BATCH)


def _replace_targets(recomputed: list[tuple[Action, Planned]], year: int) -> None:
    """Write the targets of the proposed actions whose targets changed."""
    before: dict[int, set[tuple[int, str]]] = defaultdict(set)
    rows_before = ActionTarget.objects.filter(action__year=year).values_list("action_id", "person_id", "role")
    for action_id, person, role in rows_before.iterator(chunk_size=BATCH):
        before[action_id].add((person, role))
    stale, rows = [], []
    for action, plan in recomputed:
        if set(plan.targets) != before.get(action.pk, set()):
            stale.append(action.pk)
            rows.extend(ActionTarget(action=action, person_id=p, role=r) for p, r in plan.targets)
    for chunk in _chunks(stale):
        ActionTarget.objects.filter(action_id__in=chunk).delete()
    ActionTarget.objects.bulk_create(rows, batch_size=BATCH)


#: Fields a recomputation refreshes on a proposed action.
REFRESHED = [
    "measure_id", "severity", "joint_liability", "convenor", "convenor_name", "subject_name", "trigger_date",
    "triggers_gone", "unit_id", "place_id", "person_id", "membership_id", "team_id", "status", "updated_at",
    "rebuttal_due",
]  # fmt: skip
BATCH = 5000


def _values(plan: Planned, resolver: Resolver) -> dict[str, Any]:
    return {
        "measure": plan.measure,
        "severity": plan.severity,
        "joint_liability": plan.measure.joint_liability,
        "convenor": plan.measure.convenor,
        "convenor_name": plan.convenor_name,
        "subject_name": resolver.name(plan.bearer),
        "trigger_date": plan.date,
        "triggers_gone": False,
        **_link(plan, resolver),
    }


def _chunks(items: list[Any]) -> Any:
    for i in range(0, len(items), BATCH):
        yield items[i : i + BATCH]


@transaction.atomic
def escalations_compute(*, year: int, as_of: datetime.date | None = None) -> dict[str, int]:
    """Compute the year's actions from its triggers and reconcile them with those already recorded.

    Set-wise: the new actions are inserted in batches, the proposed ones updated in batches, and the
    chains and targets of the recomputed actions replaced in batches — a province's 100,000 helpers
    with a violation are a few dozen statements, not a few hundred thousand.

    Two computations of one year serialise on an advisory lock (PostgreSQL): the second waits for the
    first to commit, then reads what it wrote and reconciles with it, so it finds nothing to add.
    """
    advisory_xact_lock(ESCALATION_LOCK, year)
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    collector = Collector(year)
    hits = list(collector.hits())
    resolver = Resolver(collector)
    planned = _plan(hits, resolver)
    due = as_of + datetime.timedelta(days=int(policy_value("rebuttal_days", 10)))
    existing = {
        (a.escalation_id, a.kind, a.bearer, a.slot, a.subject_key, a.year): a
        for a in Action.objects.select_for_update().filter(year=year)
    }
    counts: Counter = Counter()
    decisions: list[ActionDecision] = []
    new: list[tuple[Action, Planned]] = []
    refreshed: list[tuple[Action, Planned]] = []  # proposed: everything is recomputed …
    changed_rows: list[Action] = []  # … and written when something changed
    chained: list[tuple[Action, Planned]] = []  # decided: only the chain
    for plan in planned.values():
        action = existing.pop(plan.key, None)
        if action is None:
            _, kind, bearer, slot, subject_key, _ = plan.key
            action = Action(
                escalation=plan.escalation, kind=kind, bearer=bearer, slot=slot, subject_key=subject_key, year=year,
                rebuttal_due=due, created_at=now, updated_at=now, **_values(plan, resolver),
            )  # fmt: skip
            new.append((action, plan))
            continue
        if action.status in (ActionStatus.PROPOSED, ActionStatus.WITHDRAWN):
            if action.status == ActionStatus.WITHDRAWN:
                decisions.append(
                    ActionDecision(
                        action=action,
                        from_status=action.status,
                        to_status=ActionStatus.PROPOSED,
                        reason="触发情形再次出现",
                    )  # fmt: skip
                )
                action.rebuttal_due = due
                counts["reopened"] += 1
            else:
                counts["kept"] += 1
            values = _values(plan, resolver)
            values["measure_id"] = values.pop("measure").pk
            if action.status != ActionStatus.PROPOSED or any(getattr(action, k) != v for k, v in values.items()):
                changed_rows.append(action)
            for name, value in values.items():
                setattr(action, name, value)
            action.status = ActionStatus.PROPOSED
            refreshed.append((action, plan))
        else:  # decided: the reviewer's decision stands
            action.triggers_gone = False
            chained.append((action, plan))
            counts["decided"] += 1
    for chunk in _chunks([action for action, _ in new]):
        Action.objects.bulk_create(chunk)
    if new:
        counts["proposed"] = len(new)
    for action in changed_rows:
        action.updated_at = now
    for chunk in _chunks(changed_rows):
        Action.objects.bulk_update(chunk, REFRESHED)
    regained = [action.pk for action, _ in chained if action.triggers_gone is False]
    for chunk in _chunks(regained):
        Action.objects.filter(pk__in=chunk, triggers_gone=True).update(triggers_gone=False)
    recomputed = new + refreshed + chained
    _replace_chains(recomputed, year)
    _replace_targets(new + refreshed, year)
    gone: list[Action] = []
    for action in existing.values():  # no trigger any more
        if action.status in (ActionStatus.PROPOSED, ActionStatus.CONFIRMED):
            decisions.append(
                ActionDecision(
                    action=action,
                    from_status=action.status,
                    to_status=ActionStatus.WITHDRAWN,
                    reason="触发情形已消除（重新计算）",
                )  # fmt: skip
            )
            action.status, action.updated_at = ActionStatus.WITHDRAWN, now
            counts["withdrawn"] += 1
            gone.append(action)
        elif action.status in (ActionStatus.HELD, ActionStatus.WAIVED) and not action.triggers_gone:
            action.triggers_gone = True
            gone.append(action)
    for chunk in _chunks(gone):
        Action.objects.bulk_update(chunk, ["status", "updated_at", "triggers_gone"])
    ActionDecision.objects.bulk_create(decisions, batch_size=BATCH)
    counts["actions"] = len(recomputed)
    counts["triggers"] = len(hits)
    action_summaries_refresh(year)
    return dict(counts)
