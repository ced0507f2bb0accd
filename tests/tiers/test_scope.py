"""Subtree scoping: a user sees the part of the hierarchy their roles cover, and nothing else."""

import datetime

import pytest
from django.urls import reverse

from tests import factories
from tiers import models
from tiers.choices import LeadingGroupKind, PostTitle, Role, UnitKind

pytestmark = pytest.mark.django_db
START = datetime.date(2019, 7, 31)


@pytest.fixture
def world(place_tree):
    """Units, people and assignments in two counties of two prefectures."""
    t = place_tree
    unit_a = factories.UnitFactory(code="XA", kind=UnitKind.COUNTY_UNIT, place=t["620123"])
    unit_b = factories.UnitFactory(code="XB", kind=UnitKind.COUNTY_UNIT, place=t["620521"])
    provincial = factories.UnitFactory(code="SP", kind=UnitKind.PROVINCIAL_ORGAN, place=t.province)
    person_a = factories.PersonFactory(code="PA", unit=unit_a)
    person_b = factories.PersonFactory(code="PB", unit=unit_b)
    models.Post.objects.create(person=person_a, title=PostTitle.PRINCIPAL, place=t["620123"], start=START)
    models.Post.objects.create(person=person_b, title=PostTitle.PRINCIPAL, place=t["620521"], start=START)
    models.GroupLeaderAssignment.objects.create(unit=provincial, county=t["620123"], start=START)
    models.GroupLeaderAssignment.objects.create(unit=provincial, county=t["620521"], start=START)
    models.AssistanceAssignment.objects.create(unit=provincial, village=t["620123101201"], start=START)
    models.AssistanceAssignment.objects.create(unit=provincial, village=t["620521101201"], start=START)
    models.LeadingGroup.objects.create(kind=LeadingGroupKind.COORDINATION, place=t["620123"], name="甲县领导小组")
    models.LeadingGroup.objects.create(kind=LeadingGroupKind.COORDINATION, place=t["620521"], name="乙县领导小组")
    return {"tree": t, "unit_a": unit_a, "unit_b": unit_b, "provincial": provincial}


def codes(qs, field="code"):
    return sorted(qs.values_list(field, flat=True))


def test_county_user_sees_its_county_and_nothing_else(world, user_with_role):
    t = world["tree"]
    user = user_with_role(Role.COUNTY_STAFF, place=t["620123"])

    assert codes(models.Place.objects.visible_to(user)) == ["620123", "620123101", "620123101201", "620123101202"]
    assert codes(models.Unit.objects.visible_to(user)) == ["XA"]
    assert codes(models.Person.objects.visible_to(user)) == ["PA"]
    assert codes(models.Post.objects.visible_to(user), "person__code") == ["PA"]
    assert codes(models.GroupLeaderAssignment.objects.visible_to(user), "county__code") == ["620123"]
    assert codes(models.AssistanceAssignment.objects.visible_to(user), "village__code") == ["620123101201"]
    assert list(models.LeadingGroup.objects.visible_to(user).values_list("name", flat=True)) == ["甲县领导小组"]


def test_prefecture_user_sees_both_its_counties(world, user_with_role):
    user = user_with_role(Role.PREFECTURE_STAFF, place=world["tree"]["620100"])
    counties = models.Place.objects.visible_to(user).filter(level="county")
    assert codes(counties) == ["620122", "620123"]
    assert "620521" not in codes(models.Place.objects.visible_to(user))


def test_provincial_group_sees_the_whole_province(world, user_with_role):
    user = user_with_role(Role.PROVINCIAL_GROUP, place=world["tree"].province)
    assert models.Place.objects.visible_to(user).count() == models.Place.objects.count()
    assert codes(models.Unit.objects.visible_to(user)) == ["SP", "XA", "XB"]


def test_unit_liaison_sees_its_unit_and_the_places_it_is_assigned_nothing_more(world, user_with_role):
    user = user_with_role(Role.UNIT_LIAISON, unit=world["provincial"])
    assert codes(models.Unit.objects.visible_to(user)) == ["SP"]
    assert codes(models.Person.objects.visible_to(user)) == []
    assert codes(models.AssistanceAssignment.objects.visible_to(user), "village__code") == [
        "620123101201",
        "620521101201",
    ]
    assert models.Place.objects.visible_to(user).count() == 0


def test_two_grants_add_up(world, user_with_role):
    t = world["tree"]
    user = user_with_role(Role.COUNTY_STAFF, place=t["620123"])
    from tiers import services

    services.role_grant(user=user, role=Role.COUNTY_STAFF, place=t["620521"])
    assert codes(models.Place.objects.visible_to(user).filter(level="county")) == ["620123", "620521"]


def test_group_grant_gives_scope_to_members(world):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    group = Group.objects.create(name="甲县工作组")
    assign_perm("tiers.role_county_staff", group, world["tree"]["620123"])
    user = factories.UserFactory()
    user.groups.add(group)
    assert codes(models.Place.objects.visible_to(user).filter(level="county")) == ["620123"]


def test_revoke_takes_scope_away(world, user_with_role):
    from tiers import services

    t = world["tree"]
    user = user_with_role(Role.COUNTY_STAFF, place=t["620123"])
    services.role_revoke(assignment=user.role_assignments.get())
    assert models.Place.objects.visible_to(user).count() == 0
    assert not user.groups.filter(name=Role.COUNTY_STAFF).exists()


