"""Benchmark (issue 5, item 8): the app under load from many users of many groups.

Starts gunicorn on 127.0.0.1 (a free port) against the given PostgreSQL database with production
settings (DEBUG off, a random SECRET_KEY, persistent database connections, collected static files
in a temporary folder), except SECURE_SSL_REDIRECT=false: the load is plain HTTP on loopback, with
no TLS proxy in front. Then locust, headless, runs `users` simulated people for `seconds`: each
logs in through the login form as a different member of a different group and visits that group's
dashboard, session list and half-year summary in turn, thinking 1-3 s between pages (a person
reading a page before the next click; without think time 50 users would be 50 scripts in a
loop, a far heavier load than 50 people).

Figures are for the three pages, over `seconds` counted from the moment the last user has logged
in (the logins, PBKDF2 by design, are reported apart). The CPU the gunicorn workers and their
PostgreSQL backends spend in that window is sampled from /proc, per page request.

Every simulated person must be able to log in: before the load, the users' stored password is
checked with the server's own settings (SERVER_SETTINGS), and after it a failed or missing login
makes measure_load raise LoginsFailed, naming why, instead of returning figures of pages that
answered with the login form.

Run: .venv/bin/python benchmarks/load.py --database-url postgres://postgres@127.0.0.1/studygroup_bench
(`pip install -e .[bench]` first: locust and gunicorn). A database filled by
`manage.py seed_bulk` has the groups bulk-0001... and their shared password; seed it with the
server's password hasher (benchmarks/run.py does: seed_as_server), not under the test settings,
whose MD5 hasher the server cannot verify.
"""

import argparse
import json
import math
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("dashboard", "session list", "summary")
LOGIN = "login"
#: The settings module the measured gunicorn runs (with only STATIC_ROOT added: server_env).
SERVER_SETTINGS = "studygroup.settings"
#: The --list-logins child's exit status when the users cannot log in (password_problem).
LOGINS_REFUSED = 3


class LoginsFailed(RuntimeError):
    """The simulated people could not all log in: the load's figures would be for the login
    page, so none are reported. The message says why."""


def server_password_hashers() -> list[str]:
    """PASSWORD_HASHERS of SERVER_SETTINGS (Django's default when it sets none): the hashers
    the measured server verifies passwords with, whatever settings this process runs (which
    must be able to import SERVER_SETTINGS: Django set up, or SECRET_KEY or DEBUG given)."""
    import importlib

    from django.conf import global_settings

    module = importlib.import_module(SERVER_SETTINGS)
    return list(getattr(module, "PASSWORD_HASHERS", global_settings.PASSWORD_HASHERS))


# Figures -----------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """The pct-th percentile by linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _figures(samples: list[tuple[float, bool]], seconds: float) -> dict:
    times = [ms for ms, _ok in samples]
    return {
        "requests": len(samples),
        "errors": sum(1 for _ms, ok in samples if not ok),
        "requests_per_s": round(len(samples) / seconds, 1) if seconds > 0 else math.nan,
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "max_ms": round(max(times), 1) if times else math.nan,
    }


def summarise(rows: list[list], seconds: float) -> dict:
    """Figures from locust's sample rows [started, page, ms, ok].

    The window starts when the last login has finished and lasts `seconds` (less if the run
    ended sooner); page requests started in it count, logins are summarised on their own.
    """
    logins = [row for row in rows if row[1] == LOGIN]
    start = max((row[0] + row[2] / 1000 for row in logins), default=min(r[0] for r in rows))
    end = min(start + seconds, max(row[0] for row in rows))
    window = max(end - start, 0.0)
    in_window = [row for row in rows if row[1] in PAGES and start <= row[0] < end]
    by_page = defaultdict(list)
    for _started, page, ms, ok in in_window:
        by_page[page].append((ms, ok))
    figures = _figures([(ms, ok) for _s, _p, ms, ok in in_window], window)
    figures["window_s"] = round(window, 1)
    figures["window_start"] = start
    figures["window_end"] = end
    figures["pages"] = {page: _figures(by_page[page], window) for page in PAGES}
    figures["login"] = _figures([(ms, ok) for _s, _p, ms, ok in logins], window)
    figures["errors_outside_window"] = sum(
        1 for row in rows if not row[3] and row[1] != LOGIN and not start <= row[0] < end
    )
    return figures


