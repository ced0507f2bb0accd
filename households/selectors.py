"""Reads of the households app. Every function takes ``user=`` and goes through ``visible_to(user)``.

``helper_overview`` is a fixed handful of queries whatever the number of households (one query for
the catalogue's minimums, one for the households with their counts as subqueries); the timeline is
one query per kind of record.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from households.choices import VISIT_CATEGORIES
from households.models import Deed, Household, Pairing, Plan, Visit
from tiers.choices import PlaceLevel
from tiers.models import EditRequest, EditRequestStatus, Person, Place, Rule
from tiers.scope import place_scope_q, scope_kinds, sees_everything

#: Catalogue rules of a helper's year and the defaults used when the catalogue lacks them.
PLAN_RULE, VISIT_RULE, DEED_RULE = "R10.1", "R10.2", "R10.3"
DEFAULT_PLAN_DEADLINE = "03-31"
DEFAULT_VISITS, DEFAULT_DEEDS = 2, 1


class NextAction:
    """What a helper should do next for a household, most urgent first (the order is the urgency)."""

    PLAN = _("修订一户一策")
    VISIT = _("入户走访")
    DEED = _("办实事好事")
    DONE = _("已完成")
    ORDER = (PLAN, VISIT, DEED, DONE)


@dataclass(frozen=True)
class Requirements:
    """What the catalogue asks of a helper per household and year (R10.1–R10.3)."""

    visits: int = DEFAULT_VISITS
    deeds: int = DEFAULT_DEEDS
    plan_deadline: str = DEFAULT_PLAN_DEADLINE  # "MM-DD"

    def deadline_in(self, year: int) -> datetime.date:
        month, day = (int(part) for part in self.plan_deadline.split("-"))
        try:
            return datetime.date(year, month, day)
        except ValueError:  # 02-29 in a common year
            return datetime.date(year, month, 28)


def requirements() -> Requirements:
    """The minimums of R10.2 (visits) and R10.3 (deeds) and the deadline of R10.1, from the catalogue."""
    rules = {
        r["code"]: r
        for r in Rule.objects.filter(code__in=[PLAN_RULE, VISIT_RULE, DEED_RULE], active=True)
        .order_by("code", "tier__document__in_force_from", "pk")  # the rule in force last wins
        .values("code", "minimum", "deadline")
    }
    return Requirements(
        visits=rules.get(VISIT_RULE, {}).get("minimum") or DEFAULT_VISITS,
        deeds=rules.get(DEED_RULE, {}).get("minimum") or DEFAULT_DEEDS,
        plan_deadline=rules.get(PLAN_RULE, {}).get("deadline") or DEFAULT_PLAN_DEADLINE,
    )


@dataclass
class OverviewRow:
    """Where one household of a helper stands in a year."""

    household: Household
    visits: int
    deeds: int
    plan_revised: bool
    plan_on_time: bool
    required_visits: int
    required_deeds: int
    paired_now: bool
    next_action: Any = field(init=False)
    urgency: int = field(init=False)

    def __post_init__(self) -> None:
        if not self.plan_revised:
            self.next_action = NextAction.PLAN
        elif self.visits < self.required_visits:
            self.next_action = NextAction.VISIT
        elif self.deeds < self.required_deeds:
            self.next_action = NextAction.DEED
        else:
            self.next_action = NextAction.DONE
        self.urgency = NextAction.ORDER.index(self.next_action)

    @property
    def done(self) -> bool:
        return self.next_action == NextAction.DONE

    @property
    def next_kind(self) -> str:
        """``plan``, ``visit``, ``deed`` or ``done``: which form the next action opens."""
        return ("plan", "visit", "deed", "done")[self.urgency]


def _count(model: type, person: Person, start: datetime.date, end: datetime.date) -> Coalesce:
    """Records of ``model`` by ``person`` for the outer household dated in [start, end], as a subquery."""
    records = (
        model.objects.filter(helper=person, household=OuterRef("pk"), date__range=(start, end))
        .order_by()
        .values("household")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(records, output_field=IntegerField()), Value(0))


def helper_overview(*, person: Person, year: int, today: datetime.date, user: Any) -> list[OverviewRow]:
    """The households paired with ``person`` now or during ``year`` that ``user`` may see, with the
    visits, deeds and plan revisions of ``year`` by that helper, most urgent first. Two queries."""
    need = requirements()
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    pairings = Pairing.objects.filter(helper=person, household=OuterRef("pk"))
    households = (
        Household.objects.visible_to(user)
        .filter(Exists(pairings.current_on(today)) | Exists(pairings.overlapping(start, end)))
        .select_related("village")
        .annotate(
            n_visits=_count(Visit, person, start, end),
            n_deeds=_count(Deed, person, start, end),
            n_plans=_count(Plan, person, start, end),
            n_plans_on_time=_count(Plan, person, start, need.deadline_in(year)),
            paired_now=Exists(pairings.current_on(today)),
        )
    )
    rows = [
        OverviewRow(
            household=h,
            visits=h.n_visits,
            deeds=h.n_deeds,
            plan_revised=h.n_plans > 0,
            plan_on_time=h.n_plans_on_time > 0,
            required_visits=need.visits,
            required_deeds=need.deeds,
            paired_now=h.paired_now,
        )
        for h in households
    ]
    rows.sort(key=lambda r: (r.urgency, not r.paired_now, r.visits, r.deeds, r.household.code))
    return rows


def helper_list(*, user: Any) -> QuerySet[Person]:
    """Helpers the user may look at: people of units in scope, or with a pairing in scope."""
    paired = Pairing.objects.visible_to(user).values("helper")
    return Person.objects.filter(
        Q(pk__in=Person.objects.visible_to(user).values("pk")) | Q(pk__in=paired)
    ).select_related("unit")


def household_list(*, user: Any, query: str = "", village: str = "", on: datetime.date | None = None) -> QuerySet:
    """Households in scope, searched by code or head's name and filtered by village code, with the
    name of the helper paired on ``on`` (if any)."""
    households = Household.objects.visible_to(user).select_related("village")
    if query:
        households = households.filter(Q(code__icontains=query) | Q(head_name__icontains=query))
    if village:
        households = households.filter(village__code=village)
    if on is not None:
        current = Pairing.objects.filter(household=OuterRef("pk")).current_on(on).order_by("-start")
        households = households.annotate(current_helper=Subquery(current.values("helper__name")[:1]))
    return households.order_by("code")


def village_choices(*, user: Any) -> QuerySet[Place]:
    """Villages that hold households in the user's scope."""
    households = Household.objects.visible_to(user).values("village")
    return Place.objects.filter(level=PlaceLevel.VILLAGE, pk__in=households).order_by("code")


