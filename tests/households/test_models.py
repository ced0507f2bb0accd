"""Models of the households app: validation of households, pairings and records, and scoping."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from households.choices import HouseholdStatus
from households.messages import Msg
from households.models import Deed, Household, Pairing, Plan, Visit
from tests import factories
from tests.households.factories import DeedFactory, HouseholdFactory, PairingFactory, PlanFactory, VisitFactory
from tiers import services as tier_services
from tiers.choices import Role, UnitKind
from tiers.messages import Msg as TierMsg

pytestmark = pytest.mark.django_db

D = datetime.date


def errors_of(obj: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        obj.full_clean()
    return exc.value.message_dict


# --- Household.clean ---------------------------------------------------------------------------------


def household(place_tree: Any, **fields: Any) -> Household:
    values = {"code": "620122101201-001", "head_name": "王五", "village": place_tree["620122101201"]}
    values.update(fields)
    return Household(**values)


def test_a_valid_household(place_tree):
    h = household(place_tree)
    h.full_clean()
    assert (h.status, h.exit_year, h.members) == (HouseholdStatus.POOR, None, 1)
    h.save()
    assert str(h) == "王五户（620122101201-001）"


@pytest.mark.parametrize("code", ["620122101", "620122", "620000"])
def test_village_must_be_a_village(place_tree, code):
    assert errors_of(household(place_tree, village=place_tree[code])) == {"village": ["户所在地必须是村级行政区划。"]}


def test_lifted_needs_an_exit_year(place_tree):
    assert errors_of(household(place_tree, status=HouseholdStatus.LIFTED)) == {"exit_year": [str(Msg.EXIT_YEAR_NEEDED)]}


def test_poor_must_not_have_an_exit_year(place_tree):
    assert errors_of(household(place_tree, exit_year=2019)) == {"exit_year": [str(Msg.EXIT_YEAR_ONLY_LIFTED)]}


@pytest.mark.parametrize("status", [HouseholdStatus.LIFTED, HouseholdStatus.MONITORED])
def test_exit_year_range(place_tree, status):
    this_year = timezone.localdate().year
    for year in (2012, this_year + 1):
        assert errors_of(household(place_tree, status=status, exit_year=year)) == {
            "exit_year": ["脱贫年度应在 2013 年至今之间。"]
        }
    for year in (2013, 2019, this_year):
        household(place_tree, status=status, exit_year=year).full_clean()


def test_monitored_may_have_no_exit_year(place_tree):
    household(place_tree, status=HouseholdStatus.MONITORED).full_clean()


def test_code_and_members_are_validated(place_tree):
    assert errors_of(household(place_tree, code="h-1", members=0)) == {
        "code": [str(Msg.HOUSEHOLD_CODE)],
        "members": [str(Msg.MEMBERS_MIN)],
    }


def test_indicators_in_the_documents_order(place_tree):
    h = household(place_tree, education_ok=True, water_note="自来水入户")
    assert h.indicators() == [
        ("不愁吃、不愁穿", False, ""),
        ("义务教育有保障", True, ""),
        ("基本医疗有保障", False, ""),
        ("住房安全有保障", False, ""),
        ("饮水安全有保障", False, "自来水入户"),
    ]


# --- Pairing.clean -----------------------------------------------------------------------------------


def test_pairing_dates_in_order(place_tree):
    pairing = PairingFactory.build(
        helper=factories.PersonFactory(), household=HouseholdFactory(), start=D(2019, 5, 1), end=D(2019, 4, 30)
    )
    assert errors_of(pairing) == {"end": [str(TierMsg.DATES_ORDER)]}


def test_pairing_may_follow_another_but_not_overlap_it(place_tree):
    first = PairingFactory(start=D(2019, 1, 1), end=D(2019, 6, 30))
    other = factories.PersonFactory(name="赵六")
    Pairing(helper=other, household=first.household, start=D(2019, 7, 1)).full_clean()
    overlapping = Pairing(helper=other, household=first.household, start=D(2019, 6, 30))
    assert errors_of(overlapping) == {
        "__all__": [str(Msg.PAIRING_OVERLAP) % {"other": f"{first.helper.name}，自2019-01-01"}]
    }
    # Editing the row itself is not an overlap with itself.
    first.end = D(2019, 8, 31)
    first.full_clean()


def test_one_helper_may_have_many_households(place_tree):
    first = PairingFactory(start=D(2019, 1, 1))
    Pairing(helper=first.helper, household=HouseholdFactory(), start=D(2019, 1, 1)).full_clean()


# --- records -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("factory", [VisitFactory, DeedFactory, PlanFactory])
def test_record_must_fall_inside_the_helpers_pairing(place_tree, factory):
    pairing = PairingFactory(start=D(2019, 1, 1), end=D(2019, 6, 30))
    record = factory.build(pairing=pairing, date=D(2019, 7, 1), year=2019) if factory is PlanFactory else None
    record = record or factory.build(pairing=pairing, date=D(2019, 7, 1))
    assert errors_of(record) == {
        "date": [str(Msg.HELPER_NOT_PAIRED) % {"date": "2019-07-01", "helper": pairing.helper.name}]
    }
    record.date = D(2019, 6, 30)
    record.full_clean()


def test_record_date_not_in_the_future(place_tree):
    pairing = PairingFactory(start=D(2019, 1, 1))
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert errors_of(VisitFactory.build(pairing=pairing, date=tomorrow)) == {
        "date": [str(Msg.FUTURE_DATE) % {"today": f"{timezone.localdate():%Y-%m-%d}"}]
    }


def test_duplicate_visit_names_the_helper_and_the_day(place_tree):
    pairing = PairingFactory(start=D(2019, 1, 1), helper=factories.PersonFactory(name="孙七"))
    saved = VisitFactory(pairing=pairing, date=D(2019, 5, 1))
    saved.full_clean()  # the saved row is not a duplicate of itself
    assert errors_of(VisitFactory.build(pairing=pairing, date=D(2019, 5, 1))) == {
        "date": ["孙七 在 2019-05-01 已记录过对该户的走访，同一天不能重复记录。"]
    }


def test_deed_needs_a_description(place_tree):
    deed = DeedFactory.build(pairing=PairingFactory(start=D(2019, 1, 1)), date=D(2019, 5, 1), description=" \n")
    assert errors_of(deed) == {"description": [str(Msg.DEED_TEXT)]}


def test_plan_year(place_tree):
    pairing = PairingFactory(start=D(2019, 1, 1))
    PlanFactory.build(pairing=pairing, date=D(2019, 12, 20), year=2020).full_clean()
    assert errors_of(PlanFactory.build(pairing=pairing, date=D(2019, 12, 20), year=2021)) == {
        "year": [str(Msg.PLAN_YEAR)]
    }


# --- scoping -------------------------------------------------------------------------------------------


@pytest.fixture
def world(place_tree: Any) -> dict[str, Any]:
    """Households in township 620122101 (villages 201, 202) and in township 620123101 (other county).

    Helper A (unit UA) was paired with household 1 until June and is paired with household 2;
    helper B (unit UB) took household 1 over and has household 3 in the other county.
    """
    t = place_tree
    unit_a = factories.UnitFactory(code="UA", kind=UnitKind.COUNTY_UNIT, place=t["620122"])
    unit_b = factories.UnitFactory(code="UB", kind=UnitKind.PROVINCIAL_ORGAN, place=t.province)
    user_a = factories.UserFactory(password=None)
    a = factories.PersonFactory(unit=unit_a, user=user_a)
    b = factories.PersonFactory(unit=unit_b)
    h1 = HouseholdFactory(code="H1", village=t["620122101201"])
    h2 = HouseholdFactory(code="H2", village=t["620122101202"])
    h3 = HouseholdFactory(code="H3", village=t["620123101201"])
    HouseholdFactory(code="H4", village=t["620521101201"])
    p1a = PairingFactory(helper=a, household=h1, start=D(2019, 1, 1), end=D(2019, 6, 30))
    p1b = PairingFactory(helper=b, household=h1, start=D(2019, 7, 1))
    p2a = PairingFactory(helper=a, household=h2, start=D(2019, 1, 1))
    p3b = PairingFactory(helper=b, household=h3, start=D(2019, 1, 1))
    VisitFactory(pairing=p1a, date=D(2019, 3, 1))
    VisitFactory(pairing=p1b, date=D(2019, 8, 1))
    VisitFactory(pairing=p2a, date=D(2019, 3, 1))
    VisitFactory(pairing=p3b, date=D(2019, 3, 1))
    DeedFactory(pairing=p2a, date=D(2019, 4, 1))
    PlanFactory(pairing=p3b, date=D(2019, 2, 1))
    return {"tree": t, "unit_a": unit_a, "unit_b": unit_b, "user_a": user_a, "a": a, "b": b}


def codes(qs: Any, field: str = "code") -> list[str]:
    return sorted(qs.values_list(field, flat=True))


def visits(qs: Any) -> list[tuple[str, str]]:
    return sorted((v.household.code, f"{v.date:%m-%d}") for v in qs.select_related("household"))


def test_helper_sees_the_households_they_are_or_were_paired_with(world):
    tier_services.role_grant(user=world["user_a"], role=Role.HELPER)
    user = world["user_a"]

    assert codes(Household.objects.visible_to(user)) == ["H1", "H2"]
    assert codes(Pairing.objects.visible_to(user), "household__code") == ["H1", "H2"]
    assert visits(Visit.objects.visible_to(user)) == [("H1", "03-01"), ("H2", "03-01")]  # not B's visit to H1
    assert codes(Deed.objects.visible_to(user), "household__code") == ["H2"]
    assert codes(Plan.objects.visible_to(user), "household__code") == []


def test_a_user_who_is_no_helper_sees_nothing(world):
    user = factories.UserFactory(password=None)
    assert not Household.objects.visible_to(user).exists()
    assert not Visit.objects.visible_to(user).exists()


def test_township_staff_sees_their_township_only(world, user_with_role):
    user = user_with_role(Role.TOWNSHIP_STAFF, place=world["tree"]["620122101"], password=None)

    assert codes(Household.objects.visible_to(user)) == ["H1", "H2"]
    assert codes(Pairing.objects.visible_to(user), "household__code") == ["H1", "H1", "H2"]
    assert visits(Visit.objects.visible_to(user)) == [("H1", "03-01"), ("H1", "08-01"), ("H2", "03-01")]
    assert codes(Plan.objects.visible_to(user), "household__code") == []


def test_county_staff_of_the_other_county(world, user_with_role):
    user = user_with_role(Role.COUNTY_STAFF, place=world["tree"]["620123"], password=None)
    assert codes(Household.objects.visible_to(user)) == ["H3"]
    assert codes(Plan.objects.visible_to(user), "household__code") == ["H3"]


def test_unit_liaison_sees_the_pairings_and_records_of_their_units_helpers(world, user_with_role):
    user = user_with_role(Role.UNIT_LIAISON, unit=world["unit_b"], password=None)

    assert codes(Pairing.objects.visible_to(user), "household__code") == ["H1", "H3"]
    assert set(Pairing.objects.visible_to(user).values_list("helper", flat=True)) == {world["b"].pk}
    assert visits(Visit.objects.visible_to(user)) == [("H1", "08-01"), ("H3", "03-01")]
    assert codes(Plan.objects.visible_to(user), "household__code") == ["H3"]
    assert codes(Deed.objects.visible_to(user), "household__code") == []

    other = user_with_role(Role.UNIT_LIAISON, unit=world["unit_a"], password=None)
    assert codes(Pairing.objects.visible_to(other), "household__code") == ["H1", "H2"]
    assert visits(Visit.objects.visible_to(other)) == [("H1", "03-01"), ("H2", "03-01")]


def test_the_province_sees_everything(world, user_with_role):
    user = user_with_role(Role.PROVINCIAL_GROUP, place=world["tree"].province, password=None)
    assert codes(Household.objects.visible_to(user)) == ["H1", "H2", "H3", "H4"]
    assert Pairing.objects.visible_to(user).count() == Pairing.objects.count() == 4
    assert Visit.objects.visible_to(user).count() == 4


def test_inactive_or_anonymous_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    world["user_a"].is_active = False
    assert not Household.objects.visible_to(world["user_a"]).exists()
    assert not Household.objects.visible_to(AnonymousUser()).exists()
