"""The attendance import page: a clerk uploads a monthly export; any bad row saves nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories
from tests.villagecorps.factories import MembershipFactory, TeamFactory
from tiers.choices import Role
from villagecorps.models import DutyDay

pytestmark = pytest.mark.django_db
URL = "/duty/import/"


@pytest.fixture
def clerk_and_member(place_tree, user_with_role, client):
    team = TeamFactory(village=place_tree["620122101201"], start=datetime.date(2019, 1, 1))
    member = MembershipFactory(team=team, person=factories.PersonFactory(code="ZC001"), start=datetime.date(2019, 1, 1))
    clerk = user_with_role(Role.TOWNSHIP_STAFF, place=place_tree["620122101"], password=None)
    client.force_login(clerk)
    return client, member


def upload(client, text: str):
    file = SimpleUploadedFile("kaoqin.csv", text.encode("utf-8-sig"), content_type="text/csv")
    return client.post(URL, {"file": file}, HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_url():
    assert reverse("villagecorps:duty-import") == URL


def test_a_good_file_is_imported(clerk_and_member):
    client, member = clerk_and_member
    response = upload(client, "人员编码,日期,类别\nZC001,2019-05-06,在村工作并住村\nZC001,2019/5/7,会议\n")
    assert response.status_code == 302
    assert list(DutyDay.objects.order_by("date").values_list("kind", flat=True)) == ["village_night", "meeting"]
    assert "已导入 2 天驻村考勤。" in client.get(URL).content.decode()


def test_a_file_with_a_bad_row_saves_nothing_and_names_the_row(clerk_and_member):
    client, _ = clerk_and_member
    response = upload(
        client, "人员编码,日期,类别\nZC001,2019-05-06,住村\nZC001,2019-13-40,住村\nZZ999,2019-05-08,住村\n"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 3 行" in page and "第 4 行" in page
    assert not DutyDay.objects.exists()


def test_needs_the_permission(place_tree, client):
    client.force_login(factories.UserFactory(password=None))
    assert client.get(URL).status_code == 403