def household_get(*, user: Any, code: str) -> QuerySet[Household]:
    """The household of ``code`` if in scope (an empty queryset otherwise: the view answers 404)."""
    return Household.objects.visible_to(user).select_related("village").filter(code=code)


def loggable_households(*, user: Any, today: datetime.date) -> QuerySet[Household]:
    """Households the user may log visits and deeds for: in a granted subtree (staff), or paired
    with the user today (a helper). A household paired with the user only in the past is left out."""
    households = Household.objects.visible_to(user).select_related("village")
    if sees_everything(user):
        return households
    current = Pairing.objects.current_on(today).filter(helper__user=user).values("household")
    on_places, _on_units, _is_person = scope_kinds(user)
    condition = Q(pk__in=current) | (place_scope_q(user, "village__path") if on_places else Q(pk__in=[]))
    return households.filter(condition).order_by("code")


def current_pairing(*, household: Household, on: datetime.date) -> Pairing | None:
    """The pairing of ``household`` in force on ``on``."""
    return Pairing.objects.filter(household=household).current_on(on).select_related("helper").first()


def latest_plan(*, household: Household, user: Any) -> Plan | None:
    """The latest revision of the household's 一户一策 plan the user may see."""
    return Plan.objects.visible_to(user).filter(household=household).order_by("-date", "-entered_at").first()


def person_of(*, user: Any) -> Person | None:
    """The person (cadre) the user logs in as, if any."""
    return Person.objects.filter(user=user).select_related("unit").first()


# --- the household timeline -----------------------------------------------------------------------