def login_problem(figures: dict, users: int) -> str | None:
    """Why the run's figures cannot stand, from summarise's figures for `users` simulated
    people: a login that failed (the form answered again instead of redirecting) or a person
    who never logged in. None when every one logged in."""
    login = figures["login"]
    if login["errors"]:
        return (
            f"{login['errors']} of {login['requests']} logins failed (the login form did not "
            "redirect), so the pages measured would be the login page. Check that the password "
            "is the users' and was hashed with a hasher the server's settings list "
            f"({SERVER_SETTINGS}.PASSWORD_HASHERS; reseed with `manage.py seed_bulk --reset` "
            "under those settings), and that no earlier failures locked the users out (axes)."
        )
    if login["requests"] < users:
        return (
            f"only {login['requests']} of {users} simulated users logged in: the load did not "
            "run as asked (see locust's output above)."
        )
    return None


# Who logs in -------------------------------------------------------------------------------


def login_candidates(*, group_prefix: str) -> list[dict]:
    """Members able to log in, of groups whose slug starts with group_prefix, each with the
    group's latest term that has an approved summary (which every member may read; an
    unapproved one is for the secretary and leaders only). Needs Django set up."""
    from reports.models import ReportNarrative
    from sessions_app.models import Member

    latest_term = {}
    for group_slug, year, half in (
        ReportNarrative.objects.filter(
            group__slug__startswith=group_prefix,
            kind=ReportNarrative.Kind.SUMMARY,
            status=ReportNarrative.Status.APPROVED,
        )
        .values_list("group__slug", "term__year", "term__half")
        .distinct()
        .order_by("group__slug", "-term__year", "-term__half")
    ):
        latest_term.setdefault(group_slug, f"{year}H{half}")
    members = (
        Member.objects.filter(
            group__slug__startswith=group_prefix, left_on__isnull=True, user__is_active=True
        )
        .order_by("group__slug", "sort_order", "id")
        .values_list("group__slug", "user__username")
    )
    return [
        {"group": slug, "username": username, "term": latest_term[slug]}
        for slug, username in members
        if slug in latest_term
    ]


def pick_logins(candidates: list[dict], count: int) -> list[dict]:
    """One member from each of `count` different groups, a different member position in each
    group (the leader of the first, the next member of the second, ...), so that roles vary and
    no two simulated people share a user or a group."""
    by_group = defaultdict(list)
    for candidate in candidates:
        by_group[candidate["group"]].append(candidate)
    groups = sorted(by_group)
    if len(groups) < count:
        raise ValueError(f"{count} users need {count} groups; only {len(groups)} found")
    return [
        by_group[slug][index % len(by_group[slug])] for index, slug in enumerate(groups[:count])
    ]


