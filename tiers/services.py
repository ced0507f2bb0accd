"""Writes of the tiers app: typed, keyword-only, validating, returning the object."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from guardian.shortcuts import assign_perm, remove_perm

from tiers import models, selectors
from tiers.choices import PlaceLevel, Role
from tiers.messages import Msg
from tiers.roles import ROLE_NODE, STAFF_ROLES, role_codename
from tiers.scope import scope_kinds_clear


@transaction.atomic
def place_create(
    *,
    parent: models.Place | None,
    code: str,
    name: str,
    level: str,
    longitude: Decimal | None = None,
    latitude: Decimal | None = None,
) -> models.Place:
    """Add a place under ``parent`` (a root when None), after checking its level and code."""
    place = models.Place(code=code, name=name, level=level, longitude=longitude, latitude=latitude)
    place.validate_placement(parent)
    place.full_clean(exclude=["path", "depth", "numchild"])
    if parent is None:
        return models.Place.objects.add_root(instance=place)
    return models.Place.objects.add_child(parent, instance=place)


@transaction.atomic
def place_update(
    *, place: models.Place, name: str, code: str, longitude: Any = None, latitude: Any = None
) -> models.Place:
    """Rename or re-code a place (its position in the tree is kept)."""
    place.name, place.code, place.longitude, place.latitude = name, code, longitude, latitude
    parent = models.Place.objects.get_parent(place)
    place.validate_placement(parent)
    place.full_clean(exclude=["path", "depth", "numchild"])
    place.save()
    return place


def role_group(role: str) -> Group:
    """The Django group holding the model permissions of ``role``."""
    return Group.objects.get(name=role)


def role_validate(*, user: Any, role: str, place: models.Place | None, unit: models.Unit | None) -> None:
    """Check that the node fits the role (a county role on a county, a liaison on a unit, …)."""
    node = ROLE_NODE[Role(role)]
    label = Role(role).label
    if node == "unit":
        if unit is None or place is not None:
            raise ValidationError({"unit": ValidationError(Msg.ROLE_NEEDS_UNIT, params={"role": label})})
    elif node is None:
        if user is not None and not models.Person.objects.filter(user=user).exists():
            raise ValidationError({"user": ValidationError(Msg.ROLE_NEEDS_PERSON)})
    elif place is None or unit is not None or place.level != node:
        raise ValidationError(
            {"place": ValidationError(Msg.ROLE_NEEDS_PLACE, params={"role": label, "level": PlaceLevel(node).label})}
        )


@transaction.atomic
def role_grant(
    *,
    user: Any,
    role: str,
    place: models.Place | None = None,
    unit: models.Unit | None = None,
    granted_by: Any = None,
) -> models.RoleAssignment:
    """Give ``user`` a role on a node: group membership (what) plus a guardian grant (where).

    Idempotent: granting the same role on the same node again returns the existing assignment.
    """
    role_validate(user=user, role=role, place=place, unit=unit)
    assignment, _created = models.RoleAssignment.objects.get_or_create(
        user=user, role=role, place=place, unit=unit, defaults={"granted_by": granted_by}
    )
    node = place or unit
    if node is not None:
        assign_perm(f"tiers.{role_codename(role)}", user, node)
    user.groups.add(role_group(role))
    scope_kinds_clear(user)
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return assignment


@transaction.atomic
def role_revoke(*, assignment: models.RoleAssignment) -> None:
    """Take a role grant back; the group membership goes when no grant of that role remains."""
    user, role = assignment.user, assignment.role
    node = assignment.place or assignment.unit
    if node is not None:
        remove_perm(f"tiers.{role_codename(role)}", user, node)
    assignment.delete()
    if not models.RoleAssignment.objects.filter(user=user, role=role).exists():
        user.groups.remove(role_group(role))
    scope_kinds_clear(user)


@transaction.atomic
def places_bulk_create(*, rows: list[dict[str, Any]]) -> int:
    """Create many places at once, parents first: each row has code, name, level, parent_code.

    Parents may exist already or come earlier in ``rows``. Children are appended under a parent in
    code order (``node_order_by``), so a parent that already has children gets its new ones one by
    one through treebeard; a new subtree is written with ``bulk_create`` (materialised paths are
    computed here), which is what makes a province of 16,000 villages load in seconds.
    """
    by_code: dict[str, models.Place] = {}
    new_children: dict[str, int] = {}
    pending: list[models.Place] = []
    existing_codes = {r["parent_code"] for r in rows if r.get("parent_code")} | {r["code"] for r in rows}
    by_code.update({p.code: p for p in models.Place.objects.filter(code__in=existing_codes)})
    for row in sorted(rows, key=lambda r: (choices_depth(r["level"]), r["code"])):
        if row["code"] in by_code:
            continue
        parent = by_code.get(row.get("parent_code") or "")
        place = models.Place(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            longitude=row.get("longitude") or None,
            latitude=row.get("latitude") or None,
        )
        place.validate_placement(parent, check_taken=False)  # existing codes were skipped above
        if parent is not None and parent.pk and parent.numchild and parent.code not in new_children:
            by_code[place.code] = models.Place.objects.add_child(models.Place.objects.get(pk=parent.pk), instance=place)
            continue
        parent_key = parent.code if parent is not None else ""
        index = new_children.get(parent_key, 0) + 1
        if parent is None:
            index += models.Place.objects.get_root_nodes().count()
        new_children[parent_key] = index
        place.depth = parent.depth + 1 if parent is not None else 1
        place.path = models.Place._get_path(parent.path if parent is not None else "", place.depth, index)
        place.numchild = 0
        by_code[place.code] = place
        pending.append(place)
    models.Place.objects.bulk_create(pending, batch_size=2000)
    for code, count in new_children.items():
        if code:
            models.Place.objects.filter(code=code).update(numchild=F("numchild") + count)
    return len(pending)


def choices_depth(level: str) -> int:
    """Depth of a level in the tree (province 1 … village 5)."""
    from tiers.choices import LEVEL_ORDER

    return LEVEL_ORDER.index(level) + 1


def policy_value(key: str, default: Decimal | int) -> Decimal:
    """A policy value from the catalogue (editable by an administrator), or ``default`` if absent."""
    value = models.Policy.objects.filter(key=key).values_list("value", flat=True).first()
    return Decimal(default) if value is None else value


def _field_values(record: Any, fields: list[str]) -> dict[str, Any]:
    return {name: record._meta.get_field(name).value_to_string(record) for name in fields}


@transaction.atomic
def edit_request_create(
    *, user: Any, record: Any, changes: dict[str, Any], place: models.Place, reason: str = ""
) -> models.EditRequest:
    """File a change to ``record`` for review, keeping the values before. ``changes`` maps fields to new values."""
    from django.contrib.contenttypes.models import ContentType

    probe = type(record).objects.get(pk=record.pk)
    for name, value in changes.items():
        setattr(probe, name, value)
    probe.full_clean()  # refuse now what would be refused on approval
    serialised = _field_values(probe, list(changes))
    return models.EditRequest.objects.create(
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        place=place,
        changes=serialised,
        previous=_field_values(record, list(changes)),
        reason=reason,
        requested_by=user,
    )


@transaction.atomic
def edit_request_decide(
    *, request: models.EditRequest, reviewer: Any, approve: bool, note: str = ""
) -> models.EditRequest:
    """Approve (apply the change, kept in the record's history) or reject a pending edit request."""
    from django.utils import timezone

    if not reviewer.has_perm("tiers.review_editrequest") or not (
        models.EditRequest.objects.visible_to(reviewer).filter(pk=request.pk, place__isnull=False).exists()
        and models.Place.objects.visible_to(reviewer).filter(pk=request.place_id).exists()
    ):
        raise ValidationError(Msg.REVIEW_NOT_ALLOWED)
    request = models.EditRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != models.EditRequestStatus.PENDING:
        raise ValidationError(Msg.REVIEW_DONE)
    if request.requested_by_id == reviewer.pk:
        raise ValidationError(Msg.REVIEW_OWN_REQUEST)
    if not approve and not note.strip():
        raise ValidationError({"review_note": Msg.REJECT_NEEDS_NOTE})
    if approve:
        record = request.target
        for name, value in request.changes.items():
            field = record._meta.get_field(name)
            setattr(record, field.attname, field.to_python(value))
        record.full_clean()
        record._history_user = reviewer
        record._change_reason = f"经审核批准（申请人 {request.requested_by}）"
        record.save()
    request.status = models.EditRequestStatus.APPROVED if approve else models.EditRequestStatus.REJECTED
    request.reviewed_by, request.reviewed_at, request.review_note = reviewer, timezone.now(), note
    request.save()
    return request


@transaction.atomic
def duty_record_log(
    *,
    user: Any,
    kinds: list[models.DutyRecordKind],
    date: Any,
    title: str,
    place: models.Place | None = None,
    unit: models.Unit | None = None,
    person: models.Person | None = None,
    participants: list[models.Person] | None = None,
    minutes: str = "",
    attachment: Any = None,
) -> models.DutyRecord:
    """Record a meeting, study session, inspection, visit, letter or submission of tiers 2–8.

    Each kind says what the record must name (``record_kinds.RECORD_KINDS``: the place of a level, the
    unit, the presiding or visiting leader); the place or unit must be in the user's scope. One record
    may have several kinds (a joint meeting) and counts once for each of their rules.
    """
    from tiers.catalogue.record_kinds import RECORD_KINDS

    needs = {row["code"]: row["needs"] for row in RECORD_KINDS}
    errors: dict[str, list[ValidationError]] = {}
    for kind in kinds:
        missing = []
        for need in needs.get(kind.code, []):
            what, _, level = need.partition(":")
            if what == "place" and (place is None or place.level != level):
                missing.append(f"{PlaceLevel(level).label}（所涉行政区划）")
            elif what == "unit" and unit is None:
                missing.append("单位")
            elif what == "person" and person is None:
                missing.append("主持或调研的领导")
        if missing:
            errors.setdefault("__all__", []).append(
                ValidationError(Msg.KIND_SUBJECT, params={"kind": kind.name, "fields": "、".join(missing)})
            )
    # Every object the record names must be one the user may reference: a unit in scope (or assigned in
    # it), a place in scope (or, for a unit in scope, a county it leads or a village it assists), people
    # of the scope. An out-of-scope place is never excused by an in-scope unit: it is what gets credited.
    if place is not None and not selectors.places_referenceable(user=user, unit=unit).filter(pk=place.pk).exists():
        errors.setdefault("place", []).append(ValidationError(Msg.RECORD_OUT_OF_SCOPE))
    if unit is not None and not selectors.units_referenceable(user=user).filter(pk=unit.pk).exists():
        errors.setdefault("unit", []).append(ValidationError(Msg.RECORD_OUT_OF_SCOPE))
    named = [person] if person is not None else []
    named_ok = set(
        selectors.persons_referenceable(user=user)
        .filter(pk__in=[p.pk for p in [*named, *(participants or [])]])
        .values_list("pk", flat=True)
    )
    if person is not None and person.pk not in named_ok:
        errors.setdefault("person", []).append(ValidationError(Msg.PERSON_OUT_OF_SCOPE, params={"names": person.name}))
    if outside := [p.name for p in participants or [] if p.pk not in named_ok]:
        errors.setdefault("participants", []).append(
            ValidationError(Msg.PERSON_OUT_OF_SCOPE, params={"names": "、".join(outside)})
        )
    record = models.DutyRecord(
        date=date,
        title=title,
        place=place,
        unit=unit,
        person=person,
        minutes=minutes,
        attachment=attachment or "",
        entered_by=user,
    )
    try:
        record.full_clean()
    except ValidationError as exc:
        for field, field_errors in exc.error_dict.items():
            errors.setdefault(field, []).extend(field_errors)
    if not kinds:
        errors.setdefault("kinds", []).append(ValidationError(Msg.RECORD_NEEDS_KIND))
    if errors:
        raise ValidationError(errors)
    record._history_user = user
    record.save()
    record.kinds.set(kinds)
    record.participants.set(participants or [])
    return record
