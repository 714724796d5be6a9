"""Item 12: the PDF task checks again, from the ids it gets, that the member who asked may still
have the report rendered: rights can go while the task waits in the queue."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage

from reports.models import ReportFile
from reports.services.report_files import report_file_request
from reports.tasks import report_file_render_task
from sessions_app.models import Member
from tests.factories import MemberFactory
from tests.reports.pdf_helpers import make_narrative

pytestmark = pytest.mark.django_db


def _queued(capture, **kwargs) -> ReportFile:
    """Ask for the PDF and keep its task from running: the queue holds it."""
    with capture(execute=False):
        return report_file_request(**kwargs)


def _deactivate(member):
    member.user.is_active = False
    member.user.save()


def _leave(member):
    member.left_on = dt.date.today()
    member.save()


def _demote(member):
    member.role = Member.Role.MEMBER
    member.save()


def _delete(member):
    member.delete()


@pytest.fixture
def asker(group, member, change) -> Member:
    """The member who asks for the PDF: one with records; for a deleted row, one whom no record
    names yet (only such a membership can be deleted, sessions_app.models "People are kept")."""
    if change is _delete:
        return MemberFactory(group=group, display_name="新成员")
    return member


@pytest.mark.parametrize(
    "change",
    [_deactivate, _leave, _delete],
    ids=["user-deactivated", "member-left-the-group", "member-deleted"],
)
def test_a_member_who_lost_access_while_the_task_waited_gets_no_pdf(
    django_capture_on_commit_callbacks, records, term, asker, render_calls, change
):
    report_file = _queued(django_capture_on_commit_callbacks, member=asker, term=term,
                          kind="summary")
    change(asker)

    report_file_render_task.delay(report_file.pk)

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.FAILED
    assert "已无权查看此报告" in report_file.error
    assert render_calls == []
    assert not report_file.file
    assert not default_storage.exists("reports")


def test_a_secretary_demoted_while_the_task_waited_gets_no_draft(
    django_capture_on_commit_callbacks, records, group, term, secretary, leader, render_calls
):
    make_narrative(group=group, term=term, approved=False, version=2, preamble="草稿导语。")
    report_file = _queued(django_capture_on_commit_callbacks, member=secretary, term=term,
                          kind="summary")
    assert not report_file.approved
    _demote(secretary)

    report_file_render_task.delay(report_file.pk)

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.FAILED
    assert render_calls == []


def test_a_requester_moved_into_another_group_row_gets_no_pdf(
    django_capture_on_commit_callbacks, records, term, member, outsider, render_calls
):
    # Ids smuggled into the queue: a row of this group naming another group's member.
    report_file = _queued(django_capture_on_commit_callbacks, member=member, term=term,
                          kind="summary")
    ReportFile.objects.filter(pk=report_file.pk).update(requested_by=outsider)

    report_file_render_task.delay(report_file.pk)

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.FAILED
    assert render_calls == []


def test_a_member_who_still_has_access_gets_the_pdf(
    django_capture_on_commit_callbacks, records, term, member, render_calls
):
    report_file = _queued(django_capture_on_commit_callbacks, member=member, term=term,
                          kind="summary")
    report_file_render_task.delay(report_file.pk)

    report_file.refresh_from_db()
    assert report_file.status == ReportFile.Status.DONE, report_file.error
    assert len(render_calls) == 1
