"""Run by tests/faults/test_sqlite_locking.py in a process of its own, on a file SQLite database
named by DATABASE_URL: a web request and an eager task write at once; prints what failed as JSON.

Both writers read first and write after, inside their transactions, as the services do; a
pre_save hook holds each writer between its read and its write until the other has read too,
so the two transactions overlap every time.
"""

import contextlib
import json
import os
import sys
import threading

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings_test")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models.signals import pre_save

    from reports.models import ReportFile
    from reports.services.report_files import report_file_render, report_file_request
    from sessions_app.models import Member
    from tests.factories import MemberFactory, StudyGroupFactory, TermFactory
    from tests.reports.pdf_helpers import make_narrative, make_term_records

    assert connection.vendor == "sqlite" and not connection.is_in_memory_db()
    call_command("migrate", verbosity=0)
    group = StudyGroupFactory(slug="sample")
    term = TermFactory(group=group, year=2020, half=1)
    leader = MemberFactory(group=group, role=Member.Role.LEADER)
    secretary = MemberFactory(group=group, role=Member.Role.SECRETARY)
    make_term_records(group=group, term=term, members=[leader, secretary])
    make_narrative(group=group, term=term, approved=True, approver=leader)
    # The task's row: queued earlier for the summary as the leader sees it.
    queued = report_file_request(member=leader, term=term, kind="summary")
    ReportFile.objects.filter(pk=queued.pk).update(status=ReportFile.Status.PENDING)

    both_read = threading.Barrier(2)

    def hold_until_both_read(sender, **kwargs):
        # Broken when the other writer waits for the lock instead: go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait(timeout=2)

    pre_save.connect(hold_until_both_read, sender=ReportFile, weak=False)
    errors = []

    def run(name, work):
        try:
            work()
        except Exception as exc:  # every error is the test's finding
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    writers = [
        threading.Thread(
            target=run,
            args=("web", lambda: report_file_request(member=secretary, term=term, kind="plan")),
        ),
        threading.Thread(
            target=run, args=("task", lambda: report_file_render(report_file_id=queued.pk))
        ),
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=60)
    pre_save.disconnect(hold_until_both_read, sender=ReportFile)
    print(
        json.dumps(
            {
                "errors": errors,
                "rows": ReportFile.objects.count(),
                "task_row": ReportFile.objects.get(pk=queued.pk).status,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
