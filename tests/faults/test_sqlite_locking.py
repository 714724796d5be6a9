"""Item 19: on the SQLite default, a web request and an eager task writing at once give no
"database is locked": transactions take the write lock when they begin and wait for it."""

import json
import os
import subprocess
import sys

from tests.faults.conftest import ROOT


def test_a_request_and_an_eager_task_writing_at_once_do_not_lock_sqlite(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"CELERY_BROKER_URL"}},
        "DJANGO_SETTINGS_MODULE": "studygroup.settings_test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(
        [sys.executable, "-m", "tests.faults.sqlite_writers"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["rows"] == 2  # the task's row and the request's new one
    assert outcome["task_row"] == "done"
