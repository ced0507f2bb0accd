"""The catalogue loaded by the data migration matches the spec (``responsibility-list.md``) rule by rule.

The expected tables below are transcribed by hand from the spec, on purpose not imported from
``tiers/catalogue/data_2019_33.py``: they are an independent second reading of the document.
"""

from datetime import date

import pytest

from tiers.models import Document, Duty, Escalation, EscalationAction, EscalationTrigger, Policy, Rule, Tier

pytestmark = pytest.mark.django_db

# Spec §3: (rule, clause, tier, period, minimum). "exists" / "covered" are stored as minimum 1;
# R05.3's "3 / 2" is minimum 2 with a rank override (tested separately).
SPEC_RULES = [
    ("R02.1", "二(二)", "T02", "year", 1),
    ("R03.1", "三(二)", "T03", "half", 1),
    ("R03.2", "三(二)", "T03", "half", 1),
    ("R03.3", "三(三)", "T03", "year", 1),
    ("R03.4", "三(四)", "T03", "year", 1),
    ("R05.1", "五(一)", "T05", "year", 4),
    ("R05.2", "五(一)", "T05", "year", 2),
    ("R05.3", "五(三)", "T05", "point", 2),
    ("R05.4", "五(三)", "T05", "year", 1),
    ("R05.5", "五(四)", "T05", "quarter", 1),
    ("R05.6", "五(四)", "T05", "year", 1),
    ("R06.1", "六(一)", "T06", "quarter", 1),
    ("R06.2", "六(一)", "T06", "half", 1),
    ("R06.3", "六(三)", "T06", "quarter", 1),
    ("R07.1", "七(一)", "T07", "point", 1),
    ("R07.2", "七(二)", "T07", "year", 2),
    ("R07.3", "七(三)", "T07", "month", 1),
    ("R07.4", "七(四)", "T07", "year", 5),
    ("R08.1", "八(二)", "T08", "point", 1),
    ("R08.2", "八(二)", "T08", "month", 1),
    ("R09.1", "九(四)", "T09", "year", 220),
    ("R09.2", "九(四)", "T09", "year", 160),
    ("R10.1", "十(一)", "T10", "year", 1),
    ("R10.2", "十(四)", "T10", "year", 2),
    ("R10.3", "十(四)", "T10", "year", 1),
]

# Spec §3, the rules whose minimum is not a plain count.
SPEC_MEASURES = [
    ("R05.3", "households"),
    ("R05.6", "covered"),
    ("R07.1", "exists"),
    ("R07.4", "days"),
    ("R08.1", "exists"),
    ("R09.1", "days"),
    ("R09.2", "days"),
]

# Spec §4: (escalation, clause, tier). E00.1 is the closing paragraph and belongs to no tier.
SPEC_ESCALATIONS = [
    ("E03.1", "三", "T03"),
    ("E03.2", "三", "T03"),
    ("E04.1", "四", "T04"),
    ("E05.1", "五", "T05"),
    ("E05.2", "五", "T05"),
    ("E06.1", "六", "T06"),
    ("E06.2", "六", "T06"),
    ("E07.1", "七", "T07"),
    ("E07.2", "七", "T07"),
    ("E08.1", "八", "T08"),
    ("E08.2", "八", "T08"),
    ("E09.1", "九", "T09"),
    ("E09.2", "九", "T09"),
    ("E10.1", "十", "T10"),
    ("E10.2", "十", "T10"),
    ("E00.1", "结尾段", None),
]

# Spec §2.
SPEC_TIERS = [
    ("T01", "一"),
    ("T02", "二"),
    ("T03", "三"),
    ("T04", "四"),
    ("T05", "五"),
    ("T06", "六"),
    ("T07", "七"),
    ("T08", "八"),
    ("T09", "九"),
    ("T10", "十"),
]

# Numbered duties per section of the document; 四 also has its unnumbered intro paragraph (D04.0).
SPEC_DUTY_COUNTS = [
    ("T01", 6),
    ("T02", 3),
    ("T03", 5),
    ("T04", 4),
    ("T05", 4),
    ("T06", 3),
    ("T07", 4),
    ("T08", 3),
    ("T09", 5),
    ("T10", 4),
]


def admonish_convenors(code: str, severity: int) -> set[str]:
    """Convenors of the 约谈 rows of an escalation that apply at a severity."""
    return {
        action.convenor
        for action in Escalation.objects.get(code=code).actions.filter(action="admonish")
        if action.min_severity <= severity <= action.max_severity
    }


# --- document and tiers ---------------------------------------------------------------------------


def test_document():
    document = Document.objects.get(code="甘办发〔2019〕33号")
    assert document.in_force_from == date(2019, 7, 31)
    assert document.issued_on == date(2019, 7, 31)
    assert document.replaces == "甘办字〔2018〕21号"


def test_exactly_ten_tiers():
    assert list(Tier.objects.order_by("code").values_list("code", flat=True)) == [c for c, _ in SPEC_TIERS]


@pytest.mark.parametrize(("code", "section"), SPEC_TIERS)
def test_tier_section(code, section):
    assert Tier.objects.get(code=code).section == section


# --- duties ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("tier", "count"), SPEC_DUTY_COUNTS)
def test_duty_count_per_tier(tier, count):
    assert Duty.objects.filter(tier__code=tier).count() == count


def test_duty_total_and_section_four_intro():
    assert Duty.objects.count() == 41
    intro = Duty.objects.get(code="D04.0")
    assert intro.tier.code == "T04"
    assert intro.clause == "四"
    assert intro.title == "建立帮扶工作归口管理机制"


