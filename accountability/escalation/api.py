"""Read-only JSON API of the escalation engine's actions, and the reads the year-end pages share.

``GET /api/v1/escalations/?year=&kind=&status=&escalation=`` lists the actions the user may see
(``Action.objects.visible_to``), 100 a page; ``GET /api/v1/escalations/<id>/`` shows one (404 out of
scope). Each row carries its chain (the triggers: violation, finding, incident, case, rating) and the
address of the action's page, where the whole explanation is laid out.

A page costs a fixed number of queries whatever its length: the rows (escalation, subject joined),
the count, and one prefetch each for the targets and the triggers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.api import ViolationPagination
from accountability.choices import ActionStatus
from accountability.messages import Msg
from accountability.models import Action, ActionTarget, ActionTrigger
from tiers.choices import ActionKind, Bearer, Relation, TriggerKind

#: Statuses of an action that stands (shown by the year-end lists unless another status is asked for).
IN_FORCE = (ActionStatus.PROPOSED, ActionStatus.CONFIRMED, ActionStatus.HELD)
#: ``E05.1``.
ESCALATION_CODE = re.compile(r"^E\d{2}\.\d$")

#: Bearers that are a person, a team, a unit or a place (the subject's type and code follow from it).
PERSON_BEARERS = {Bearer.TEAM_LEADER, Bearer.MEMBER}
UNIT_BEARERS = {Bearer.GROUP_LEADER_UNIT, Bearer.ASSISTING_UNIT, Bearer.DISPATCHING_UNIT}
PLACE_BEARERS = {Bearer.PREFECTURE, Bearer.COUNTY, Bearer.TOWNSHIP}
SUBJECT_TYPE_LABELS = {"person": _("个人"), "team": _("驻村帮扶工作队"), "unit": _("单位")}


# --- reads ----------------------------------------------------------------------------------------


def action_list(
    *,
    user: Any,
    year: int | None = None,
    kinds: Iterable[str] = (),
    statuses: Iterable[str] = (),
    escalations: Iterable[str] = (),
) -> QuerySet[Action]:
    """Actions ``user`` may see, of ``year``, ``kinds``, ``statuses`` and escalation codes (empty: any),
    with what a row shows joined (escalation, subject) and prefetched (targets, triggers)."""
    condition = Q()
    if year is not None:
        condition &= Q(year=year)
    if kinds := list(kinds):
        condition &= Q(kind__in=kinds)
    if statuses := list(statuses):
        condition &= Q(status__in=statuses)
    if escalations := list(escalations):
        condition &= Q(escalation__code__in=escalations)
    return (
        Action.objects.visible_to(user)
        .filter(condition)
        .select_related("escalation", "unit", "place", "person", "team__village", "membership__person")
        .prefetch_related(
            Prefetch("targets", queryset=ActionTarget.objects.select_related("person").order_by("id")),
            Prefetch("triggers", queryset=ActionTrigger.objects.order_by("id")),
        )
        .order_by("year", "escalation__code", "subject_name", "pk")
    )


def _values(params: QueryDict, name: str) -> list[str]:
    """The values of a parameter that may repeat or be comma-separated, stripped, empties dropped."""
    return [value.strip() for raw in params.getlist(name) for value in raw.split(",") if value.strip()]


def _checked(values: list[str], allowed: Iterable[str], name: str, message: Any) -> list[str]:
    bad = [value for value in values if value not in set(allowed)]
    if bad:
        raise ValidationError({name: [message % {"value": bad[0]}]})
    return values


def action_params(params: QueryDict) -> dict[str, Any]:
    """The keyword arguments of ``action_list`` that ``year``, ``kind``, ``status`` and ``escalation``
    ask for. Raises ``ValidationError`` (a 400) naming the parameter, with the message of ``Msg``."""
    found: dict[str, Any] = {}
    if (raw := params.get("year", "").strip()) != "":
        try:
            year = int(raw)
        except ValueError:
            year = 0
        if not 1 <= year <= 9999:
            raise ValidationError({"year": [Msg.BAD_YEAR % {"value": raw}]})
        found["year"] = year
    found["kinds"] = _checked(_values(params, "kind"), ActionKind.values, "kind", Msg.BAD_ACTION_KIND)
    found["statuses"] = _checked(_values(params, "status"), ActionStatus.values, "status", Msg.BAD_ACTION_STATUS)
    codes = _values(params, "escalation")
    bad = [code for code in codes if not ESCALATION_CODE.match(code)]
    if bad:
        raise ValidationError({"escalation": [Msg.BAD_ESCALATION % {"value": bad[0]}]})
    found["escalations"] = codes
    return found


# --- rows -----------------------------------------------------------------------------------------


def subject_of(action: Action) -> dict[str, str]:
    """The body an action falls on: its type (``person``, ``team``, ``unit`` or the place's level), the
    type's label, its code and its name."""
    person = action.person or (action.membership.person if action.membership else None)
    if action.bearer in PERSON_BEARERS and person:
        kind, code = "person", person.code
    elif action.bearer == Bearer.TEAM and action.team:
        kind, code = "team", action.team.village.code
    elif action.bearer in UNIT_BEARERS and action.unit:
        kind, code = "unit", action.unit.code
    elif action.bearer in PLACE_BEARERS and action.place:
        kind, code = action.place.level, action.place.code
    elif person:
        kind, code = "person", person.code
    elif action.team:
        kind, code = "team", action.team.village.code
    elif action.unit:
        kind, code = "unit", action.unit.code
    elif action.place:
        kind, code = action.place.level, action.place.code
    else:
        kind, code = "", action.subject_key
    label = action.place.get_level_display() if action.place and kind == action.place.level else ""
    return {
        "type": kind,
        "type_label": str(label or SUBJECT_TYPE_LABELS.get(kind, "")),
        "code": code,
        "name": action.subject_name,
    }


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def targets_text(action: Action) -> str:
    """``张三（主要负责同志）、李四（分管负责同志）``: the people summoned, from the prefetched targets."""
    return "、".join(f"{t.person.name}（{t.role}）" for t in action.targets.all())


def first_reason(action: Action) -> str:
    """The summary of the action's first trigger (the prefetched triggers, in order)."""
    triggers = list(action.triggers.all())
    return triggers[0].summary if triggers else ""


def action_data(action: Action, *, request: Request | Any) -> dict[str, Any]:
    """An action as the API shows it (targets and triggers prefetched)."""
    return {
        "id": action.pk,
        "url": request.build_absolute_uri(reverse("escalation_outputs:action", args=[action.pk])),
        "escalation": action.escalation.code,
        "clause": action.escalation.clause,
        "escalation_text": action.escalation.text,
        "kind": action.kind,
        "kind_label": str(action.get_kind_display()),
        "bearer": action.bearer,
        "bearer_label": str(action.get_bearer_display()),
        "subject": subject_of(action),
        "convenor": action.convenor,
        "convenor_label": str(action.get_convenor_display()) if action.convenor else "",
        "convenor_name": action.convenor_name,
        "targets": [{"name": t.person.name, "code": t.person.code, "role": t.role} for t in action.targets.all()],
        "severity": action.severity,
        "status": action.status,
        "status_label": str(action.get_status_display()),
        "year": action.year,
        "joint_liability": action.joint_liability,
        "trigger_date": action.trigger_date,
        "rebuttal_due": action.rebuttal_due,
        "held_on": action.held_on,
        "chain": [
            {
                "kind": trigger.kind,
                "kind_label": _label(TriggerKind, trigger.kind),
                "relation": trigger.relation,
                "relation_label": _label(Relation, trigger.relation),
                "summary": trigger.summary,
                "violation": trigger.violation_id,
                "violation_url": (
                    request.build_absolute_uri(reverse("api-violation-detail", args=[trigger.violation_id]))
                    if trigger.violation_id
                    else None
                ),
            }
            for trigger in action.triggers.all()
        ],
    }


# --- views ----------------------------------------------------------------------------------------


class ActionPagination(ViolationPagination):
    """100 rows a page; ``?page_size=`` up to 1000 (as the violations API)."""


class EscalationListView(APIView):
    """``GET /api/v1/escalations/?year=&kind=&status=&escalation=&page=&page_size=``."""

    renderer_classes = [JSONRenderer]

    def get(self, request: Request) -> Response:
        actions = action_list(user=request.user, **action_params(request.query_params))
        paginator = ActionPagination()
        page = paginator.paginate_queryset(actions, request, view=self)
        return paginator.get_paginated_response([action_data(action, request=request) for action in page])


class EscalationDetailView(APIView):
    """``GET /api/v1/escalations/<id>/``: one action as the list shows it (404 out of scope)."""

    renderer_classes = [JSONRenderer]

    def get(self, request: Request, pk: int) -> Response:
        action = get_object_or_404(action_list(user=request.user), pk=pk)
        return Response(action_data(action, request=request))


#: Included under ``api/v1/escalations/`` by ``accountability/api_urls.py``.
urlpatterns = [
    path("", EscalationListView.as_view(), name="api-escalations"),
    path("<int:pk>/", EscalationDetailView.as_view(), name="api-escalation-detail"),
]
