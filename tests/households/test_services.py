"""Writes of the households app: refusals keyed by field in Chinese, nothing written on refusal, who
entered what, pairings kept as history, and edits within and after the edit window."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from households import services
from households.messages import Msg
from households.models import Deed, Pairing, Plan, Visit
from tests import factories
from tests.households.factories import HouseholdFactory, PairingFactory
from tiers import services as tier_services
from tiers.choices import Role
from tiers.messages import Msg as TierMsg
from tiers.models import EditRequest, EditRequestStatus, Policy

pytestmark = pytest.mark.django_db

D = datetime.date
PLAN = {
    "family_situation": "四口人",
    "poverty_causes": "因病",
    "income_paths": "务工",
    "support_measures": "医疗救助",
}


def helper_user(**person: Any) -> tuple[Any, Any]:
    """A user linked to a cadre and holding the helper role (no password: hashing is slow)."""
    user = factories.UserFactory(password=None)
    person = factories.PersonFactory(user=user, **person)
    tier_services.role_grant(user=user, role=Role.HELPER)
    return user, person


@pytest.fixture
def w(place_tree, user_with_role) -> dict[str, Any]:
    """Household 1 (township 620122101): helper A until 30 June 2019, helper B from 1 July.
    Household 2 (same township): helper B from 1 July only. Household 3: another township."""
    user_a, a = helper_user(name="张三")
    user_b, b = helper_user(name="李四")
    h1 = HouseholdFactory(code="H1", village=place_tree["620122101201"])
    h2 = HouseholdFactory(code="H2", village=place_tree["620122101202"])
    h3 = HouseholdFactory(code="H3", village=place_tree["620123101201"])
    PairingFactory(helper=a, household=h1, start=D(2019, 1, 1), end=D(2019, 6, 30))
    PairingFactory(helper=b, household=h1, start=D(2019, 7, 1))
    PairingFactory(helper=b, household=h2, start=D(2019, 7, 1))
    PairingFactory(household=h3, start=D(2019, 1, 1))
    return {
        "tree": place_tree,
        "a": a,
        "b": b,
        "user_a": user_a,
        "user_b": user_b,
        "clerk": user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620122101"], password=None),
        "reviewer": user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620122101"], password=None),
        "h1": h1,
        "h2": h2,
        "h3": h3,
    }


def refusal(call: Any, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as exc:
        call(**kwargs)
    return exc.value.message_dict


def counts() -> tuple[int, int, int, int, int]:
    return (
        Visit.objects.count(),
        Deed.objects.count(),
        Plan.objects.count(),
        Pairing.objects.count(),
        EditRequest.objects.count(),
    )


# --- logging: who the record is for and who entered it ----------------------------------------------


def test_helper_logs_own_visit(w):
    visit = services.visit_log(user=w["user_a"], household=w["h1"], date=D(2019, 3, 1), problems="缺劳力")
    assert (visit.helper, visit.entered_by, visit.problems) == (w["a"], w["user_a"], "缺劳力")
    assert visit.history.get().history_user == w["user_a"]


def test_clerk_logs_for_the_helper_paired_on_the_day(w):
    before_handover = services.visit_log(user=w["clerk"], household=w["h1"], date=D(2019, 6, 30))
    after_handover = services.deed_log(user=w["clerk"], household=w["h1"], date=D(2019, 7, 1), description="修路")
    plan = services.plan_revise(user=w["clerk"], household=w["h1"], date=D(2019, 2, 1), year=2019, **PLAN)

    assert (before_handover.helper, before_handover.entered_by) == (w["a"], w["clerk"])
    assert (after_handover.helper, after_handover.entered_by) == (w["b"], w["clerk"])
    assert (plan.helper, plan.entered_by) == (w["a"], w["clerk"])
    assert after_handover.history.get().history_user == w["clerk"]


# --- refusals ------------------------------------------------------------------------------------


def test_future_date_is_refused(w):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    today = f"{timezone.localdate():%Y-%m-%d}"
    expected = {"date": [f"日期不能晚于今天（{today}）。"]}
    assert str(Msg.FUTURE_DATE) % {"today": today} == expected["date"][0]

    assert refusal(services.visit_log, user=w["user_b"], household=w["h1"], date=tomorrow) == expected
    assert refusal(services.deed_log, user=w["clerk"], household=w["h1"], date=tomorrow, description="x") == expected
    assert refusal(services.plan_revise, user=w["clerk"], household=w["h1"], date=tomorrow, year=2019, **PLAN) == (
        expected
    )
    assert counts() == (0, 0, 0, 4, 0)


def test_helper_outside_their_pairing_is_refused(w):
    # A was paired with household 1 until 30 June: a visit on 1 July is refused, not given to B.
    assert refusal(services.visit_log, user=w["user_a"], household=w["h1"], date=D(2019, 7, 1)) == {
        "date": [str(Msg.NOT_YOUR_PAIRING) % {"date": "2019-07-01"}]
    }
    assert refusal(services.visit_log, user=w["user_b"], household=w["h1"], date=D(2019, 6, 30)) == {
        "date": ["2019-06-30 您与该户不在结对期内，不能记录。"]
    }
    assert counts()[0] == 0


def test_clerk_on_a_day_without_pairing_is_refused(w):
    assert refusal(services.visit_log, user=w["clerk"], household=w["h2"], date=D(2019, 6, 30)) == {
        "date": [str(Msg.NOT_PAIRED) % {"date": "2019-06-30"}]
    }
    assert refusal(services.deed_log, user=w["clerk"], household=w["h2"], date=D(2019, 1, 5), description="修路") == {
        "date": ["2019-01-05 该户没有结对的帮扶责任人，不能记录。"]
    }
    assert counts()[:2] == (0, 0)


def test_duplicate_visit_on_the_same_day_is_refused(w):
    services.visit_log(user=w["user_b"], household=w["h1"], date=D(2019, 8, 1))
    expected = {"date": ["李四 在 2019-08-01 已记录过对该户的走访，同一天不能重复记录。"]}
    assert str(Msg.DUPLICATE_VISIT) % {"helper": "李四", "date": "2019-08-01"} == expected["date"][0]

    assert refusal(services.visit_log, user=w["user_b"], household=w["h1"], date=D(2019, 8, 1)) == expected
    # A clerk entering the same visit for the helper is refused too.
    assert refusal(services.visit_log, user=w["clerk"], household=w["h1"], date=D(2019, 8, 1)) == expected
    assert counts()[0] == 1
    # Another day, or another household the same day, is fine.
    services.visit_log(user=w["user_b"], household=w["h1"], date=D(2019, 8, 2))
    services.visit_log(user=w["user_b"], household=w["h2"], date=D(2019, 8, 1))
    assert counts()[0] == 3


def test_out_of_scope_household_is_refused(w):
    expected = {"household": [str(Msg.OUT_OF_SCOPE)]}
    assert expected == {"household": ["该户不在您的工作范围内。"]}
    assert refusal(services.visit_log, user=w["clerk"], household=w["h3"], date=D(2019, 3, 1)) == expected
    assert refusal(services.plan_revise, user=w["clerk"], household=w["h3"], date=D(2019, 3, 1), year=2019, **PLAN) == (
        expected
    )
    # A helper sees only the households they are or were paired with.
    assert refusal(services.deed_log, user=w["user_a"], household=w["h2"], date=D(2019, 8, 1), description="x") == (
        expected
    )
    assert counts() == (0, 0, 0, 4, 0)


def test_deed_without_description_is_refused(w):
    assert refusal(services.deed_log, user=w["user_b"], household=w["h1"], date=D(2019, 8, 1), description="  ") == {
        "description": ["请写明办了什么实事好事。"]
    }
    errors = refusal(services.deed_log, user=w["user_b"], household=w["h1"], date=D(2019, 8, 1), description="")
    assert errors == {"description": ["此字段不能为空。"]}  # Django's own message, once
    assert counts()[1] == 0


def test_plan_year_must_be_the_year_of_the_revision_or_the_next(w):
    assert refusal(
        services.plan_revise, user=w["user_a"], household=w["h1"], date=D(2019, 3, 1), year=2021, **PLAN
    ) == {"year": ["计划年度必须与修订日期所在年度一致或为下一年度。"]}
    assert refusal(
        services.plan_revise, user=w["user_a"], household=w["h1"], date=D(2019, 3, 1), year=2018, **PLAN
    ) == {"year": [str(Msg.PLAN_YEAR)]}
    assert counts()[2] == 0
    services.plan_revise(user=w["user_a"], household=w["h1"], date=D(2019, 3, 1), year=2019, **PLAN)
    services.plan_revise(user=w["user_b"], household=w["h1"], date=D(2019, 12, 20), year=2020, **PLAN)
    assert counts()[2] == 2


# --- pairings ------------------------------------------------------------------------------------


def test_overlapping_pairing_is_refused(w):
    other = factories.PersonFactory()
    expected = {"__all__": [str(Msg.PAIRING_OVERLAP) % {"other": "李四，自2019-07-01"}]}
    assert expected["__all__"][0] == "该户在这段时间已有结对帮扶责任人（李四，自2019-07-01），请先结束原结对。"

    assert refusal(services.pairing_create, helper=other, household=w["h1"], start=D(2020, 1, 1)) == expected
    # Overlapping the end of an ended pairing is refused as well.
    assert refusal(
        services.pairing_create, helper=other, household=w["h1"], start=D(2018, 1, 1), end=D(2019, 1, 1)
    ) == {"__all__": [str(Msg.PAIRING_OVERLAP) % {"other": "张三，自2019-01-01"}]}
    assert counts()[3] == 4


def test_pairing_end_keeps_history_and_frees_the_household(w):
    current = Pairing.objects.get(helper=w["b"], household=w["h1"])
    ended = services.pairing_end(pairing=current, end=D(2019, 12, 31))
    assert ended.end == D(2019, 12, 31)
    assert [h.end for h in ended.history.order_by("history_date")] == [None, D(2019, 12, 31)]

    other = factories.PersonFactory()
    created = services.pairing_create(helper=other, household=w["h1"], start=D(2020, 1, 1))
    assert list(Pairing.objects.filter(household=w["h1"]).order_by("start").values_list("helper", "start", "end")) == [
        (w["a"].pk, D(2019, 1, 1), D(2019, 6, 30)),
        (w["b"].pk, D(2019, 7, 1), D(2019, 12, 31)),
        (other.pk, D(2020, 1, 1), None),
    ]
    assert created.pk


def test_pairing_end_before_start_is_refused(w):
    current = Pairing.objects.get(helper=w["b"], household=w["h1"])
    assert refusal(services.pairing_end, pairing=current, end=D(2019, 6, 1)) == {"end": [str(TierMsg.DATES_ORDER)]}
    current.refresh_from_db()
    assert current.end is None


# --- edits within and after the window -------------------------------------------------------------


@pytest.fixture
def visit(w) -> Visit:
    return services.visit_log(user=w["user_b"], household=w["h1"], date=D(2019, 8, 1), problems="房屋漏雨")


def age(record: Any, days: int) -> None:
    type(record).objects.filter(pk=record.pk).update(entered_at=timezone.now() - datetime.timedelta(days=days))
    record.refresh_from_db()


def test_update_within_the_window_saves_with_history(w, visit):
    age(visit, 29)
    updated = services.record_update(user=w["clerk"], record=visit, changes={"problems": "房屋已修缮"}, reason="更正")

    assert isinstance(updated, Visit)
    visit.refresh_from_db()
    assert visit.problems == "房屋已修缮"
    latest, previous = visit.history.order_by("-history_date")[:2]
    assert (latest.problems, latest.history_user, latest.history_change_reason) == ("房屋已修缮", w["clerk"], "更正")
    assert (previous.problems, previous.history_user) == ("房屋漏雨", w["user_b"])
    assert EditRequest.objects.count() == 0


def test_update_of_nothing_or_into_the_future_is_refused(w, visit):
    with pytest.raises(ValidationError) as exc:
        services.record_update(user=w["clerk"], record=visit, changes={"problems": "房屋漏雨"})
    assert exc.value.messages == [str(Msg.NOTHING_CHANGED)]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert refusal(services.record_update, user=w["clerk"], record=visit, changes={"date": tomorrow}) == {
        "date": [str(Msg.FUTURE_DATE) % {"today": f"{timezone.localdate():%Y-%m-%d}"}]
    }
    # Moving a visit out of the helper's pairing is refused by the model.
    assert refusal(services.record_update, user=w["clerk"], record=visit, changes={"date": D(2019, 6, 1)}) == {
        "date": [str(Msg.HELPER_NOT_PAIRED) % {"date": "2019-06-01", "helper": "李四"}]
    }
    visit.refresh_from_db()
    assert (visit.problems, visit.date, visit.history.count()) == ("房屋漏雨", D(2019, 8, 1), 1)


def test_update_after_the_window_files_an_edit_request(w, visit):
    age(visit, 31)
    request = services.record_update(
        user=w["user_b"], record=visit, changes={"problems": "房屋已修缮", "date": D(2019, 8, 2)}, reason="日期写错"
    )

    assert isinstance(request, EditRequest)
    assert request.target == visit
    assert (request.changes, request.previous) == (
        {"problems": "房屋已修缮", "date": "2019-08-02"},
        {"problems": "房屋漏雨", "date": "2019-08-01"},
    )
    assert (request.status, request.requested_by, request.place, request.reason) == (
        EditRequestStatus.PENDING,
        w["user_b"],
        w["h1"].village,
        "日期写错",
    )
    visit.refresh_from_db()
    assert (visit.problems, visit.date, visit.history.count()) == ("房屋漏雨", D(2019, 8, 1), 1)


def test_the_window_is_the_policy_value(w, visit):
    age(visit, 2)
    assert isinstance(services.record_update(user=w["clerk"], record=visit, changes={"problems": "甲"}), Visit)
    Policy.objects.filter(key=services.EDIT_REVIEW_POLICY).update(value=1)
    assert services.edit_window_days() == 1
    assert isinstance(services.record_update(user=w["clerk"], record=visit, changes={"problems": "乙"}), EditRequest)
    visit.refresh_from_db()
    assert visit.problems == "甲"


def test_edit_request_of_an_invalid_change_is_refused_at_once(w, visit):
    age(visit, 31)
    assert refusal(services.record_update, user=w["clerk"], record=visit, changes={"date": D(2019, 6, 1)}) == {
        "date": [str(Msg.HELPER_NOT_PAIRED) % {"date": "2019-06-01", "helper": "李四"}]
    }
    assert EditRequest.objects.count() == 0


@pytest.fixture
def pending(w, visit) -> EditRequest:
    age(visit, 31)
    return services.record_update(
        user=w["clerk"], record=visit, changes={"problems": "房屋已修缮", "date": D(2019, 8, 2)}, reason="更正"
    )


def test_approving_applies_the_change_with_the_reviewer_in_history(w, visit, pending):
    decided = tier_services.edit_request_decide(request=pending, reviewer=w["reviewer"], approve=True)

    assert (decided.status, decided.reviewed_by) == (EditRequestStatus.APPROVED, w["reviewer"])
    assert decided.reviewed_at is not None
    visit.refresh_from_db()
    assert (visit.problems, visit.date) == ("房屋已修缮", D(2019, 8, 2))
    latest, previous = visit.history.order_by("-history_date")[:2]
    assert (latest.history_user, latest.problems, latest.date) == (w["reviewer"], "房屋已修缮", D(2019, 8, 2))
    assert (previous.problems, previous.date) == ("房屋漏雨", D(2019, 8, 1))


def test_rejecting_needs_a_note_and_leaves_the_record(w, visit, pending):
    with pytest.raises(ValidationError) as exc:
        tier_services.edit_request_decide(request=pending, reviewer=w["reviewer"], approve=False)
    assert exc.value.message_dict == {"review_note": [str(TierMsg.REJECT_NEEDS_NOTE)]}
    pending.refresh_from_db()
    assert pending.status == EditRequestStatus.PENDING

    decided = tier_services.edit_request_decide(request=pending, reviewer=w["reviewer"], approve=False, note="无依据")
    assert (decided.status, decided.review_note) == (EditRequestStatus.REJECTED, "无依据")
    visit.refresh_from_db()
    assert (visit.problems, visit.history.count()) == ("房屋漏雨", 1)


def test_the_requester_cannot_review_their_own_request(w, visit, pending):
    with pytest.raises(ValidationError) as exc:
        tier_services.edit_request_decide(request=pending, reviewer=w["clerk"], approve=True)
    assert exc.value.messages == [str(TierMsg.REVIEW_OWN_REQUEST)]
    pending.refresh_from_db()
    visit.refresh_from_db()
    assert (pending.status, visit.problems) == (EditRequestStatus.PENDING, "房屋漏雨")


def test_a_request_is_decided_once(w, visit, pending):
    tier_services.edit_request_decide(request=pending, reviewer=w["reviewer"], approve=False, note="无依据")
    with pytest.raises(ValidationError) as exc:
        tier_services.edit_request_decide(request=pending, reviewer=w["reviewer"], approve=True)
    assert exc.value.messages == [str(TierMsg.REVIEW_DONE)]
    visit.refresh_from_db()
    assert visit.problems == "房屋漏雨"