def password_problem(usernames: list[str], password: str) -> str | None:
    """Why `password` will not log these users in under this process's settings (the
    server's, in the --list-logins child), or None. Checks each distinct stored hash once:
    bulk users share one, and PBKDF2 is slow on purpose. Needs Django set up."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password, identify_hasher

    stored = (
        get_user_model()
        .objects.filter(username__in=usernames)
        .order_by("username")
        .values_list("username", "password")
    )
    first_user = {}
    for username, encoded in stored:
        first_user.setdefault(encoded, username)
    for encoded, username in first_user.items():
        if not encoded or encoded.startswith("!"):
            return f"{username} has no usable password: every login would fail."
        try:
            identify_hasher(encoded)
        except ValueError:
            algorithm = encoded.split("$", 1)[0] or "none"
            return (
                f"the password of {username} (and of every user sharing its hash) is hashed with "
                f"'{algorithm}', which the server's settings ({SERVER_SETTINGS}) cannot verify: "
                "every login would fail. The database was seeded under other settings (the test "
                "settings use MD5); reseed it with `manage.py seed_bulk --reset` under "
                f"{SERVER_SETTINGS}, or let ./scripts/bench seed a fresh database."
            )
        if not check_password(password, encoded):
            return f"the password given is not {username}'s: every login would fail."
    return None


def _list_logins(
    database_url: str, users: int, group_prefix: str, password: str | None
) -> list[dict]:
    """pick_logins over the database at database_url, each with its password (seed_bulk's
    unless given), in a child process with its own Django."""
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "1"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [
        sys.executable,
        __file__,
        "--list-logins",
        "--users",
        str(users),
        "--group-prefix",
        group_prefix,
    ]
    if password:
        command += ["--password", password]
    child = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if child.returncode == LOGINS_REFUSED:
        raise LoginsFailed(json.loads(child.stdout)["refused"])
    if child.returncode:
        raise RuntimeError(f"listing the users to log in as failed:\n{child.stderr}")
    return json.loads(child.stdout)


# Server and CPU ----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


class CpuSampler(threading.Thread):
    """Samples, twice a second, the CPU seconds used so far by gunicorn's workers, by the
    PostgreSQL backends serving their connections (matched by the workers' client ports) and by
    the whole machine, and the load average: the machine may be shared with other work."""

    def __init__(self, master_pid: int):
        super().__init__(daemon=True)
        self.master_pid = master_pid
        self.samples: list[tuple[float, float, float, float, float]] = []
        self._backend_cpu: dict[int, float] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        import psutil

        master = psutil.Process(self.master_pid)
        worker_cpu: dict[int, float] = {}
        while not self._halt.wait(0.5):
            ports = set()
            for worker in master.children():
                try:
                    times = worker.cpu_times()
                    worker_cpu[worker.pid] = times.user + times.system
                    ports |= {
                        c.laddr.port
                        for c in worker.net_connections("tcp")
                        if c.raddr and c.raddr.port == 5432
                    }
                except psutil.NoSuchProcess:
                    continue
            for proc in psutil.process_iter(["name", "cmdline"]):
                cmdline = " ".join(proc.info["cmdline"] or [])
                if any(f"({port})" in cmdline for port in ports):
                    try:
                        times = proc.cpu_times()
                        self._backend_cpu[proc.pid] = times.user + times.system
                    except psutil.Error:
                        continue
            machine = psutil.cpu_times()
            self.samples.append(
                (
                    time.time(),
                    sum(worker_cpu.values()),
                    sum(self._backend_cpu.values()),
                    machine.user + machine.system + machine.nice,
                    os.getloadavg()[0],
                )
            )

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def used_between(self, start: float, end: float) -> dict:
        """CPU seconds (web, database, whole machine) between two moments, from the samples
        inside them, and the highest 1-minute load average seen."""
        inside = [s for s in self.samples if start <= s[0] <= end]
        if len(inside) < 2:
            return {
                "web": math.nan,
                "db": math.nan,
                "machine": math.nan,
                "load": math.nan,
                "seconds": math.nan,
            }
        first, last = inside[0], inside[-1]
        return {
            "web": last[1] - first[1],
            "db": last[2] - first[2],
            "machine": last[3] - first[3],
            "load": max(s[4] for s in inside),
            "seconds": last[0] - first[0],
        }


def with_random_page_cost(database_url: str, random_page_cost: float | None) -> str:
    """The database URL with the planner's random_page_cost set for each connection (None: the
    server's own setting). PostgreSQL's default, 4, prices an index lookup for a disk that
    seeks; with the data in memory it picks hash joins over whole tables (docs/SCALING.md)."""
    if random_page_cost is None:
        return database_url
    parts = urllib.parse.urlsplit(database_url)
    query = urllib.parse.parse_qsl(parts.query)
    query.append(("options", f"-c random_page_cost={random_page_cost:g}"))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def server_env(database_url: str, workdir: Path) -> dict:
    (workdir / "load_settings.py").write_text(
        f"from {SERVER_SETTINGS} import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n",
        encoding="utf-8",
    )
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "load_settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SECURE_SSL_REDIRECT": "false",
        "DB_CONN_MAX_AGE": "600",
        "ALLOWED_HOSTS": "127.0.0.1",
        "MEDIA_ROOT": str(workdir / "media"),
        "LOG_LEVEL": "WARNING",
    }


def prepare_server(database_url: str, workdir: Path) -> dict:
    """The server's environment (server_env), with its static files collected into workdir:
    what gunicorn, or any process that should behave as the server, runs with."""
    env = server_env(database_url, workdir)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    return env


# The measurement ---------------------------------------------------------------------------


def measure_load(
    *,
    database_url: str,
    users: int = 50,
    seconds: int = 60,
    think_min: float = 1.0,
    think_max: float = 3.0,
    workers: int | None = None,
    group_prefix: str = "bulk-",
    password: str | None = None,
    spawn_rate: float = 10.0,
    random_page_cost: float | None = None,
) -> dict:
    """Run the load and return its figures (see summarise); password defaults to seed_bulk's.

    Raises LoginsFailed, with the reason, when the users' password cannot log them in under the
    server's settings (checked before the load) or when any login failed during it.
    """
    workers = workers or 2 * (os.cpu_count() or 1) + 1
    database_url = with_random_page_cost(database_url, random_page_cost)
    logins = _list_logins(database_url, users, group_prefix, password)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        workdir = Path(tmp)
        env = prepare_server(database_url, workdir)
        port = _free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "studygroup.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=ROOT,
        )
        sampler = CpuSampler(server.pid)
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/accounts/login/")
            users_file = workdir / "users.json"
            users_file.write_text(json.dumps(logins), encoding="utf-8")
            samples_file = workdir / "samples.jsonl"
            ramp = users / spawn_rate + 15
            sampler.start()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(ROOT / "benchmarks/locustfile.py"),
                    "--headless",
                    "--only-summary",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--users",
                    str(users),
                    "--spawn-rate",
                    str(spawn_rate),
                    "--run-time",
                    f"{math.ceil(seconds + ramp)}s",
                    "--loglevel",
                    "WARNING",
                ],
                env={
                    **os.environ,
                    "LOAD_USERS_FILE": str(users_file),
                    "LOAD_SAMPLES_FILE": str(samples_file),
                    "LOAD_THINK_MIN": str(think_min),
                    "LOAD_THINK_MAX": str(think_max),
                },
                cwd=ROOT,
                check=False,
                stdout=subprocess.DEVNULL,
            )
            sampler.stop()
            rows = [json.loads(line) for line in samples_file.read_text().splitlines()]
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = summarise(rows, seconds)
    if problem := login_problem(figures, users):
        raise LoginsFailed(problem)
    cpu = sampler.used_between(figures["window_start"], figures["window_end"])
    pages = figures["requests"]
    figures.update(
        users=users,
        distinct_groups=len({login["group"] for login in logins}),
        think_time_s=(think_min, think_max),
        workers=workers,
        cores=os.cpu_count(),
        random_page_cost=random_page_cost,
        web_cpu_ms_per_request=round(1000 * cpu["web"] / pages, 1) if pages else math.nan,
        db_cpu_ms_per_request=round(1000 * cpu["db"] / pages, 1) if pages else math.nan,
        # Cores busy on average in the window: ours (web + database) and the machine's in all,
        # which includes the load generator and anything else running.
        cores_busy_app=round((cpu["web"] + cpu["db"]) / cpu["seconds"], 2),
        cores_busy_machine=round(cpu["machine"] / cpu["seconds"], 2),
        load_average_before=round(load_before[0], 2),
        load_average_max=round(cpu["load"], 2),
    )
    return figures


def format_figures(figures: dict) -> str:
    lines = [
        f"{figures['users']} users of {figures['distinct_groups']} groups, think time "
        f"{figures['think_time_s'][0]:g}-{figures['think_time_s'][1]:g} s, "
        f"{figures['workers']} gunicorn workers on {figures['cores']} cores, "
        f"random_page_cost {figures['random_page_cost'] or 'of the server'}, "
        f"{figures['window_s']} s measured",
        f"{'page':<14}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'max ms':>9}{'errors':>8}",
    ]
    rows = [("all pages", figures), *figures["pages"].items(), ("(login)", figures["login"])]
    for name, row in rows:
        lines.append(
            f"{name:<14}{row['requests']:>9}{row['requests_per_s']:>8}{row['p50_ms']:>9}"
            f"{row['p95_ms']:>9}{row['p99_ms']:>9}{row['max_ms']:>9}{row['errors']:>8}"
        )
    lines.append(
        f"CPU per page request: web {figures['web_cpu_ms_per_request']} ms, "
        f"PostgreSQL {figures['db_cpu_ms_per_request']} ms; cores busy: app "
        f"{figures['cores_busy_app']}, whole machine {figures['cores_busy_machine']}; "
        f"load average before {figures['load_average_before']}, "
        f"highest during {figures['load_average_max']}"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--group-prefix", default="bulk-")
    parser.add_argument("--password", default=None, help="default: seed_bulk's password")
    parser.add_argument(
        "--random-page-cost",
        default="server",
        help="for each connection, e.g. 1.1 (default: the server's own)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--list-logins", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.list_logins:
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", SERVER_SETTINGS)
        import django

        django.setup()
        logins = pick_logins(login_candidates(group_prefix=args.group_prefix), args.users)
        if not args.password:
            from demo.bulk import BULK_PASSWORD

            args.password = BULK_PASSWORD
        if problem := password_problem([login["username"] for login in logins], args.password):
            print(json.dumps({"refused": problem}))
            sys.exit(LOGINS_REFUSED)
        print(json.dumps([{**login, "password": args.password} for login in logins]))
        return
    if not args.database_url or not args.database_url.startswith("postgres"):
        parser.error("--database-url (or DATABASE_URL) must name a PostgreSQL database")
    try:
        figures = measure_load(
            database_url=args.database_url,
            users=args.users,
            seconds=args.seconds,
            think_min=args.think_min,
            think_max=args.think_max,
            workers=args.workers,
            group_prefix=args.group_prefix,
            password=args.password,
            random_page_cost=None
            if args.random_page_cost == "server"
            else float(args.random_page_cost),
        )
    except LoginsFailed as exc:
        sys.exit(f"No figures: {exc}")
    print(json.dumps(figures, indent=2) if args.json else format_figures(figures))


if __name__ == "__main__":
    main()
