"""Locust users for benchmarks/load.py (issue 5, item 8); run by measure_load, not by hand.

Each simulated user logs in through the login form as its own member of its own group, then
visits that group's dashboard, session list and half-year summary in turn, with a think time
between pages. Every request is appended to LOAD_SAMPLES_FILE as one JSON line
[started (epoch s), page, milliseconds, ok] so that load.py computes the figures itself.

Environment (set by load.py): LOAD_USERS_FILE (JSON list of {username, password, group, term}),
LOAD_SAMPLES_FILE, LOAD_THINK_MIN, LOAD_THINK_MAX (seconds).
"""

import itertools
import json
import os
import re
import time
from pathlib import Path

from locust import HttpUser, between, events, task

LOGINS = json.loads(Path(os.environ["LOAD_USERS_FILE"]).read_text(encoding="utf-8"))
_next_login = itertools.count()
_samples = open(os.environ["LOAD_SAMPLES_FILE"], "a", encoding="utf-8")  # noqa: SIM115
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@events.request.add_listener
def _record(name, response_time, exception, start_time=None, **_kwargs):
    started = start_time if start_time is not None else time.time() - response_time / 1000
    _samples.write(json.dumps([started, name, response_time, exception is None]) + "\n")
    _samples.flush()


class GroupMember(HttpUser):
    wait_time = between(float(os.environ["LOAD_THINK_MIN"]), float(os.environ["LOAD_THINK_MAX"]))

    def on_start(self):
        login = LOGINS[next(_next_login) % len(LOGINS)]
        base = f"/g/{login['group']}"
        query = f"?term={login['term']}"
        self.pages = itertools.cycle(
            [
                ("dashboard", f"{base}/{query}"),
                ("session list", f"{base}/sessions/{query}"),
                ("summary", f"{base}/reports/{login['term']}/summary/"),
            ]
        )
        form = self.client.get("/accounts/login/", name="login form")
        self._keep_cookies()
        token = CSRF_FIELD.search(form.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": login["username"],
                "password": login["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login as {login['username']}: {response.status_code}")
        self._keep_cookies()

    def _keep_cookies(self):
        """Send the Secure cookies back over plain HTTP.

        With DEBUG off the session and CSRF cookies are marked Secure; the load runs over plain
        HTTP on loopback (no TLS proxy in the measurement), where a client would not send them.
        """
        for cookie in self.client.cookies:
            cookie.secure = False

    @task
    def next_page(self):
        name, url = next(self.pages)
        # A redirect (e.g. to the login page) is a failure, not a success after one more hop.
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{url}: {r.status_code}")
        self._keep_cookies()