def test_anonymous_and_inactive_users_see_nothing(world, user_with_role):
    from django.contrib.auth.models import AnonymousUser

    assert models.Place.objects.visible_to(AnonymousUser()).count() == 0
    user = user_with_role(Role.PROVINCIAL_GROUP, place=world["tree"].province)
    user.is_active = False
    assert models.Place.objects.visible_to(user).count() == 0


def test_a_prefix_of_digits_is_not_a_subtree(world, user_with_role):
    """Path prefixes are per tree step, so a grant never leaks to a sibling whose path shares characters."""
    t = world["tree"]
    user = user_with_role(Role.COUNTY_STAFF, place=t["620122"])
    assert "620123" not in codes(models.Place.objects.visible_to(user))


def test_scope_is_one_query(world, user_with_role, django_assert_num_queries):
    user = user_with_role(Role.COUNTY_STAFF, place=world["tree"]["620123"])
    with django_assert_num_queries(2):  # which kinds of scope the user has (once per user object), then the list
        list(models.Person.objects.visible_to(user))
    with django_assert_num_queries(1):
        list(models.Person.objects.visible_to(user))


# --- through the pages and the admin ----------------------------------------------------------------


def test_place_page_in_scope_and_404_outside(world, client, user_with_role):
    t = world["tree"]
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=t["620123"]))
    inside = client.get(reverse("place-detail", args=["620123"]))
    assert inside.status_code == 200
    assert "乡620123101" in inside.content.decode()
    assert client.get(reverse("place-detail", args=["620123101201"])).status_code == 200
    for code in ("620521", "620100", "620000", "620521101201"):
        assert client.get(reverse("place-detail", args=[code])).status_code == 404


def test_place_page_shows_children_in_scope_only(world, client, user_with_role):
    t = world["tree"]
    client.force_login(user_with_role(Role.PREFECTURE_STAFF, place=t["620100"]))
    page = client.get(reverse("place-detail", args=["620100"])).content.decode()
    assert "县620122" in page and "县620123" in page
    assert "县620521" not in page
    assert "甘肃省" not in page  # the province is above the grant: not shown in the breadcrumbs


def test_home_lists_the_granted_nodes(world, client, user_with_role):
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=world["tree"]["620123"]))
    page = client.get(reverse("home")).content.decode()
    assert "县620123" in page
    assert "县620521" not in page


def test_pages_need_a_login(client):
    for url in (reverse("home"), reverse("catalogue"), reverse("place-detail", args=["620000"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("model", "inside", "outside"),
    [
        ("place", "620123", "620521"),
        ("unit", "XA", "XB"),
        ("person", "PA", "PB"),
    ],
)
def test_admin_change_page_in_scope_and_404_outside(world, client, user_with_role, model, inside, outside):
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=world["tree"]["620123"]))
    model_cls = {"place": models.Place, "unit": models.Unit, "person": models.Person}[model]
    ok = model_cls.objects.get(code=inside)
    hidden = model_cls.objects.get(code=outside)
    assert client.get(reverse(f"admin:tiers_{model}_change", args=[ok.pk])).status_code == 200
    response = client.get(reverse(f"admin:tiers_{model}_change", args=[hidden.pk]))
    assert response.status_code in (302, 404)  # the admin redirects to the index for a missing object
    assert hidden.name not in response.content.decode()


def test_admin_changelist_is_scoped(world, client, user_with_role):
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=world["tree"]["620123"]))
    page = client.get(reverse("admin:tiers_person_changelist"))
    assert page.status_code == 200
    shown = [obj.code for obj in page.context["cl"].result_list]
    assert shown == ["PA"]


def test_admin_foreign_key_choices_are_scoped(world, client, user_with_role):
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=world["tree"]["620123"]))
    page = client.get(reverse("admin:tiers_person_add"))
    assert page.status_code == 200
    unit_field = page.context["adminform"].form.fields["unit"]
    assert [u.code for u in unit_field.queryset] == ["XA"]


def test_scope_kinds_reads_each_kind_of_grant_in_one_query(world, django_assert_num_queries):
    """What ``visible_to`` leaves out rests on these three flags: each must see direct and group grants of a
    role, and nothing else (an object permission that is not a role gives no scope)."""
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    from tiers.scope import scope_kinds, scope_kinds_clear

    t = world["tree"]
    nobody, on_place, via_group, on_unit, unit_via_group, not_a_role, person = (
        factories.UserFactory() for _ in range(7)
    )
    assign_perm("tiers.role_county_staff", on_place, t["620123"])
    place_group, unit_group = Group.objects.create(name="县组"), Group.objects.create(name="单位组")
    assign_perm("tiers.role_county_staff", place_group, t["620521"])
    via_group.groups.add(place_group)
    assign_perm("tiers.role_unit_liaison", on_unit, world["unit_a"])
    assign_perm("tiers.role_unit_liaison", unit_group, world["unit_b"])
    unit_via_group.groups.add(unit_group)
    assign_perm("tiers.change_place", not_a_role, t["620123"])
    factories.PersonFactory(code="PX", unit=world["unit_a"], user=person)

    expected = {
        nobody: (False, False, False),
        on_place: (True, False, False),
        via_group: (True, False, False),
        on_unit: (False, True, False),
        unit_via_group: (False, True, False),
        not_a_role: (False, False, False),
        person: (False, False, True),
    }
    for user, kinds in expected.items():
        scope_kinds_clear(user)
        with django_assert_num_queries(1):
            assert scope_kinds(user) == kinds
            assert scope_kinds(user) == kinds  # kept on the user object: no second query
