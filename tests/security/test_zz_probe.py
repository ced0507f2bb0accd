import time
import pytest
from django.urls import reverse
from tests.security.test_every_url import world, REGISTRY, ROLES, client_for, PROVINCE_WIDE, SHORT  # noqa
pytestmark = pytest.mark.django_db

def test_probe(world):
    c = client_for(world.users["county_staff"])
    res = []
    for name, e in REGISTRY.items():
        for q in e.queries:
            url = reverse(name, kwargs=e.inside(world, "county_staff")) + q
            t = time.perf_counter()
            for _ in range(3):
                c.get(url)
            res.append(((time.perf_counter() - t) / 3 * 1000, url))
    for ms, url in sorted(res, reverse=True):
        print(f"{ms:7.1f} {url}")
