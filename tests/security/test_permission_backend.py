"""The project's model backend reads a user's permissions in one query and answers as Django's does."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group, Permission

from accountability.auth import ModelBackend
from tests import factories

pytestmark = pytest.mark.django_db


def _perm(codename: str) -> Permission:
    return Permission.objects.get(codename=codename)


def _fresh(user: Any) -> Any:
    return type(user).objects.get(pk=user.pk)  # no permission cache from an earlier call


def test_same_permissions_as_djangos_backend_in_one_query(django_assert_num_queries: Any) -> None:
    user = factories.UserFactory()
    user.user_permissions.add(_perm("add_visit"))
    clerks, reviewers = Group.objects.create(name="录入"), Group.objects.create(name="审核")
    clerks.permissions.add(_perm("add_dutyday"), _perm("add_visit"))  # also held directly: counted once
    reviewers.permissions.add(_perm("review_editrequest"))
    user.groups.add(clerks, reviewers)
    Group.objects.create(name="别组").permissions.add(_perm("delete_visit"))  # not the user's group

    expected = DjangoModelBackend().get_all_permissions(_fresh(user))
    assert expected == {"households.add_visit", "villagecorps.add_dutyday", "tiers.review_editrequest"}
    user = _fresh(user)
    with django_assert_num_queries(1):
        assert ModelBackend().get_all_permissions(user) == expected
        assert user.has_perm("tiers.review_editrequest") and not user.has_perm("households.delete_visit")
        assert user.has_module_perms("villagecorps") and not user.has_module_perms("rosters")


@pytest.mark.parametrize("case", ["inactive", "object"])
def test_no_permissions_for_an_inactive_user_or_an_object(case: str) -> None:
    user = factories.UserFactory(is_active=case != "inactive")
    user.user_permissions.add(_perm("add_visit"))
    obj = object() if case == "object" else None
    assert ModelBackend().get_all_permissions(_fresh(user), obj) == set()


def test_superuser_has_every_permission() -> None:
    admin = factories.UserFactory(is_superuser=True)
    assert ModelBackend().get_all_permissions(_fresh(admin)) == DjangoModelBackend().get_all_permissions(admin)
    assert len(ModelBackend().get_all_permissions(_fresh(admin))) == Permission.objects.count()
