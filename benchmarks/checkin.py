"""Benchmark item 10: QR check-in under the load of a session's start (issue 14).

The app runs under gunicorn on 127.0.0.1 as in item 8 (benchmarks/load.py: production settings,
PostgreSQL, collected static files), with a SECRET_KEY this process knows, so that it can sign
the members in without the login form (Django's test Client.force_login under that key: item 8
measures logins; here they would only add PBKDF2's half second per person before the minute).

A group of 50 members (bench-checkin, made once, its attendance cleared before each run) has a
session today whose check-in window is open now. A "projector" thread, signed in as the
secretary, asks the projector's code endpoint for the current code whenever the page's script
would (refresh_ms); each member arrives at a random moment within one minute (a fixed seed),
opens the current code's URL with their own session, and must be marked present: a request
counts as an error unless it answers 200 with the success message. Then, as a harder case, the
attendance is cleared again and all 50 open the URL at the same moment (a burst).

Figures: p50/p95/max of the check-in requests (client-side, on loopback), errors, the code
endpoint's p95, and over the spread minute the CPU the gunicorn workers and their PostgreSQL
backends used per check-in (item 8's CpuSampler) with how busy the whole machine was: on a
shared machine the times say as much about the neighbours as about the app.

Run through benchmarks/run.py (`./scripts/bench --only 10`), which sets Django up on the
benchmark database first.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

from benchmarks.load import CpuSampler, _free_port, _wait_until_up, percentile, prepare_server

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench-checkin"
MEMBERS = 50
SUCCESS_MARK = 'id="checkin-done"'


class CheckinWindowMissing(RuntimeError):
    """The day has too little left for a session window around now (just before midnight)."""


def checkin_group(members: int = MEMBERS):
    """The benchmark's own group: a secretary and `members` members, made once; returns the
    group, its secretary and its members (sessions_app models). Needs Django set up."""
    from django.db import transaction

    from sessions_app.models import Member, StudyGroup
    from tests.factories import MemberFactory, StudyGroupFactory

    group = StudyGroup.objects.filter(slug=SLUG).first()
    if group is None:
        with transaction.atomic():
            group = StudyGroupFactory(slug=SLUG, name="基准测试签到理论学习中心组")
            MemberFactory(group=group, role=Member.Role.SECRETARY, display_name="签到秘书",
                          user__username=f"{SLUG}-secretary")
            for i in range(members):
                MemberFactory(group=group, display_name=f"签到成员{i + 1:02d}",
                              user__username=f"{SLUG}-{i + 1:02d}")
    people = list(Member.objects.filter(group=group).select_related("user").in_rank_order())
    secretary = next(m for m in people if m.role == Member.Role.SECRETARY)
    return group, secretary, [m for m in people if m is not secretary][:members]


def session_now(group):
    """A session of the group today whose check-in window is open now: it started two minutes
    ago (within the five minutes' grace, so the members are present) and ends an hour on,
    within the day. Made or moved each run."""
    from django.utils import timezone

    from sessions_app.models import StudySession
    from sessions_app.services.terms import term_for_day

    now = timezone.localtime()
    day = now.date()
    start = max(now - dt.timedelta(minutes=2), now.replace(hour=0, minute=0, second=0))
    end = min(now + dt.timedelta(hours=1), now.replace(hour=23, minute=59, second=0))
    if end - now < dt.timedelta(minutes=4):
        raise CheckinWindowMissing("less than 4 minutes are left of the day: run after midnight")
    session = StudySession.objects.filter(group=group, topic="签到基准测试").first()
    if session is None:
        session = StudySession(group=group, topic="签到基准测试", place="会议室")
    session.date = day
    session.start_time = start.time().replace(second=0, microsecond=0)
    session.end_time = end.time().replace(second=0, microsecond=0)
    session.term = term_for_day(group=group, day=day, user=None)
    session.full_clean(exclude=["group", "term", "host", "planned_topic"])
    session.save()
    return session


def session_cookies(users, secret_key: str) -> dict[int, str]:
    """A signed-in session for each user, as the server (SECRET_KEY secret_key) will read it:
    {user id: session key}."""
    from django.test import Client
    from django.test.utils import override_settings

    keys = {}
    with override_settings(SECRET_KEY=secret_key):
        for user in users:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            keys[user.pk] = client.cookies["sessionid"].value
    return keys


class Projector(threading.Thread):
    """Keeps the current check-in URL, asking the code endpoint when the code changes."""

    def __init__(self, port: int, path: str, cookie: str):
        super().__init__(daemon=True)
        self.port, self.path, self.cookie = port, path, cookie
        self.url: str | None = None
        self.ready = threading.Event()
        self.halt = threading.Event()
        self.timings: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.halt.is_set():
            started = time.perf_counter()
            status, body = get(self.port, self.path, self.cookie)
            self.timings.append((time.perf_counter() - started) * 1000)
            if status != 200:
                self.errors.append(f"code endpoint: {status}")
                self.halt.wait(1)
                continue
            code = json.loads(body)
            if not code["open"]:
                self.errors.append(f"check-in is not open: {code['message']}")
                self.ready.set()
                return
            self.url = urllib.parse.urlsplit(code["url"]).path
            self.ready.set()
            self.halt.wait(code["refresh_ms"] / 1000)


def get(port: int, path: str, session_key: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Cookie": f"sessionid={session_key}",
                                                 "Accept-Language": "zh-CN"})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _figures(samples: list[tuple[float, bool]]) -> dict:
    times = [ms for ms, _ok in samples]
    return {
        "requests": len(samples),
        "errors": sum(1 for _ms, ok in samples if not ok),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1) if times else float("nan"),
    }


def _check_in_all(port, projector, keys, offsets) -> list[tuple[float, bool]]:
    """Each member opens the projector's current URL at their offset (seconds from now)."""
    samples: list[tuple[float, bool]] = []
    lock = threading.Lock()
    start = time.monotonic() + 0.5

    def arrive(key: str, offset: float) -> None:
        time.sleep(max(0.0, start + offset - time.monotonic()))
        began = time.perf_counter()
        status, body = get(port, projector.url, key)
        elapsed = (time.perf_counter() - began) * 1000
        with lock:
            samples.append((elapsed, status == 200 and SUCCESS_MARK in body))

    threads = [threading.Thread(target=arrive, args=(key, offset))
               for key, offset in zip(keys, offsets, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def measure_checkin(*, database_url: str, members: int = MEMBERS, seconds: float = 60,
                    workers: int | None = None, seed: int = 14) -> dict:
    """Run the check-in load (see the module docstring) and return its figures:
    spread and burst ({requests, errors, p50_ms, p95_ms, max_ms}), code_p95_ms, recorded (rows
    checked in after the spread run), workers, load average before and after."""
    import os

    from sessions_app.models import Attendance

    group, secretary, people = checkin_group(members)
    session = session_now(group)
    Attendance.objects.filter(session=session).delete()
    secret_key = secrets.token_urlsafe(50)
    keys = session_cookies([secretary.user, *[m.user for m in people]], secret_key)
    workers = workers or 2 * (os.cpu_count() or 1) + 1
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-checkin-") as tmp:
        env = prepare_server(database_url, Path(tmp))
        env["SECRET_KEY"] = secret_key
        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "studygroup.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning",
             # Booting a worker (Django, WeasyPrint's import) took over gunicorn's default 30 s
             # on a machine at load average 15: it was killed before serving anything.
             "--timeout", "120"],
            env=env, cwd=ROOT,
        )
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/accounts/login/")
            code_path = f"/g/{group.slug}/sessions/{session.pk}/checkin/code/"
            projector = Projector(port, code_path, keys[secretary.user_id])
            projector.start()
            if not projector.ready.wait(30) or projector.url is None:
                raise RuntimeError(f"the projector got no code: {projector.errors}")
            member_keys = [keys[m.user_id] for m in people]
            # Warm every worker once (imports, connections), as a server that has been up.
            for _ in range(workers * 2):
                get(port, f"/g/{group.slug}/sessions/{session.pk}/", member_keys[0])
            rng = random.Random(seed)
            sampler = CpuSampler(server.pid)
            sampler.start()
            began = time.time()
            spread = _check_in_all(port, projector, member_keys,
                                   [rng.uniform(0, seconds) for _ in people])
            time.sleep(1)  # one more sample after the last request
            sampler.stop()
            cpu = sampler.used_between(began, time.time())
            recorded = Attendance.objects.filter(
                session=session, checked_in_at__isnull=False
            ).count()
            Attendance.objects.filter(session=session).delete()
            burst = _check_in_all(port, projector, member_keys, [0.0] * len(people))
            projector.halt.set()
            projector.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    return {
        "members": len(people),
        "seconds": seconds,
        "spread": _figures(spread),
        "burst": _figures(burst),
        "code_p95_ms": round(percentile(projector.timings, 95), 1),
        "code_requests": len(projector.timings),
        "projector_errors": projector.errors,
        "recorded": recorded,
        # Server CPU over the spread minute, per check-in (the projector's few code requests
        # included): what a check-in costs on an idle machine, whatever else ran meanwhile.
        "web_cpu_ms_per_checkin": round(1000 * cpu["web"] / len(people), 1),
        "db_cpu_ms_per_checkin": round(1000 * cpu["db"] / len(people), 1),
        "machine_cores_busy": round(cpu["machine"] / cpu["seconds"], 2),
        "workers": workers,
        "load_average_before": round(load_before, 2),
        "load_average_after": round(os.getloadavg()[0], 2),
    }
