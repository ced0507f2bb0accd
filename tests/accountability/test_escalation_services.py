"""Due process of an action: a reviewer in scope confirms, records the talk or waives, with who, when
and why; the subject files a 申辩 within the policy's 10 days; the reviewer decides it."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accountability.choices import ActionStatus, RebuttalStatus
from accountability.compliance import engine as compliance
from accountability.escalation import services
from accountability.escalation.engine import escalations_compute
from accountability.messages import Msg
from accountability.models import Action
from tests.factories import PersonFactory, UnitFactory
from tests.households.factories import HouseholdFactory, PairingFactory
from tiers.choices import Role

pytestmark = pytest.mark.django_db

D = datetime.date
COMPUTED = D(2020, 2, 1)


@pytest.fixture
def world(place_tree: Any, user_with_role: Any, today_is: Any) -> dict[str, Any]:
    """A helper of a county unit with no visit in 2019 (E10.1), and 620122 with no meetings (E07.1)."""
    today_is(COMPUTED)
    unit = UnitFactory(place=place_tree["620122"], name="县农业局")
    helper = PersonFactory(unit=unit, name="帮扶人")
    PairingFactory(helper=helper, household=HouseholdFactory(village=place_tree["620122101201"]))
    compliance.compliance_run_execute(
        compliance.compliance_run_create(trigger="command", year=2019, as_of=COMPUTED, rules=["R10.2", "R07.2"])
    )
    escalations_compute(year=2019, as_of=COMPUTED)
    return {
        "helper_action": Action.objects.get(escalation__code="E10.1"),
        "county_action": Action.objects.get(escalation__code="E07.1", place=place_tree["620122"]),
        "county_staff": user_with_role(Role.COUNTY_STAFF, place=place_tree["620122"]),
        "other_county": user_with_role(Role.COUNTY_STAFF, place=place_tree["620521"]),
        "prefecture": user_with_role(Role.PREFECTURE_STAFF, place=place_tree["620100"]),
        "liaison": user_with_role(Role.UNIT_LIAISON, unit=unit),
    }


def test_confirm_then_record_the_talk(world: Any) -> None:
    action, reviewer = world["helper_action"], world["county_staff"]
    assert (action.status, action.rebuttal_due) == (ActionStatus.PROPOSED, D(2020, 2, 11))

    services.action_confirm(user=reviewer, action=action, reason="情况属实")
    with pytest.raises(ValidationError, match="确认"):
        services.action_confirm(user=reviewer, action=action)
    with pytest.raises(ValidationError) as missing:
        services.action_hold(user=reviewer, action=action, held_on=D(2020, 1, 30), minutes=" ")
    assert missing.value.messages == [str(Msg.ACTION_HELD_NEEDS_DATE)]
    services.action_hold(user=reviewer, action=action, held_on=D(2020, 1, 30), minutes="指出问题，限期整改")

    action.refresh_from_db()
    assert (action.status, action.held_on, action.decided_by) == (ActionStatus.HELD, D(2020, 1, 30), reviewer)
    steps = [(d.from_status, d.to_status, d.user, d.reason) for d in action.decisions.order_by("id")]
    assert steps == [("proposed", "confirmed", reviewer, "情况属实"), ("confirmed", "held", reviewer, "")]


def test_waiving_needs_a_reason_and_nothing_follows_a_waiver(world: Any) -> None:
    action, reviewer = world["helper_action"], world["prefecture"]
    with pytest.raises(ValidationError):
        services.action_waive(user=reviewer, action=action, reason="")
    services.action_waive(user=reviewer, action=action, reason="已调离帮扶岗位")
    with pytest.raises(ValidationError):
        services.action_confirm(user=reviewer, action=action)
    assert Action.objects.get(pk=action.pk).decision_reason == "已调离帮扶岗位"


def test_only_reviewers_in_scope_and_not_of_their_own_body_decide(world: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.action_confirm(user=world["other_county"], action=world["helper_action"])
    with pytest.raises(PermissionDenied):
        services.action_confirm(user=world["liaison"], action=world["helper_action"])
    with pytest.raises(PermissionDenied):  # the county does not decide the 约谈 of its own leaders
        services.action_confirm(user=world["county_staff"], action=world["county_action"])
    services.action_confirm(user=world["prefecture"], action=world["county_action"])


def test_a_rebuttal_within_ten_days_accepted_waives_the_action(world: Any) -> None:
    action = world["helper_action"]
    rebuttal = services.rebuttal_file(user=world["liaison"], action=action, text="两次走访有照片为证，系漏录")
    assert rebuttal.status == RebuttalStatus.PENDING
    with pytest.raises(PermissionDenied):
        services.rebuttal_file(user=world["other_county"], action=action, text="x")

    services.rebuttal_decide(user=world["county_staff"], rebuttal=rebuttal, accepted=True, reason="材料属实")
    rebuttal.refresh_from_db()
    action.refresh_from_db()
    assert (rebuttal.status, rebuttal.decided_by, rebuttal.reason) == ("accepted", world["county_staff"], "材料属实")
    assert action.status == ActionStatus.WAIVED
    assert action.decisions.get().reason == "申辩成立：材料属实"
    with pytest.raises(ValidationError, match="审核过"):
        services.rebuttal_decide(user=world["county_staff"], rebuttal=rebuttal, accepted=False, reason="x")


def test_the_county_answers_its_own_action_and_a_late_rebuttal_is_refused(world: Any, today_is: Any) -> None:
    action = world["county_action"]
    services.rebuttal_file(user=world["county_staff"], action=action, text="第二次推进会已召开，纪要附后")
    today_is(D(2020, 2, 12))
    with pytest.raises(ValidationError) as late:
        services.rebuttal_file(user=world["county_staff"], action=action, text="补充材料")
    assert late.value.messages == [str(Msg.REBUTTAL_LATE % {"due": "2020-02-11"})]


def test_recomputation_keeps_a_decision(world: Any) -> None:
    action = world["helper_action"]
    services.action_confirm(user=world["county_staff"], action=action)
    escalations_compute(year=2019, as_of=COMPUTED)
    assert Action.objects.get(pk=action.pk).status == ActionStatus.CONFIRMED
