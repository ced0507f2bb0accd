"""Due process of an action: confirm, record the talk, waive; the subject's 申辩 and its decision.

Every step is an ``ActionDecision`` row (who, when, from which status to which, why); the engine never
changes a decided action's status (``engine.escalations_compute``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accountability.choices import ActionStatus, RebuttalStatus
from accountability.messages import Msg
from accountability.models import Action, ActionDecision, Rebuttal
from tiers.choices import ActionKind
from tiers.validators import validate_record_date

#: Which statuses each step may start from.
ALLOWED = {
    "confirm": {ActionStatus.PROPOSED},
    "hold": {ActionStatus.CONFIRMED},
    "waive": {ActionStatus.PROPOSED, ActionStatus.CONFIRMED},
}
VERBS = {"confirm": "确认", "hold": "登记约谈", "waive": "免予处理"}


def own_body(user: Any, action: Action) -> bool:
    """Whether the action falls on the very place or unit the user works for (granted on): then they
    answer it (申辩) and do not decide it."""
    from tiers.models import Place, Unit
    from tiers.scope import granted_place_paths, unit_scope_q

    if action.place_id and Place.objects.filter(pk=action.place_id, path__in=granted_place_paths(user)).exists():
        return True
    return bool(action.unit_id and Unit.objects.filter(unit_scope_q(user, "pk"), pk=action.unit_id).exists())


def concerns_self(user: Any, action: Action) -> bool:
    """Whether the user's own person is among those the action falls on: its bearer, a target summoned,
    the member or team concerned, or a cadre of the bearing unit. Such a user may answer it (申辩) but
    never decide it, whatever their grants (separation of duties)."""
    from tiers.models import Person
    from villagecorps.models import Membership

    person = Person.objects.filter(user=user).values_list("pk", "unit_id").first()
    if person is None:
        return False
    person_id, unit_id = person
    if person_id in (action.person_id, getattr(action.membership, "person_id", None)):
        return True
    if action.unit_id and action.unit_id == unit_id:
        return True
    if action.targets.filter(person_id=person_id).exists():
        return True
    return bool(action.team_id and Membership.objects.filter(team_id=action.team_id, person_id=person_id).exists())


def can_decide(user: Any, action: Action) -> bool:
    """Reviewers decide actions in their scope, except those falling on their own body or on themselves."""
    return (
        user.has_perm("accountability.change_action")
        and Action.objects.visible_to(user).filter(pk=action.pk).exists()
        and not own_body(user, action)
        and not concerns_self(user, action)
    )


def _in_scope(user: Any, action: Action) -> Action:
    """The action, locked, when the user may decide it (PermissionDenied otherwise)."""
    if not can_decide(user, action):
        raise PermissionDenied(Msg.REVIEW_NOT_ALLOWED)
    return Action.objects.select_for_update().get(pk=action.pk)


def _move(action: Action, step: str, *, user: Any, to: str, reason: str, **fields: Any) -> Action:
    if action.status not in ALLOWED[step]:
        raise ValidationError(Msg.ACTION_TRANSITION % {"from": action.get_status_display(), "verb": VERBS[step]})
    ActionDecision.objects.create(action=action, from_status=action.status, to_status=to, user=user, reason=reason)
    now = timezone.now()
    action.status, action.decided_by, action.decided_at, action.updated_at = to, user, now, now
    action.decision_reason = reason or action.decision_reason
    for name, value in fields.items():
        setattr(action, name, value)
    action.save()
    return action


@transaction.atomic
def action_confirm(*, user: Any, action: Action, reason: str = "") -> Action:
    """A reviewer confirms a proposed action (it stands; a 约谈 is then to be held)."""
    return _move(_in_scope(user, action), "confirm", user=user, to=ActionStatus.CONFIRMED, reason=reason)


@transaction.atomic
def action_hold(*, user: Any, action: Action, held_on: datetime.date, minutes: str) -> Action:
    """Record that a confirmed 约谈 was held: the date and the minutes."""
    action = _in_scope(user, action)
    if action.kind != ActionKind.ADMONISH:
        raise ValidationError(Msg.ACTION_ONLY_ADMONISH)
    if not held_on or not minutes.strip():
        raise ValidationError(Msg.ACTION_HELD_NEEDS_DATE)
    validate_record_date(held_on, field="held_on", label=Action._meta.get_field("held_on").verbose_name)
    return _move(action, "hold", user=user, to=ActionStatus.HELD, reason="", held_on=held_on, minutes=minutes.strip())


@transaction.atomic
def action_waive(*, user: Any, action: Action, reason: str) -> Action:
    """Waive a proposed or confirmed action, with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": Msg.ACTION_NEEDS_REASON})
    return _move(_in_scope(user, action), "waive", user=user, to=ActionStatus.WAIVED, reason=reason.strip())


def can_rebut(user: Any, action: Action) -> bool:
    """The subject may answer: the person it falls on, or staff of the place or unit it falls on."""
    return own_body(user, action) or concerns_self(user, action)


@transaction.atomic
def rebuttal_file(*, user: Any, action: Action, text: str, attachment: Any = None) -> Rebuttal:
    """File a 申辩 within the policy's days (``rebuttal_days``) of the action being proposed."""
    action = Action.objects.select_for_update().get(pk=action.pk)
    if not can_rebut(user, action):
        raise PermissionDenied(Msg.REBUTTAL_NOT_SUBJECT)
    if timezone.localdate() > action.rebuttal_due:
        raise ValidationError(Msg.REBUTTAL_LATE % {"due": f"{action.rebuttal_due:%Y-%m-%d}"})
    if not text.strip():
        raise ValidationError({"text": Msg.ACTION_NEEDS_REASON})
    rebuttal = Rebuttal(action=action, text=text.strip(), filed_by=user)
    if attachment is not None:
        rebuttal.attachment = attachment
    rebuttal.full_clean()
    rebuttal.save()
    return rebuttal


@transaction.atomic
def rebuttal_decide(*, user: Any, rebuttal: Rebuttal, accepted: bool, reason: str) -> Rebuttal:
    """A reviewer decides a 申辩; an accepted one waives the action (a decided action stays as it is)."""
    rebuttal = Rebuttal.objects.select_for_update().get(pk=rebuttal.pk)
    action = _in_scope(user, rebuttal.action)
    if rebuttal.filed_by_id == user.pk:
        raise PermissionDenied(Msg.REBUTTAL_OWN)
    if rebuttal.status != RebuttalStatus.PENDING:
        raise ValidationError(Msg.REBUTTAL_DONE)
    if not reason.strip():
        raise ValidationError({"reason": Msg.ACTION_NEEDS_REASON})
    rebuttal.status = RebuttalStatus.ACCEPTED if accepted else RebuttalStatus.REJECTED
    rebuttal.decided_by, rebuttal.decided_at, rebuttal.reason = user, timezone.now(), reason.strip()
    rebuttal.save()
    if accepted and action.status in ALLOWED["waive"]:
        _move(action, "waive", user=user, to=ActionStatus.WAIVED, reason=f"申辩成立：{reason.strip()}")
    return rebuttal
