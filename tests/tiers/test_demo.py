"""The demo region: Gansu's real prefectures and counties, generated below, one login per role."""

import pytest

from tiers import models
from tiers.demo import DemoSize, demo_load, read_divisions

pytestmark = pytest.mark.django_db


def test_divisions_are_gansus_14_prefectures_and_86_counties():
    rows = read_divisions()
    levels = [r["level"] for r in rows]
    assert levels.count("province") == 1 and levels.count("prefecture") == 14 and levels.count("county") == 86
    by_code = {r["code"]: r["name"] for r in rows}
    assert by_code["620000"] == "甘肃省"
    assert by_code["620100"] == "兰州市"
    assert by_code["622900"] == "临夏回族自治州"
    assert by_code["623000"] == "甘南藏族自治州"
    assert by_code["620123"] == "榆中县"
    assert by_code["620881"] == "华亭市"  # 撤县设市 in 2018, before the document


def test_demo_load_builds_a_consistent_tree_and_is_idempotent():
    first = demo_load(size=DemoSize(townships_per_county=1, villages_per_township=2), password="pw-demo-1")
    counts = {level: models.Place.objects.filter(level=level).count() for level, _ in models.Place.level.field.choices}
    assert counts == {"province": 1, "prefecture": 14, "county": 86, "township": 86, "village": 172}
    assert models.Place.objects.get(code="620123").numchild == 1
    yuzhong_villages = models.Place.objects.get_descendants(models.Place.objects.get(code="620123"))
    assert {p.code[:6] for p in yuzhong_villages} == {"620123"}
    assert models.GroupLeaderAssignment.objects.count() == 86
    assert models.ContactLeaderAssignment.objects.count() == 86
    assert models.AssistanceAssignment.objects.count() == 172

    people = models.Person.objects.count()
    second = demo_load(size=DemoSize(townships_per_county=1, villages_per_township=2), password="pw-demo-1")
    assert second["places_created"] == 0
    assert models.Person.objects.count() == people
    assert [row[0] for row in first["logins"]] == [row[0] for row in second["logins"]]


def test_demo_users_see_their_part(client):
    demo_load(size=DemoSize(townships_per_county=1, villages_per_township=1), password="pw-demo-1")
    from django.contrib.auth import get_user_model

    yuzhong = get_user_model().objects.get(username="yuzhong")
    assert {p.code[:6] for p in models.Place.objects.visible_to(yuzhong)} == {"620123"}
    response = client.post("/accounts/login/", {"username": "yuzhong", "password": "pw-demo-1"})
    assert response.status_code == 302
    assert client.get("/places/620123/").status_code == 200
    assert client.get("/places/620102/").status_code == 404
