"""Duty records of tiers 2–8 (issue 5): figures of the rules they feed, the logging service, scope.

Every figure case is worked by hand on the small tree of ``place_tree``: which subjects there are in
the period, which records count for which of them, and what the figure must therefore be.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from tiers import duty_figures, models, services
from tiers.choices import GroupRole, LeadingGroupKind, PostTitle, Role, UnitKind
from tiers.figures import registered
from tiers.messages import Msg
from tiers.periods import Period

pytestmark = pytest.mark.django_db

START = datetime.date(2019, 1, 1)
COUNTIES = ["620122", "620123", "620521", "620522"]
TOWNSHIPS = [f"{c}101" for c in COUNTIES]
PREFECTURES = ["620100", "620500"]


def kind(code: str) -> models.DutyRecordKind:
    return models.DutyRecordKind.objects.get(code=code)


def record(kinds: list[str], day: datetime.date, **subject: Any) -> models.DutyRecord:
    """A record written straight to the database (the figures read rows, not the service)."""
    rec = models.DutyRecord.objects.create(date=day, title="记录", **subject)
    rec.kinds.set([kind(k) for k in kinds])
    return rec


def by_code(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["code"]: int(row["figure"]) for row in rows}


def message_dict(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return {field: [str(m) for m in messages] for field, messages in exc.value.message_dict.items()}


# --- the catalogue of kinds -------------------------------------------------------------------------


def test_kinds_are_loaded_and_linked_to_their_rules() -> None:
    from tiers.catalogue.record_kinds import RECORD_KINDS

    for row in RECORD_KINDS:
        assert sorted(kind(row["code"]).rules.values_list("code", flat=True)) == sorted(row["rules"])


def test_every_figure_of_the_issue_is_registered() -> None:
    codes = ["R02.1", "R03.1", "R03.2", "R03.3", "R03.4", "R05.1", "R05.2", "R05.4"]
    codes += ["R06.1", "R06.2", "R06.3", "R07.1", "R07.2", "R07.3", "R08.1", "R08.2"]
    figures = registered()
    for code in codes:
        assert figures[code].__module__ == "tiers.duty_figures", code


# --- zero-fill: every subject is a row --------------------------------------------------------------


def test_county_team_head_meetings_row_for_every_county_every_month(place_tree: factories.Tree) -> None:
    record(["county-team-heads-meeting"], datetime.date(2019, 3, 15), place=place_tree["620122"])

    march = by_code(list(duty_figures.county_team_head_meetings(Period("month", 2019, 3))))
    april = by_code(list(duty_figures.county_team_head_meetings(Period("month", 2019, 4))))

    assert march == {"620122": 1, "620123": 0, "620521": 0, "620522": 0}
    assert april == dict.fromkeys(COUNTIES, 0)


def test_township_team_leader_meetings_row_for_every_township(place_tree: factories.Tree) -> None:
    record(["township-team-leaders-meeting"], datetime.date(2019, 5, 31), place=place_tree["620521101"])
    record(["township-team-leaders-meeting"], datetime.date(2019, 6, 1), place=place_tree["620521101"])

    may = by_code(list(duty_figures.township_team_leader_meetings(Period("month", 2019, 5))))
    july = by_code(list(duty_figures.township_team_leader_meetings(Period("month", 2019, 7))))

    assert may == dict.fromkeys(TOWNSHIPS, 0) | {"620521101": 1}  # the 1 June meeting is June's
    assert july == dict.fromkeys(TOWNSHIPS, 0)


def test_prefecture_studies_row_for_every_prefecture_by_quarter(place_tree: factories.Tree) -> None:
    record(["prefecture-study"], datetime.date(2019, 2, 1), place=place_tree["620500"])
    record(["prefecture-study"], datetime.date(2019, 3, 31), place=place_tree["620500"])
    record(["prefecture-inspection"], datetime.date(2019, 2, 1), place=place_tree["620100"])  # another rule

    q1 = by_code(list(duty_figures.prefecture_studies(Period("quarter", 2019, 1))))
    q2 = by_code(list(duty_figures.prefecture_studies(Period("quarter", 2019, 2))))

    assert q1 == {"620100": 0, "620500": 2}
    assert q2 == {"620100": 0, "620500": 0}


# --- records counting for assignments ---------------------------------------------------------------


@pytest.fixture
def units(place_tree: factories.Tree) -> dict[str, models.Unit]:
    t = place_tree
    return {
        "lead": factories.UnitFactory(code="UL", name="组长单位", place=t.province),
        "other": factories.UnitFactory(code="UO", name="另一省直单位", place=t.province),
        "central": factories.UnitFactory(
            code="UZ", name="中央在甘单位", kind=UnitKind.CENTRAL_IN_GANSU, place=t.province
        ),
        "county": factories.UnitFactory(code="UK", name="县直单位", kind=UnitKind.COUNTY_UNIT, place=t["620122"]),
    }


def test_joint_meeting_entered_once_counts_for_both_rules(
    place_tree: factories.Tree, units: dict[str, models.Unit]
) -> None:
    t, lead = place_tree, units["lead"]
    models.GroupLeaderAssignment.objects.create(unit=lead, county=t["620122"], start=START)
    models.GroupLeaderAssignment.objects.create(unit=lead, county=t["620123"], start=START)
    record(
        ["three-level-joint-meeting", "provincial-units-meeting"],
        datetime.date(2019, 4, 10),
        unit=lead,
        place=t["620122"],
    )
    half = Period("half", 2019, 1)

    for fn in (duty_figures.three_level_joint_meetings, duty_figures.provincial_units_meetings):
        rows = {(r["unit_id"], r["county_id"]): r["figure"] for r in fn(half)}
        assert rows == {(lead.pk, t["620122"].pk): 1, (lead.pk, t["620123"].pk): 0}, fn.__name__
    assert models.DutyRecord.objects.count() == 1
    assert {r["figure"] for r in duty_figures.three_level_joint_meetings(Period("half", 2019, 2))} == {0}


def test_contact_leader_meetings_count_only_the_leaders_own_for_the_linked_county(
    place_tree: factories.Tree, units: dict[str, models.Unit]
) -> None:
    t = place_tree
    leader = factories.PersonFactory(unit=units["lead"])
    someone = factories.PersonFactory(unit=units["lead"])
    link = models.ContactLeaderAssignment.objects.create(person=leader, county=t["620122"], start=START)
    day = datetime.date(2019, 8, 1)
    record(["contact-leader-meeting"], day, person=leader, place=t["620122"])  # counts
    record(["contact-leader-meeting"], day, person=someone, place=t["620122"])  # another presided
    record(["contact-leader-meeting"], day, person=leader, place=t["620123"])  # not the linked county
    record(["county-promotion-meeting"], day, person=leader, place=t["620122"])  # another kind

    rows = list(duty_figures.contact_leader_meetings(Period("year", 2019)))

    assert [(r["id"], r["person_id"], r["county_id"], r["figure"]) for r in rows] == [
        (link.pk, leader.pk, t["620122"].pk, 1)
    ]


def test_party_committee_studies_count_per_assisting_unit(
    place_tree: factories.Tree, units: dict[str, models.Unit]
) -> None:
    t, lead, other = place_tree, units["lead"], units["other"]
    models.AssistanceAssignment.objects.create(unit=lead, village=t["620122101201"], start=START)
    models.AssistanceAssignment.objects.create(unit=lead, village=t["620122101202"], start=START)
    models.AssistanceAssignment.objects.create(unit=other, village=t["620521101201"], start=START)
    for month in (2, 5, 8, 11):
        record(["party-committee-study"], datetime.date(2019, month, 20), unit=lead)
    record(["party-committee-study"], datetime.date(2018, 12, 20), unit=other)  # last year

    rows = {r["unit_id"]: r["figure"] for r in duty_figures.party_committee_studies(Period("year", 2019))}

    assert rows == {lead.pk: 4, other.pk: 0}  # one row per unit, though lead assists two villages


def test_leader_visits_count_only_villages_the_unit_assists(
    place_tree: factories.Tree, units: dict[str, models.Unit]
) -> None:
    t, lead = place_tree, units["lead"]
    models.AssistanceAssignment.objects.create(unit=lead, village=t["620122101201"], start=START)
    chief = factories.PersonFactory(unit=lead)
    models.Post.objects.create(person=chief, title=PostTitle.PRINCIPAL, unit=lead, start=START)
    record(["leader-village-visit"], datetime.date(2019, 6, 3), person=chief, place=t["620122101201"])
    record(["leader-village-visit"], datetime.date(2019, 9, 3), person=chief, place=t["620122101201"])
    record(["leader-village-visit"], datetime.date(2019, 6, 4), person=chief, place=t["620122101202"])
    # A village the unit assisted only until 2018: a visit there in 2019 is not a visit to an assisted village.
    models.AssistanceAssignment.objects.create(
        unit=lead, village=t["620123101201"], start=datetime.date(2017, 1, 1), end=datetime.date(2018, 12, 31)
    )
    record(["leader-village-visit"], datetime.date(2019, 7, 1), person=chief, place=t["620123101201"])

    rows = [
        (r["person_id"], r["unit_id"], r["figure"]) for r in duty_figures.leader_village_visits(Period("year", 2019))
    ]

    assert rows == [(chief.pk, lead.pk, 2)]


def test_responsibility_letters_per_provincial_or_central_unit_and_county(
    place_tree: factories.Tree, units: dict[str, models.Unit]
) -> None:
    t, lead, central = place_tree, units["lead"], units["central"]
    models.AssistanceAssignment.objects.create(unit=lead, village=t["620122101201"], start=START)
    models.AssistanceAssignment.objects.create(unit=lead, village=t["620122101202"], start=START)
    models.AssistanceAssignment.objects.create(unit=lead, village=t["620521101201"], start=START)
    models.AssistanceAssignment.objects.create(unit=central, village=t["620123101201"], start=START)
    models.AssistanceAssignment.objects.create(unit=units["county"], village=t["620122101201"], start=START)
    record(["responsibility-letter"], datetime.date(2019, 3, 1), unit=lead, place=t["620122"])

    rows = sorted(
        (r["unit_id"], r["county_id"], r["figure"]) for r in duty_figures.responsibility_letters(Period("year", 2019))
    )

    assert rows == sorted(
        [
            (lead.pk, t["620122"].pk, 1),  # two villages in 620122: one row, and the letter counts
            (lead.pk, t["620521"].pk, 0),
            (central.pk, t["620123"].pk, 0),
        ]
    )  # the county unit is neither provincial nor central: no row


# --- point-in-time figures ----------------------------------------------------------------------------


def test_county_village_work_group_headed_by_the_party_secretary(place_tree: factories.Tree) -> None:
    t = place_tree
    unit = factories.UnitFactory(kind=UnitKind.COUNTY_UNIT, place=t["620122"])
    secretary, other = factories.PersonFactory(unit=unit), factories.PersonFactory(unit=unit)
    for county, head in (("620122", secretary), ("620123", other)):
        models.Post.objects.create(person=secretary, title=PostTitle.PARTY_SECRETARY, place=t[county], start=START)
        group = models.LeadingGroup.objects.create(kind=LeadingGroupKind.VILLAGE_WORK, place=t[county], name=county)
        models.LeadingGroupMember.objects.create(group=group, person=head, role=GroupRole.HEAD, start=START)
    # 620521: the secretary heads a coordination group, not a village-work group.
    models.Post.objects.create(person=secretary, title=PostTitle.PARTY_SECRETARY, place=t["620521"], start=START)
    group = models.LeadingGroup.objects.create(kind=LeadingGroupKind.COORDINATION, place=t["620521"], name="协调")
    models.LeadingGroupMember.objects.create(group=group, person=secretary, role=GroupRole.HEAD, start=START)

    rows = by_code(list(duty_figures.county_village_work_groups(datetime.date(2019, 6, 30))))
    before = by_code(list(duty_figures.county_village_work_groups(datetime.date(2018, 12, 31))))

    assert rows == {"620122": 1, "620123": 0, "620521": 0, "620522": 0}
    assert before == dict.fromkeys(COUNTIES, 0)


def test_township_team_heads(place_tree: factories.Tree) -> None:
    t = place_tree
    unit = factories.UnitFactory(kind=UnitKind.TOWNSHIP_UNIT, place=t["620122"])
    head, former = factories.PersonFactory(unit=unit), factories.PersonFactory(unit=unit)
    models.Post.objects.create(person=head, title=PostTitle.TOWNSHIP_TEAM_HEAD, place=t["620122101"], start=START)
    models.Post.objects.create(
        person=former,
        title=PostTitle.TOWNSHIP_TEAM_HEAD,
        place=t["620123101"],
        start=START,
        end=datetime.date(2019, 3, 31),
    )
    models.Post.objects.create(person=former, title=PostTitle.PARTY_SECRETARY, place=t["620521101"], start=START)

    rows = by_code(list(duty_figures.township_team_heads(datetime.date(2019, 6, 30))))

    assert rows == {"620122101": 1, "620123101": 0, "620521101": 0, "620522101": 0}


# --- one query per figure -----------------------------------------------------------------------------


PERIODIC = [
    (duty_figures.contact_leader_meetings, Period("year", 2019)),
    (duty_figures.three_level_joint_meetings, Period("half", 2019, 1)),
    (duty_figures.provincial_units_meetings, Period("half", 2019, 1)),
    (duty_figures.responsibility_letters, Period("year", 2019)),
    (duty_figures.assessment_submissions, Period("year", 2019)),
    (duty_figures.party_committee_studies, Period("year", 2019)),
    (duty_figures.leader_village_visits, Period("year", 2019)),
    (duty_figures.helper_assessments, Period("year", 2019)),
    (duty_figures.prefecture_studies, Period("quarter", 2019, 2)),
    (duty_figures.prefecture_coordination_meetings, Period("half", 2019, 1)),
    (duty_figures.prefecture_inspections, Period("quarter", 2019, 2)),
    (duty_figures.county_promotion_meetings, Period("year", 2019)),
    (duty_figures.county_team_head_meetings, Period("month", 2019, 4)),
    (duty_figures.township_team_leader_meetings, Period("month", 2019, 4)),
    (duty_figures.county_village_work_groups, datetime.date(2019, 6, 30)),
    (duty_figures.township_team_heads, datetime.date(2019, 6, 30)),
]


@pytest.fixture
def busy(place_tree: factories.Tree, units: dict[str, models.Unit]) -> None:
    """Some rows of every kind the figures read, so that no figure is trivially empty."""
    t, lead = place_tree, units["lead"]
    chief = factories.PersonFactory(unit=lead)
    models.Post.objects.create(person=chief, title=PostTitle.PRINCIPAL, unit=lead, start=START)
    models.Post.objects.create(person=chief, title=PostTitle.TOWNSHIP_TEAM_HEAD, place=t["620122101"], start=START)
    models.ContactLeaderAssignment.objects.create(person=chief, county=t["620122"], start=START)
    models.GroupLeaderAssignment.objects.create(unit=lead, county=t["620122"], start=START)
    models.AssistanceAssignment.objects.create(unit=lead, village=t["620122101201"], start=START)
    day = datetime.date(2019, 4, 2)
    record(["contact-leader-meeting"], day, person=chief, place=t["620122"])
    record(["three-level-joint-meeting", "provincial-units-meeting"], day, unit=lead, place=t["620122"])
    record(["party-committee-study", "helper-assessment"], day, unit=lead)
    record(["leader-village-visit"], day, person=chief, place=t["620122101201"])
    record(["prefecture-study", "prefecture-inspection"], day, place=t["620100"])
    record(["county-team-heads-meeting"], day, place=t["620122"])
    record(["township-team-leaders-meeting"], day, place=t["620122101"])


@pytest.mark.parametrize(("fn", "period"), PERIODIC, ids=[fn.__name__ for fn, _ in PERIODIC])
def test_each_figure_is_one_query(busy: None, django_assert_num_queries: Any, fn: Any, period: Any) -> None:
    with django_assert_num_queries(1):
        rows = list(fn(period))
    assert rows


# --- logging a record: refusals and success -------------------------------------------------------------


@pytest.fixture
def county_user(place_tree: factories.Tree, user_with_role: Any) -> Any:
    return user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"])


def refused(**kw: Any) -> dict[str, list[str]]:
    before = models.DutyRecord.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.duty_record_log(**kw)
    assert models.DutyRecord.objects.count() == before
    return message_dict(exc)


def test_log_refuses_a_future_date(place_tree: factories.Tree, county_user: Any) -> None:
    today = timezone.localdate()
    errors = refused(
        user=county_user,
        kinds=[kind("county-promotion-meeting")],
        date=today + datetime.timedelta(days=1),
        title="推进会",
        place=place_tree["620123"],
    )
    assert errors == {"date": [f"日期不能晚于今天（{today:%Y-%m-%d}）。"]}


def test_log_refuses_a_kind_given_the_wrong_level_of_place(place_tree: factories.Tree, county_user: Any) -> None:
    errors = refused(
        user=county_user,
        kinds=[kind("county-promotion-meeting")],
        date=datetime.date(2019, 4, 1),
        title="推进会",
        place=place_tree["620123101"],
    )
    assert errors == {"__all__": ["“县（市、区）脱贫攻坚帮扶工作推进会”需要填写：县（市、区）（所涉行政区划）。"]}
    assert errors["__all__"][0] == str(Msg.KIND_SUBJECT) % {
        "kind": "县（市、区）脱贫攻坚帮扶工作推进会",
        "fields": "县（市、区）（所涉行政区划）",
    }


def test_log_refuses_party_committee_study_without_a_unit(place_tree: factories.Tree, county_user: Any) -> None:
    errors = refused(
        user=county_user,
        kinds=[kind("party-committee-study")],
        date=datetime.date(2019, 4, 1),
        title="党组会",
        place=place_tree["620123"],
    )
    assert errors == {"__all__": ["“单位党委（党组）研究部署帮扶工作”需要填写：单位。"]}


def test_log_refuses_a_record_without_kinds(place_tree: factories.Tree, county_user: Any) -> None:
    errors = refused(user=county_user, kinds=[], date=datetime.date(2019, 4, 1), title="会", place=place_tree["620123"])
    assert errors == {"kinds": [str(Msg.RECORD_NEEDS_KIND)]}
    assert errors["kinds"] == ["请至少选择一个类别。"]


def test_log_refuses_a_place_out_of_scope(place_tree: factories.Tree, county_user: Any) -> None:
    errors = refused(
        user=county_user,
        kinds=[kind("county-promotion-meeting")],
        date=datetime.date(2019, 4, 1),
        title="推进会",
        place=place_tree["620521"],
    )
    assert errors == {"place": ["该区划或单位不在您的工作范围内。"]}


def test_log_refuses_an_attachment_over_10_mb(place_tree: factories.Tree, county_user: Any) -> None:
    big = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 small", content_type="application/pdf")
    big.size = 10 * 1024 * 1024 + 1  # what the upload handler reports; the bytes stay small
    errors = refused(
        user=county_user,
        kinds=[kind("county-promotion-meeting")],
        date=datetime.date(2019, 4, 1),
        title="推进会",
        place=place_tree["620123"],
        attachment=big,
    )
    assert errors == {"attachment": ["附件不能超过 10 MB。"]}


def test_log_refuses_an_executable_attachment(place_tree: factories.Tree, county_user: Any) -> None:
    errors = refused(
        user=county_user,
        kinds=[kind("county-promotion-meeting")],
        date=datetime.date(2019, 4, 1),
        title="推进会",
        place=place_tree["620123"],
        attachment=SimpleUploadedFile("setup.exe", b"MZ"),
    )
    allowed = ", ".join(models.duty_records.ATTACHMENT_TYPES)
    assert errors == {"attachment": [f"文件扩展“exe”是不被允许。允许的扩展为：{allowed}。"]}


def test_log_refuses_an_attachment_whose_content_is_not_its_type(place_tree: factories.Tree, county_user: Any) -> None:
    errors = refused(
        user=county_user,
        kinds=[kind("county-promotion-meeting")],
        date=datetime.date(2019, 4, 1),
        title="推进会",
        place=place_tree["620123"],
        attachment=SimpleUploadedFile("纪要.pdf", b"MZ\x90\x00 an executable renamed"),
    )
    assert errors == {"attachment": ["附件内容与扩展名 .pdf 不符：请上传真实的 PDF、Word、Excel 或图片文件。"]}


def test_log_saves_a_good_record(place_tree: factories.Tree, county_user: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    unit = factories.UnitFactory(kind=UnitKind.COUNTY_UNIT, place=place_tree["620123"])
    people = [factories.PersonFactory(unit=unit), factories.PersonFactory(unit=unit)]

    rec = services.duty_record_log(
        user=county_user,
        kinds=[kind("county-promotion-meeting"), kind("county-team-heads-meeting")],
        date=datetime.date(2019, 4, 1),
        title="推进会暨总队长会议",
        place=place_tree["620123"],
        participants=people,
        minutes="研究部署。",
        attachment=SimpleUploadedFile("纪要.pdf", b"%PDF-1.4"),
    )

    rec.refresh_from_db()
    assert rec.entered_by == county_user
    assert set(rec.participants.all()) == set(people)
    assert set(rec.kinds.values_list("code", flat=True)) == {"county-promotion-meeting", "county-team-heads-meeting"}
    assert rec.attachment.name.endswith(".pdf")
    assert rec.history.filter(history_type="+").get().history_user == county_user
    assert by_code(list(duty_figures.county_team_head_meetings(Period("month", 2019, 4))))["620123"] == 1


# --- scope -------------------------------------------------------------------------------------------


def test_records_visible_to_county_user_liaison_and_the_person(
    place_tree: factories.Tree, units: dict[str, models.Unit], user_with_role: Any
) -> None:
    t, lead, other = place_tree, units["lead"], units["other"]
    day = datetime.date(2019, 4, 1)
    leader = factories.PersonFactory(unit=lead)
    county_rec = record(["county-promotion-meeting"], day, place=t["620123"])
    township_rec = record(["township-team-leaders-meeting"], day, place=t["620123101"])
    elsewhere = record(["county-promotion-meeting"], day, place=t["620122"])
    prefecture_rec = record(["prefecture-study"], day, place=t["620100"])
    lead_rec = record(["party-committee-study"], day, unit=lead)
    other_rec = record(["party-committee-study"], day, unit=other)
    visit = record(["leader-village-visit"], day, person=leader, place=t["620521101201"])

    county_user = user_with_role(Role.COUNTY_STAFF, place=t["620123"])
    liaison = user_with_role(Role.UNIT_LIAISON, unit=lead)
    leader.user = factories.UserFactory()
    leader.save()

    assert set(models.DutyRecord.objects.visible_to(county_user)) == {county_rec, township_rec}
    assert set(models.DutyRecord.objects.visible_to(liaison)) == {lead_rec}
    assert set(models.DutyRecord.objects.visible_to(leader.user)) == {visit}
    assert {elsewhere, prefecture_rec, other_rec}.isdisjoint(models.DutyRecord.objects.visible_to(county_user))
