"""Issue 17's findings on writes, separation of duties and side lists, each kept as a regression test.

County staff of 620123 (榆中县 in the report) try, through the admin and the services, to write into county
620521 (清水县): every attempt is refused and writes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, RequestFactory
from django.urls import reverse

from accountability.escalation import services as escalation_services
from accountability.models import Action
from tests import factories
from tiers import models as tm
from tiers import services
from tiers.admin import ScopedAdmin, ScopedInline
from tiers.choices import GroupRole, LeadingGroupKind, Role, UnitKind

D = datetime.date
OUR_APPS = {"tiers", "households", "villagecorps", "accountability", "rosters"}


@pytest.fixture
def county(place_tree: factories.Tree) -> Any:
    return factories.user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"], username="yuzhong")


@pytest.fixture
def own_person(place_tree: factories.Tree) -> tm.Person:
    unit = factories.UnitFactory(code="YZ-UNIT", kind=UnitKind.COUNTY_UNIT, place=place_tree["620123"])
    return factories.PersonFactory(code="YZ-1", unit=unit)


def request_of(user: Any) -> Any:
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_inline_of_the_admin_is_scoped() -> None:
    """No plain ``TabularInline`` escapes the scoped base (the posts inline accepted another county)."""
    plain = [
        f"{model._meta.label}: {inline.__name__}"
        for model, model_admin in admin.site._registry.items()
        for inline in model_admin.inlines
        if model._meta.app_label in OUR_APPS and not issubclass(inline, ScopedInline)
    ]
    assert plain == []


def test_a_persons_login_is_linked_by_administrators_only(county: Any, own_person: tm.Person) -> None:
    """Finding 1: yuzhong linked their own login to a person of their county and inherited its access."""
    person_admin = admin.site._registry[tm.Person]
    assert "user" in person_admin.get_readonly_fields(request_of(county), own_person)
    superuser = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    assert "user" not in person_admin.get_readonly_fields(request_of(superuser), own_person)
    client = Client()
    client.force_login(county)
    url = reverse("admin:tiers_person_change", args=[own_person.pk])
    data = {
        "code": own_person.code,
        "name": own_person.name,
        "rank": own_person.rank,
        "unit": own_person.unit_id,
        "title": "",
        "phone": "",
        "user": county.pk,
        "posts-TOTAL_FORMS": "0",
        "posts-INITIAL_FORMS": "0",
    }
    client.post(url, data)
    own_person.refresh_from_db()
    assert own_person.user_id is None


def test_the_posts_inline_offers_only_places_in_scope(county: Any, own_person: tm.Person, place_tree: Any) -> None:
    """Finding 1: a post 党委书记 on 清水县 was accepted through the person's inline."""
    person_admin = admin.site._registry[tm.Person]
    request = request_of(county)
    (formset_class, _inline), *_ = list(person_admin.get_formsets_with_inlines(request, own_person))
    places = formset_class.form.base_fields["place"].queryset
    assert places.filter(code="620123").exists()
    assert not places.filter(code="620521").exists()


def test_a_leading_group_member_of_another_county_is_refused(county: Any, own_person: tm.Person, place_tree) -> None:
    """Finding 1: /admin/tiers/leadinggroupmember/add/ accepted a member into 清水县's leading group."""
    group = tm.LeadingGroup.objects.create(
        kind=LeadingGroupKind.COORDINATION, place=place_tree["620521"], name="清水县协调领导小组"
    )
    client = Client()
    client.force_login(county)
    response = client.post(
        reverse("admin:tiers_leadinggroupmember_add"),
        {"group": group.pk, "person": own_person.pk, "role": GroupRole.MEMBER, "start": "2019-01-01", "end": ""},
    )
    assert response.status_code == 200
    assert "group" in response.context["adminform"].form.errors
    assert not tm.LeadingGroupMember.objects.exists()


def test_a_save_re_checks_every_reference(county: Any, own_person: tm.Person, place_tree: Any) -> None:
    """The last check before an admin save refuses a reference the form should never have let through."""
    post = tm.Post(person=own_person, place=place_tree["620521"], title="party_secretary", start=D(2019, 1, 1))
    with pytest.raises(PermissionDenied):
        ScopedAdmin(tm.Post, admin.site).save_model(request_of(county), post, None, False)
    assert not tm.Post.objects.exists()


def test_a_duty_record_cannot_credit_another_county(county: Any, place_tree: Any) -> None:
    """Finding 2: place=620521 with a unit of 620123 created a county meeting crediting 清水县's R07.2."""
    unit = factories.UnitFactory(code="YZ-U2", kind=UnitKind.COUNTY_UNIT, place=place_tree["620123"])
    kind = tm.DutyRecordKind.objects.get(code="county-promotion-meeting")
    with pytest.raises(ValidationError) as refused:
        services.duty_record_log(
            user=county, kinds=[kind], date=D(2019, 5, 1), title="推进会", place=place_tree["620521"], unit=unit
        )
    assert "place" in refused.value.error_dict
    stranger = factories.PersonFactory(code="QS-1", unit=factories.UnitFactory(code="QS", place=place_tree["620521"]))
    with pytest.raises(ValidationError) as refused:
        services.duty_record_log(
            user=county,
            kinds=[kind],
            date=D(2019, 5, 1),
            title="推进会",
            place=place_tree["620123"],
            participants=[stranger],
        )
    assert "participants" in refused.value.error_dict
    assert not tm.DutyRecord.objects.exists()


def test_the_accused_cannot_decide_their_own_action(county: Any, own_person: tm.Person) -> None:
    """Finding 3: a county-staff user who was a target could confirm, waive or accept their own 申辩."""
    own_person.user = county
    own_person.save()
    assert escalation_services.concerns_self(county, Action(person=own_person))
    assert escalation_services.concerns_self(county, Action(unit=own_person.unit))
    assert not escalation_services.concerns_self(county, Action(pk=-1, unit=factories.UnitFactory(code="OTHER")))
