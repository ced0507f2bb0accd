"""Locust users logging their work, driven by ``bench/load.py`` (not meant to be run alone).

The harness writes a plan (JSON) and points ``LOAD_BENCH_PLAN`` at it:

    {"people": [{"kind": "visit", "cookie": "<sessionid>", "slots": [["GEN-H…", "2026-11-25"], …]},
                {"kind": "duty", "cookie": "<sessionid>"}, …],
     "today": "2026-11-25", "wait": 1.0, "out": "/tmp/…/requests.jsonl"}

Each user is one person of the plan, logged in with their own session, and loops as a person does on a phone:
open the form (GET), then submit it (POST). A helper logs a visit in each of their free slots in turn (a
household and a day of the last 90 with no visit yet: one visit per helper, household and day is the
model's rule); a cadre records how they spent a day, a day further back each time (replacing the day's
record when there is one). Between requests, a think time drawn between half and one and a half
``wait`` seconds (people do not act in step; a constant wait with all users starting together sends
the requests in waves). A form is answered with a
redirect when saved; anything else (the form again, with an error, a 403, a 500) is a failure. Every request's
start, name, response time (ms) and outcome is appended to ``out``.

The CSRF token is a random 32-character secret sent both as the ``csrftoken`` cookie and as the form's
``csrfmiddlewaretoken`` (Django accepts the unmasked secret); ``Referer`` is the form's https address, as a
browser behind the TLS proxy sends it.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import secrets
import string
from pathlib import Path
from typing import Any

from locust import FastHttpUser, between, events, task

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_BENCH_PLAN"]).read_text(encoding="utf-8"))
PEOPLE = itertools.cycle(PLAN["people"])
TODAY = datetime.date.fromisoformat(PLAN["today"])
KINDS = ["village_night", "village", "trip", "meeting", "training", "leave"]
RECORDS: list[tuple[float, str, float, int, bool]] = []


@events.request.add_listener
def record(
    request_type: str, name: str, response_time: float, response: Any, exception: Any, start_time: float, **_: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0
    RECORDS.append((start_time, name, response_time, status, exception is None))


@events.quitting.add_listener
def dump(**_: Any) -> None:
    with open(PLAN["out"], "w", encoding="utf-8") as out:
        for row in RECORDS:
            out.write(json.dumps(row) + "\n")


class Staff(FastHttpUser):
    """A helper logging visits, or a stationed cadre recording duty days, with their own session."""

    # People do not act in step: a think time drawn between half and one and a half times ``wait``.
    wait_time = between(PLAN.get("wait", 1.0) * 0.5, PLAN.get("wait", 1.0) * 1.5)
    connection_timeout = 30.0
    network_timeout = 60.0

    def on_start(self) -> None:
        self.person = next(PEOPLE)
        self.token = "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(32))
        self.cookie = f"sessionid={self.person['cookie']}; csrftoken={self.token}"
        self.round = 0
        self.wait()  # a think time before the first request too: people do not open their forms in the same second

    def _call(self, method: str, path: str, name: str, expect: int, data: dict[str, str] | None = None) -> None:
        headers = {"Cookie": self.cookie, "X-Forwarded-Proto": "https", "Referer": f"https://{self.host_name}{path}"}
        with self.client.request(
            method, path, name=name, headers=headers, data=data, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != expect:
                response.failure(f"HTTP {response.status_code}")
            else:
                response.success()

    @property
    def host_name(self) -> str:
        return self.host.split("://", 1)[1]

    @task
    def log(self) -> None:
        self.round += 1
        if self.person["kind"] == "visit":
            household, day = self.person["slots"][self.round - 1]
            self._call("GET", f"/visits/new/?household={household}", "visit_form", 200)
            data = {"household": household, "date": day, "industry": "了解种养殖情况",
                    "csrfmiddlewaretoken": self.token}  # fmt: skip
            self._call("POST", "/visits/new/", "visit_save", 302, data)
        else:
            day = TODAY - datetime.timedelta(days=self.round)
            self._call("GET", "/duty/", "duty_form", 200)
            data = {"date": day.isoformat(), "kind": random.choice(KINDS), "location": "",
                    "csrfmiddlewaretoken": self.token}  # fmt: skip
            self._call("POST", "/duty/", "duty_save", 302, data)
