"""Roles: groups of model permissions (what) and guardian grants on nodes (where), made in the admin."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from guardian.shortcuts import get_perms

from tests import factories
from tiers import models, services
from tiers.choices import Role
from tiers.roles import ROLE_MODEL_PERMISSIONS

pytestmark = pytest.mark.django_db


def test_every_role_has_its_group_with_exactly_its_permissions():
    for role in Role:
        group = Group.objects.get(name=role.value)
        codenames = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        if role == Role.ADMINISTRATOR:
            codenames = {c.split(".")[1] for c in codenames}
            assert {"change_rule", "add_place", "delete_unit", "change_policy"} <= codenames
            assert not any(c.startswith("role_") for c in codenames)
        else:
            assert codenames == set(ROLE_MODEL_PERMISSIONS[role])


def test_grant_gives_group_and_object_permission_and_is_idempotent(place_tree):
    user = factories.UserFactory()
    county = place_tree["620123"]
    first = services.role_grant(user=user, role=Role.COUNTY_STAFF, place=county)
    again = services.role_grant(user=user, role=Role.COUNTY_STAFF, place=county)
    assert first.pk == again.pk
    assert get_perms(user, county) == ["role_county_staff"]
    assert user.groups.filter(name="county_staff").exists()
    user.refresh_from_db()
    assert user.is_staff
    assert user.has_perm("tiers.change_person") and not user.has_perm("tiers.change_rule")


def test_revoking_one_of_two_grants_keeps_the_group(place_tree):
    user = factories.UserFactory()
    a = services.role_grant(user=user, role=Role.COUNTY_STAFF, place=place_tree["620123"])
    services.role_grant(user=user, role=Role.COUNTY_STAFF, place=place_tree["620122"])
    services.role_revoke(assignment=a)
    assert user.groups.filter(name="county_staff").exists()
    assert get_perms(user, place_tree["620123"]) == []
    assert get_perms(user, place_tree["620122"]) == ["role_county_staff"]


def test_administrator_grants_a_role_in_the_admin(client, place_tree):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    staff = factories.UserFactory(username="xian")
    client.force_login(admin)
    response = client.post(
        reverse("admin:tiers_roleassignment_add"),
        {"user": staff.pk, "role": "county_staff", "place": place_tree["620123"].pk},
    )
    assert response.status_code == 302
    assignment = models.RoleAssignment.objects.get(user=staff)
    assert assignment.granted_by == admin and assignment.granted_at is not None
    assert models.Place.objects.visible_to(staff).filter(level="county").get().code == "620123"

    response = client.post(reverse("admin:tiers_roleassignment_delete", args=[assignment.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert models.Place.objects.visible_to(staff).count() == 0
    assert not staff.groups.exists()


def test_county_staff_cannot_grant_roles(client, place_tree, user_with_role):
    client.force_login(user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"]))
    assert client.get(reverse("admin:tiers_roleassignment_add")).status_code == 403


def test_guardian_object_permission_screen_for_a_place(client, place_tree):
    client.force_login(factories.UserFactory(username="root2", is_staff=True, is_superuser=True))
    county = place_tree["620123"]
    page = client.get(reverse("admin:tiers_place_permissions", args=[county.pk]))
    assert page.status_code == 200
    assert "role_county_staff" in page.content.decode() or "县（市、区）工作人员" in page.content.decode()


def test_helper_role_needs_a_person(place_tree):
    from django.core.exceptions import ValidationError

    user = factories.UserFactory()
    with pytest.raises(ValidationError):
        services.role_grant(user=user, role=Role.HELPER)
    factories.PersonFactory(user=user)
    services.role_grant(user=user, role=Role.HELPER)
    assert user.groups.filter(name="helper").exists()
