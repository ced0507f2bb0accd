"""Locust users of the province dashboard, driven by ``bench/dashboard_load.py`` (not meant to be run alone).

The harness writes a plan (JSON) and points ``DASHBOARD_BENCH_PLAN`` at it:

    {"cookies": ["<sessionid>", …], "overview": "/dashboard/places/620000/?year=2019",
     "json": "/api/v1/dashboard/places/620000/?year=2019",
     "prefectures": ["/dashboard/places/620100/?year=2019", …], "wait": 0.0, "out": "/tmp/…/requests.jsonl"}

Each user takes the next session cookie of the plan and loops: the province overview page (weight 6), the JSON its
charts read (3) and a random prefecture's page (1), with ``wait`` seconds between requests. Anything but a 200
(a redirect to the login page included: redirects are not followed) is a failure. Every request's start, name,
response time (ms) and outcome is appended to ``out`` for the harness to compute exact percentiles.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any

from locust import FastHttpUser, constant, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["DASHBOARD_BENCH_PLAN"]).read_text(encoding="utf-8"))
COOKIES = itertools.cycle(PLAN["cookies"])
RECORDS: list[tuple[float, str, float, int, bool]] = []


@events.request.add_listener
def record(
    request_type: str, name: str, response_time: float, response: Any, exception: Any, start_time: float, **_: Any
) -> None:
    """Keep every request: (start, name, ms, status, ok)."""
    status = getattr(response, "status_code", 0) or 0
    RECORDS.append((start_time, name, response_time, status, exception is None))


@events.quitting.add_listener
def dump(**_: Any) -> None:
    """Write the requests for the harness (one JSON array per line)."""
    with open(PLAN["out"], "w", encoding="utf-8") as out:
        for row in RECORDS:
            out.write(json.dumps(row) + "\n")


class ProvincialGroup(FastHttpUser):
    """A member of the provincial coordination group looking at the dashboard, logged in with its own session."""

    wait_time = constant(PLAN.get("wait", 0.0))
    connection_timeout = 30.0
    network_timeout = 60.0

    def on_start(self) -> None:
        # X-Forwarded-Proto: as behind the TLS-terminating proxy of a deployment (the production settings trust it
        # and would otherwise redirect to https).
        self.headers = {"Cookie": f"sessionid={next(COOKIES)}", "X-Forwarded-Proto": "https"}

    def _get(self, path: str, name: str) -> None:
        with self.client.get(
            path, name=name, headers=self.headers, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()

    @task(6)
    def overview(self) -> None:
        self._get(PLAN["overview"], "overview_html")

    @task(3)
    def overview_json(self) -> None:
        self._get(PLAN["json"], "overview_json")

    @task(1)
    def prefecture(self) -> None:
        self._get(random.choice(PLAN["prefectures"]), "prefecture_html")
