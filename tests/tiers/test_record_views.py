"""The duty-record pages of tiers 2–8 (issue 5), through the test client as county staff and a unit
liaison use them.

"Today" is pinned to 2024-06-14. A joint meeting is logged once with two kinds and counts for both
rules; each refusal (future date, place out of scope, unknown codes, attachment too big or of the
wrong type) comes back with a Chinese message and writes nothing; the organisation pages are scoped
(another county or unit is 404, no permission is 403).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import FileExtensionValidator
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests import factories
from tiers.choices import Role, UnitKind
from tiers.forms import split_codes
from tiers.messages import Msg
from tiers.models import DutyRecord, DutyRecordKind, GroupLeaderAssignment, Place
from tiers.models import duty_records as duty_record_models
from tiers.record_views import period_cells

TODAY = datetime.date(2024, 6, 14)
COUNTY_PROMOTION = "county-promotion-meeting"  # R07.2
COUNTY_TEAM_HEADS = "county-team-heads-meeting"  # R07.3


def zh(message: Any, **params: Any) -> str:
    with translation.override("zh-hans"):
        text = str(message)
    return text % params if params else text


@pytest.fixture(autouse=True)
def pinned_today(today_is: Any) -> datetime.date:
    """``timezone.localdate()`` answers TODAY."""
    return today_is(TODAY)


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(user)
    return client


def errors(response: Any) -> dict[str, list[str]]:
    assert response.status_code == 200, response.status_code
    with translation.override("zh-hans"):
        return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def kind_ids(*codes: str) -> list[int]:
    return [DutyRecordKind.objects.get(code=code).pk for code in codes]


def rule_row(response: Any, code: str) -> Any:
    return next(row for row in response.context["rows"] if row.code == code)


@pytest.fixture
def county(place_tree: factories.Tree) -> Any:
    return factories.user_with_role(Role.COUNTY_STAFF, place=place_tree["620123"], username="county")


@pytest.fixture
def leaders(place_tree: factories.Tree) -> dict[str, Any]:
    unit = factories.UnitFactory(code="UP", name="县直单位", kind=UnitKind.COUNTY_UNIT, place=place_tree["620123"])
    return {code: factories.PersonFactory(code=code, unit=unit) for code in ("PA", "PB", "PC")}


def post(client: Client, **overrides: Any) -> Any:
    data: dict[str, Any] = {
        "kinds": kind_ids(COUNTY_PROMOTION),
        "date": "2024-06-10",
        "title": "推进会",
        "place": "620123",
        "unit": "",
        "person": "",
        "participants": "",
        "minutes": "",
    }
    data.update(overrides)
    return client.post(reverse("record-new"), data)


def test_joint_meeting_logged_once_counts_for_both_rules(county: Any, leaders: dict[str, Any]) -> None:
    client = client_for(county)
    assert client.get(reverse("record-new")).status_code == 200
    response = post(
        client,
        kinds=kind_ids(COUNTY_PROMOTION, COUNTY_TEAM_HEADS),
        person="pa",
        participants="PB\nPC、PB",
        attachment=SimpleUploadedFile("纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf"),
    )
    page = reverse("records-place", args=["620123"])
    assert response.status_code == 302
    assert response["Location"] == page
    record = DutyRecord.objects.get()
    assert sorted(record.kinds.values_list("code", flat=True)) == sorted([COUNTY_PROMOTION, COUNTY_TEAM_HEADS])
    assert record.person == leaders["PA"]
    assert sorted(p.code for p in record.participants.all()) == ["PB", "PC"]
    assert record.entered_by == county
    assert record.attachment.name.endswith(".pdf")

    response = client.get(page)
    assert [str(m) for m in response.context["messages"]] == ["已记录"]
    promotion = rule_row(response, "R07.2")
    assert [(c.count, c.met) for c in promotion.cells] == [(1, False)]  # yearly, at least 2
    heads = rule_row(response, "R07.3")
    assert heads.cells[5].count == 1 and heads.cells[5].met is True  # June
    assert list(response.context["records"]) == [record]

    # The attachment is served only through a scoped view, never from a public URL.
    download = client.get(reverse("record-attachment", args=[record.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes"
    assert reverse("record-attachment", args=[record.pk]) in response.content.decode()
    other_county = factories.user_with_role(Role.COUNTY_STAFF, place=Place.objects.get(code="620122"), username="other")
    assert client_for(other_county).get(reverse("record-attachment", args=[record.pk])).status_code == 404


def test_county_page_shows_twelve_months_with_zero_months(county: Any) -> None:
    client = client_for(county)
    response = client.get(reverse("records-place", args=["620123"]))
    assert response.status_code == 200
    assert [row.code for row in response.context["rows"]] == ["R07.1", "R07.2", "R07.3"]
    months = rule_row(response, "R07.3").cells
    assert len(months) == 12
    assert [(c.count, c.met) for c in months[:6]] == [(0, False)] * 6
    assert [c.count for c in months[6:]] == [None] * 6  # July–December have not begun
    html = response.content.decode()
    assert "0 ✗" in html and "—" in html
    assert rule_row(response, "R07.1").cells[0].met is False  # no 驻村工作领导小组 headed by the secretary

    last_year = client.get(reverse("records-place", args=["620123"]), {"year": 2023})
    assert [(c.count, c.met) for c in rule_row(last_year, "R07.3").cells] == [(0, False)] * 12


def test_counts_one_aggregate_query(county: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(county)
    for day in (3, 10, 17):
        post(client, kinds=kind_ids(COUNTY_TEAM_HEADS), date=f"2024-0{day % 5 + 1}-{day:02d}")
    assert DutyRecord.objects.count() == 3
    url = reverse("records-place", args=["620123"])
    client.get(url)  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert sum(c.count or 0 for c in rule_row(response, "R07.3").cells) == 3


def test_future_date_refused(county: Any) -> None:
    response = post(client_for(county), date="2024-06-15")
    assert errors(response) == {"date": [zh(Msg.FUTURE_DATE, today="2024-06-14")]}
    assert not DutyRecord.objects.exists()


def test_place_out_of_scope_refused(county: Any) -> None:
    response = post(client_for(county), place="620521")
    assert errors(response) == {"place": [zh(Msg.RECORD_OUT_OF_SCOPE)]}
    assert not DutyRecord.objects.exists()


def test_unknown_place_refused(county: Any) -> None:
    response = post(client_for(county), place="629999")
    assert errors(response) == {"place": [zh(Msg.UNKNOWN_PLACE, value="629999")]}
    assert not DutyRecord.objects.exists()


def test_kind_needs_its_place_level(county: Any) -> None:
    response = post(client_for(county), place="620123101")  # a township for a county meeting
    kind = DutyRecordKind.objects.get(code=COUNTY_PROMOTION)
    assert errors(response) == {
        "__all__": [zh(Msg.KIND_SUBJECT, kind=kind.name, fields="县（市、区）（所涉行政区划）")]
    }
    assert not DutyRecord.objects.exists()


def test_no_kind_refused(county: Any) -> None:
    response = post(client_for(county), kinds=[])
    assert errors(response) == {"kinds": [zh(Msg.RECORD_NEEDS_KIND)]}


def test_unknown_people_listed(county: Any, leaders: dict[str, Any]) -> None:
    response = post(client_for(county), person="NOBODY", participants="PA, X1\nX2、PB")
    assert errors(response) == {
        "person": [zh(Msg.UNKNOWN_PERSON, codes="NOBODY")],
        "participants": [zh(Msg.UNKNOWN_PERSON, codes="X1、X2")],
    }
    assert "找不到人员编码 X1、X2。" in response.content.decode()
    assert not DutyRecord.objects.exists()


def test_attachment_too_big_refused(county: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duty_record_models, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"x" * (1024 * 1024), content_type="application/pdf")
    response = post(client_for(county), attachment=big)
    assert errors(response) == {"attachment": [zh(Msg.ATTACHMENT_TOO_BIG) % {"limit": 1}]}
    assert "附件不能超过 1 MB。" in response.content.decode()
    assert not DutyRecord.objects.exists()


def test_attachment_wrong_type_refused(county: Any) -> None:
    exe = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")
    response = post(client_for(county), attachment=exe)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        FileExtensionValidator(duty_record_models.ATTACHMENT_TYPES)(SimpleUploadedFile("setup.exe", b""))
    expected = list(refused.value.messages)
    assert errors(response) == {"attachment": expected}
    assert "exe" in expected[0]
    assert not DutyRecord.objects.exists()


def test_other_county_page_is_404(county: Any) -> None:
    client = client_for(county)
    assert client.get(reverse("records-place", args=["620521"])).status_code == 404
    assert client.get(reverse("records-place", args=["620123101"])).status_code == 200  # its township


def test_without_permission_403(place_tree: factories.Tree) -> None:
    leader = factories.user_with_role(Role.TEAM_LEADER, place=place_tree["620123101201"], username="leader")
    client = client_for(leader)
    assert client.get(reverse("records-place", args=["620123"])).status_code == 403
    assert client.get(reverse("record-new")).status_code == 403
    assert post(client).status_code == 403
    assert not DutyRecord.objects.exists()


def test_anonymous_redirected_to_login(db: None) -> None:
    response = Client().get(reverse("record-new"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_unit_liaison_sees_own_unit_only(place_tree: factories.Tree) -> None:
    own = factories.UnitFactory(code="UA", name="组长单位")
    other = factories.UnitFactory(code="UB", name="另一单位")
    GroupLeaderAssignment.objects.create(unit=own, county=place_tree["620123"], start=datetime.date(2019, 7, 31))
    liaison = factories.user_with_role(Role.UNIT_LIAISON, unit=own, username="liaison")
    client = client_for(liaison)

    # A three-level joint meeting for the county the unit leads: the county is outside the liaison's
    # places, but the unit is theirs, so it is accepted and shown on the unit's page.
    response = post(client, kinds=kind_ids("three-level-joint-meeting"), unit="ua", title="联席会议")
    assert response.status_code == 302
    assert response["Location"] == reverse("records-unit", args=["UA"])

    response = client.get(reverse("records-unit", args=["UA"]))
    assert response.status_code == 200
    assert [row.code for row in response.context["rows"]] == ["R05.1", "R05.4", "R03.1", "R03.2", "R03.3", "R03.4"]
    assert [c.count for c in rule_row(response, "R03.1").cells] == [1, None]  # first half; second not begun
    assert client.get(reverse("records-unit", args=["UB"])).status_code == 404
    assert client.get(reverse("records-place", args=["620123"])).status_code == 404

    response = post(client, kinds=kind_ids("party-committee-study"), place="", unit="UB")
    assert errors(response) == {"unit": [zh(Msg.UNKNOWN_UNIT, value="UB")]}
    assert DutyRecord.objects.count() == 1
    assert other.pk


def test_place_page_links_to_records(county: Any) -> None:
    response = client_for(county).get(reverse("place-detail", args=["620123"]))
    assert reverse("records-place", args=["620123"]) in response.content.decode()


def test_period_cells_pure() -> None:
    cells = period_cells(kind="quarter", year=2024, minimum=1, months={1: 1, 5: 2}, today=TODAY)
    assert [(c.label, c.count, c.met) for c in cells] == [
        ("第1季度", 1, True),
        ("第2季度", 2, True),
        ("第3季度", None, None),
        ("第4季度", None, None),
    ]
    assert split_codes(" pa，PB、pc\n\npa ") == ["PA", "PB", "PC"]
