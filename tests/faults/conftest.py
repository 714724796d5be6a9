"""Fixtures of the fault tests: a term's records, a Celery app on a real (or a dead) broker, and
a real worker process against the test database."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from reports.models import ReportFile
from reports.services import report_files
from studygroup.celery import app as project_app
from tests.conftest import require_postgresql
from tests.reports.pdf_helpers import make_narrative, make_term_records

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def render_calls(monkeypatch):
    """The documents rendered, counted while rendering for real."""
    calls = []
    real = report_files.render_pdf

    def counting(html, **kwargs):
        calls.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr(report_files, "render_pdf", counting)
    return calls


@pytest.fixture
def records(group, term, secretary, leader, member):
    make_term_records(group=group, term=term, members=[secretary, leader, member])
    return make_narrative(group=group, term=term, approved=True, approver=leader)


def closed_port_url() -> str:
    """A Redis URL on a port of 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def silent_broker_url():
    """A Redis URL whose server accepts connections and never answers (a hung Redis)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


@pytest.fixture
def use_broker():
    """Make the project's task publish to a broker: use_broker(url) -> the app (its queue is
    app.conf.task_default_queue, of this test alone). The project app stays eager and current
    again afterwards."""
    apps = []

    def configure(url: str, **conf) -> Celery:
        app = Celery(f"studygroup-faults-{len(apps)}", set_as_current=False)
        app.config_from_object("django.conf:settings", namespace="CELERY")
        app.conf.update(
            broker_url=url,
            result_backend=None,
            task_always_eager=False,
            task_ignore_result=True,
            task_default_queue=f"test-faults-{uuid.uuid4().hex}",
            broker_connection_retry_on_startup=False,
            **conf,
        )
        # Current in this thread, default in others (a request run in a thread).
        app.set_current()
        app.set_default()
        apps.append(app)
        return app

    try:
        yield configure
    finally:
        project_app.set_current()
        project_app.set_default()
        for app in apps:
            _delete_queue_keys(app.conf.broker_url, app.conf.task_default_queue)


def _delete_queue_keys(url: str, queue: str) -> None:
    """The test's own queue and kombu's bindings for it; nothing else in the Redis database."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
    except redis.RedisError:
        pass  # a dead broker of the test's own making


def require_server_database() -> None:
    """A worker in another process needs a database it can open: PostgreSQL (as in CI), not the
    in-memory SQLite the tests use by default."""
    require_postgresql(
        "a worker in another process cannot open the in-memory SQLite test database"
    )


def _test_database_url() -> str:
    s = connection.settings_dict
    return (
        f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:"
        f"{s['PORT'] or 5432}/{s['NAME']}"
    )


class WorkerProcess:
    """`celery worker` of the project in a process of its own, on the test database."""

    def __init__(self, *, broker_url: str, queue: str, media_root: Path, log: Path, env: dict,
                 pool: str = "solo"):
        self.log = log
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "studygroup.settings_test",
            "DATABASE_URL": _test_database_url(),
            "CELERY_BROKER_URL": broker_url,
            "CELERY_RESULT_BACKEND": "",
            "MEDIA_ROOT": str(media_root),
            "PYTHONPATH": str(ROOT),
            **env,
        }
        with open(log, "ab") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "studygroup", "worker",
                    "--pool", pool, "--concurrency", "1", "--queues", queue,
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                    "--loglevel", "INFO", "--hostname", f"faults-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture
def start_worker_process(tmp_path, media_root):
    """start_worker_process(broker_url, queue, **env) -> a WorkerProcess, stopped after the test."""
    workers = []

    def start(broker_url: str, queue: str, pool: str = "solo", **env) -> WorkerProcess:
        worker = WorkerProcess(
            broker_url=broker_url, queue=queue, media_root=media_root,
            log=tmp_path / f"worker-{len(workers)}.log", env=env, pool=pool,
        )
        workers.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        # The workers' connections to the test database end with them.
        connection.close()


def wait_for(report_file: ReportFile, done, *, timeout: float, worker=None) -> ReportFile:
    """Poll the row until done(row) or the timeout; the worker's log tells why when it fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report_file.refresh_from_db()
        if done(report_file):
            return report_file
        time.sleep(0.1)
    log = worker.output().split(" ready.", 1)[-1][-6000:] if worker else ""
    pytest.fail(f"report file still {report_file.status} after {timeout} s\n{log}")


def _close_worker_connections(**kwargs):
    # The worker thread's own database connections: closed so the test database can be dropped.
    from django.db import connections

    connections.close_all()


@pytest.fixture
def thread_worker():
    """thread_worker(app): a Celery worker (solo pool) in a thread of this process, as in
    tests/reports/test_tasks_celery_worker.py; the test must be transactional."""
    from contextlib import contextmanager

    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    @contextmanager
    def run(app):
        task_postrun.connect(_close_worker_connections, weak=False)
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
                yield
        finally:
            task_postrun.disconnect(_close_worker_connections)
            app.set_current()  # start_worker leaves its app current: use_broker restores later

    return run


def add_sessions(*, group, term, host, count: int) -> None:
    """count more study sessions in the term (a bigger document to render)."""
    import datetime as dt

    from sessions_app.models import SessionFormat, StudySession

    StudySession.objects.bulk_create(
        StudySession(
            group=group,
            term=term,
            date=dt.date(2020, 1, 1) + dt.timedelta(days=i % 180),
            format=SessionFormat.TOPIC_STUDY,
            topic=f"加场学习专题{i + 1}",
            host=host,
        )
        for i in range(count)
    )