def test_duty_nine_four_text():
    duty = Duty.objects.get(code="D09.4")
    assert duty.clause == "九(四)"
    assert "每年驻村时间不少于220个工作日" in duty.text
    assert "住村时间不少于160天" in duty.text


def test_duty_texts_rejoined_across_page_breaks():
    for duty in Duty.objects.all():
        assert "\n" not in duty.text, duty.code
    # 一(三) is split across a page in the source: "夯实稳" / "定脱贫".
    assert "夯实稳定脱贫" in Duty.objects.get(code="D01.3").text


# --- rules ----------------------------------------------------------------------------------------


def test_exactly_the_spec_rules():
    assert sorted(Rule.objects.values_list("code", flat=True)) == sorted(c for c, *_ in SPEC_RULES)


@pytest.mark.parametrize(("code", "clause", "tier", "period", "minimum"), SPEC_RULES)
def test_rule_matches_spec(code, clause, tier, period, minimum):
    rule = Rule.objects.get(code=code)
    assert rule.clause == clause
    assert rule.tier.code == tier
    assert rule.period == period
    assert rule.minimum == minimum
    # The rule counts a duty of its own clause.
    assert rule.duty.clause == clause
    assert rule.duty.tier_id == rule.tier_id


@pytest.mark.parametrize(("code", "measure"), SPEC_MEASURES)
def test_rule_measure(code, measure):
    assert Rule.objects.get(code=code).measure == measure


def test_r05_3_minimum_by_rank():
    rule = Rule.objects.get(code="R05.3")
    assert rule.minimum_for_rank("bureau") == 3
    assert rule.minimum_for_rank("division") == 2
    assert rule.minimum_for_rank("section") == 2


def test_point_rules_are_not_pro_rated():
    for rule in Rule.objects.filter(period="point"):
        assert not rule.pro_rated, rule.code


def test_r10_1_deadline_is_policy_31_march():
    assert Rule.objects.get(code="R10.1").deadline == "03-31"


# --- escalations ----------------------------------------------------------------------------------


def test_exactly_the_spec_escalations():
    assert sorted(Escalation.objects.values_list("code", flat=True)) == sorted(c for c, _, _ in SPEC_ESCALATIONS)


@pytest.mark.parametrize(("code", "clause", "tier"), SPEC_ESCALATIONS)
def test_escalation_matches_spec(code, clause, tier):
    escalation = Escalation.objects.get(code=code)
    assert escalation.clause == clause
    assert (escalation.tier.code if escalation.tier else None) == tier
    assert escalation.triggers.exists()
    assert escalation.actions.exists()


@pytest.mark.parametrize(
    ("severity", "convenor"),
    [(1, "group_leader_unit"), (2, "contact_leader"), (3, "provincial_leading_group")],
)
def test_e05_1_convenor_by_severity(severity, convenor):
    assert admonish_convenors("E05.1", severity) == {convenor}
    for action in Escalation.objects.get(code="E05.1").actions.all():
        assert set(action.targets) == {"principal", "deputy"}


@pytest.mark.parametrize(
    ("severity", "convenor"),
    [(1, "prefecture_leading_group"), (2, "provincial_leading_group"), (3, "provincial_leading_group")],
)
def test_e07_1_convenor_by_severity(severity, convenor):
    assert admonish_convenors("E07.1", severity) == {convenor}
    for action in Escalation.objects.get(code="E07.1").actions.all():
        assert set(action.targets) == {"principal", "deputy", "county_team_head"}


def test_e07_1_triggered_by_living_in_village_rules_in_the_county():
    trigger = EscalationTrigger.objects.get(escalation__code="E07.1", kind="violation", relation="in_county")
    assert set(trigger.rules.values_list("code", flat=True)) == {"R09.1", "R09.2"}


def test_e09_2_joint_liability_of_dispatching_unit():
    actions = Escalation.objects.get(code="E09.2").actions
    cap = actions.get(action="assessment_cap")
    assert cap.bearer == "dispatching_unit"
    assert cap.joint_liability
    replacement = actions.get(action="replacement")
    assert replacement.bearer == "member"
    admonish = actions.filter(action="admonish")
    assert {a.convenor for a in admonish} == {"group_leader_unit", "county_leading_group"}
    assert all(a.bearer == "dispatching_unit" and a.joint_liability for a in admonish)
    assert {"team", "team_leader", "member"} <= set(actions.filter(action="award_ban").values_list("bearer", flat=True))


def test_e10_1_convened_by_own_unit():
    action = Escalation.objects.get(code="E10.1").actions.get()
    assert action.action == "admonish"
    assert action.convenor == "own_unit"
    assert action.targets == ["helper"]


def test_e03_2_joint_liability_of_group_leader_unit():
    action = Escalation.objects.get(code="E03.2").actions.get()
    assert action.action == "award_ban"
    assert action.bearer == "group_leader_unit"
    assert action.joint_liability


def test_e00_1_referral_for_all_tiers():
    escalation = Escalation.objects.get(code="E00.1")
    action = escalation.actions.get()
    assert action.action == "referral"
    trigger = escalation.triggers.get()
    assert trigger.kind == "serious"
    assert set(trigger.tiers.values_list("code", flat=True)) == {c for c, _ in SPEC_TIERS[1:]}


# --- policy ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("pro_rate_min_days", 30),
        ("severity_2_below_percent", 75),
        ("severity_3_below_percent", 50),
    ],
)
def test_policy_defaults(key, value):
    assert Policy.objects.get(key=key).value == value


# --- validation -----------------------------------------------------------------------------------


def test_every_rule_and_action_is_valid():
    for rule in Rule.objects.all():
        rule.full_clean()
    for action in EscalationAction.objects.all():
        action.full_clean()