@dataclass
class TimelineItem:
    """One dated event of a household: a pairing, a plan revision, a visit or a deed."""

    kind: str  # "pairing", "plan", "visit", "deed"
    date: datetime.date
    helper: Person
    summary: str
    record: Any
    pending: list[EditRequest] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


KIND_LABELS = {"pairing": _("结对帮扶"), "plan": _("一户一策修订"), "visit": _("入户走访"), "deed": _("实事好事")}
#: Same-day events, latest first: the deed, then the visit, the plan revision, the pairing.
KIND_ORDER = {"pairing": 0, "plan": 1, "visit": 2, "deed": 3}


def _chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _shorten(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _visit_summary(visit: Visit) -> str:
    found = [
        f"{label}：{_shorten(getattr(visit, name), 30)}" for name, label in VISIT_CATEGORIES if getattr(visit, name)
    ]
    if visit.problems:
        found.append(f"{_('发现的问题')}：{_shorten(visit.problems, 40)}")
    return "；".join(found)


def pending_edit_requests(*, household: Household, user: Any) -> QuerySet[EditRequest]:
    """Pending edit requests the user may see for the household's visits, deeds and plans."""
    types = ContentType.objects.get_for_models(Visit, Deed, Plan)
    condition = Q()
    for model, content_type in types.items():
        ids = model.objects.filter(household=household).values("pk")
        condition |= Q(content_type=content_type, object_id__in=ids)
    return (
        EditRequest.objects.visible_to(user)
        .filter(condition, status=EditRequestStatus.PENDING)
        .select_related("requested_by", "content_type")
        .order_by("requested_at")
    )


def household_timeline(*, household: Household, user: Any) -> list[TimelineItem]:
    """Pairings, plan revisions, visits and deeds of the household the user may see, latest first,
    each with the pending edit requests for it."""
    items: list[TimelineItem] = []
    for pairing in Pairing.objects.visible_to(user).filter(household=household).select_related("helper"):
        until = _chinese_date(pairing.end) if pairing.end else _("至今")
        summary = f"{pairing.helper.name}，{_chinese_date(pairing.start)} — {until}"
        items.append(TimelineItem("pairing", pairing.start, pairing.helper, summary, pairing))
    for plan in Plan.objects.visible_to(user).filter(household=household).select_related("helper"):
        summary = _("%(year)s年度计划：%(measures)s") % {"year": plan.year, "measures": _shorten(plan.support_measures)}
        items.append(TimelineItem("plan", plan.date, plan.helper, summary, plan))
    for visit in Visit.objects.visible_to(user).filter(household=household).select_related("helper"):
        items.append(TimelineItem("visit", visit.date, visit.helper, _visit_summary(visit), visit))
    for deed in Deed.objects.visible_to(user).filter(household=household).select_related("helper"):
        items.append(TimelineItem("deed", deed.date, deed.helper, _shorten(deed.description), deed))

    by_record: dict[tuple[str, int], list[EditRequest]] = {}
    for request in pending_edit_requests(household=household, user=user):
        by_record.setdefault((request.content_type.model, request.object_id), []).append(request)
    for item in items:
        if item.kind != "pairing":
            item.pending = by_record.get((item.kind, item.record.pk), [])

    items.sort(key=lambda i: (i.date, KIND_ORDER[i.kind], i.record.pk), reverse=True)
    return items


# --- reviews --------------------------------------------------------------------------------------


def review_list(*, user: Any) -> QuerySet[EditRequest]:
    """Pending edit requests the user may see, oldest first, with their records (a fixed number of queries)."""
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    return (
        EditRequest.objects.visible_to(user)
        .filter(status=EditRequestStatus.PENDING)
        .select_related("requested_by", "content_type", "place")
        .prefetch_related(
            GenericPrefetch(
                "target",
                [model.objects.select_related("household", "helper") for model in (Visit, Deed, Plan)],
            )
        )
        .order_by("requested_at")
    )


def review_changes(request: EditRequest) -> list[tuple[str, str, str]]:
    """(field label, value before, value asked for) of each field an edit request changes."""
    model = request.content_type.model_class()
    rows = []
    for name, value in request.changes.items():
        label = model._meta.get_field(name).verbose_name if model is not None else name
        rows.append((str(label), str(request.previous.get(name, "")), str(value)))
    return rows
