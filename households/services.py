"""Writes of the households app: pairings, visits, deeds, plan revisions and edits of them.

Every write checks scope (the household must be visible to the user) and validates through the
model's ``full_clean``; errors are ``ValidationError`` keyed by field, in Chinese.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from households.messages import Msg
from households.models import Deed, Household, Pairing, Plan, Visit
from tiers import services as tier_services
from tiers.choices import Role
from tiers.models import EditRequest, Person, RoleAssignment
from tiers.validators import validate_record_date

EDIT_REVIEW_POLICY = "record_edit_review_after_days"
EDIT_REVIEW_DEFAULT_DAYS = 30


def household_for(*, user: Any, household: Household) -> Household:
    """``household`` if the user may see it, else a ValidationError on ``household``."""
    if not Household.objects.visible_to(user).filter(pk=household.pk).exists():
        raise ValidationError({"household": Msg.OUT_OF_SCOPE})
    return household


def helper_for(*, user: Any, household: Household, day: datetime.date) -> Person:
    """Who the record is for: the user, if paired with the household on ``day``; for a clerk (a user
    holding a role other than helper: township or county staff entering on a helper's behalf), the
    helper paired with it on ``day``. A helper outside their pairing's dates is refused."""
    person = Person.objects.filter(user=user).first()
    if person is not None and Pairing.objects.filter(helper=person, household=household).current_on(day).exists():
        return person
    is_clerk = user.is_superuser or RoleAssignment.objects.filter(user=user).exclude(role=Role.HELPER).exists()
    if not is_clerk:
        raise ValidationError({"date": ValidationError(Msg.NOT_YOUR_PAIRING, params={"date": f"{day:%Y-%m-%d}"})})
    pairing = Pairing.objects.filter(household=household).current_on(day).select_related("helper").first()
    if pairing is None:
        raise ValidationError({"date": ValidationError(Msg.NOT_PAIRED, params={"date": f"{day:%Y-%m-%d}"})})
    return pairing.helper


def _log(model: type, *, user: Any, household: Household, date: datetime.date, **fields: Any) -> Any:
    household_for(user=user, household=household)
    validate_record_date(date, field="date", label=model._meta.get_field("date").verbose_name)
    helper = helper_for(user=user, household=household, day=date)
    record = model(helper=helper, household=household, date=date, entered_by=user, **fields)
    # full_clean() less its check that each foreign key's row exists: the helper, the household and the user
    # were just read (three queries on every visit saved).
    record.clean_fields(exclude=["helper", "household", "entered_by"])
    record.clean()
    record.validate_constraints()
    record._history_user = user
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:  # the same visit saved twice at once (a double tap): full_clean raced
        raise ValidationError(
            {"date": ValidationError(Msg.DUPLICATE_VISIT, params={"helper": helper.name, "date": f"{date:%Y-%m-%d}"})}
        ) from exc
    return record


@transaction.atomic
def visit_log(*, user: Any, household: Household, date: datetime.date, **findings: Any) -> Visit:
    """Record a 入户走访. ``findings``: industry, employment, education, medical, housing, water,
    problems, reported_to. The helper is the user, or the household's helper when a clerk enters it."""
    return _log(Visit, user=user, household=household, date=date, **findings)


@transaction.atomic
def deed_log(*, user: Any, household: Household, date: datetime.date, description: str) -> Deed:
    """Record a 实事好事 done for the household."""
    return _log(Deed, user=user, household=household, date=date, description=description)


@transaction.atomic
def plan_revise(*, user: Any, household: Household, date: datetime.date, year: int, **content: Any) -> Plan:
    """Record a revision of the household's 一户一策 plan (a new row; earlier revisions are kept)."""
    return _log(Plan, user=user, household=household, date=date, year=year, **content)


@transaction.atomic
def pairing_create(
    *, helper: Person, household: Household, start: datetime.date, end: datetime.date | None = None
) -> Pairing:
    """Pair a helper with a household (the household may have one helper at a time)."""
    pairing = Pairing(helper=helper, household=household, start=start, end=end)
    pairing.full_clean()
    pairing.save()
    return pairing


@transaction.atomic
def pairing_end(*, pairing: Pairing, end: datetime.date) -> Pairing:
    """End a pairing on ``end`` (inclusive); the row is kept as history."""
    pairing.end = end
    pairing.full_clean()
    pairing.save()
    return pairing


def edit_window_days() -> int:
    """Days after entry within which a record may be changed without review (policy)."""
    return int(tier_services.policy_value(EDIT_REVIEW_POLICY, EDIT_REVIEW_DEFAULT_DAYS))


@transaction.atomic
def record_update(
    *, user: Any, record: Visit | Deed | Plan, changes: dict[str, Any], reason: str = ""
) -> Visit | Deed | Plan | EditRequest:
    """Change a visit, deed or plan. Within the edit window the change is saved (history keeps the
    values before); after it, an edit request is filed for a reviewer and the record is unchanged."""
    if not type(record).objects.visible_to(user).filter(pk=record.pk).exists():
        raise ValidationError({"household": Msg.OUT_OF_SCOPE})
    record = (
        type(record).objects.select_related("household__village").get(pk=record.pk)
    )  # the caller's copy stays as it was
    changes = {name: value for name, value in changes.items() if getattr(record, name) != value}
    if not changes:
        raise ValidationError(Msg.NOTHING_CHANGED)
    if "date" in changes:
        validate_record_date(changes["date"], field="date", label=type(record)._meta.get_field("date").verbose_name)
    if timezone.now() - record.entered_at > datetime.timedelta(days=edit_window_days()):
        return tier_services.edit_request_create(
            user=user, record=record, changes=changes, place=record.household.village, reason=reason
        )
    for name, value in changes.items():
        setattr(record, name, value)
    record.full_clean()
    record._history_user = user
    record._change_reason = reason
    record.save()
    return record
