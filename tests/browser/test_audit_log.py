"""The secretary reaches the group's audit log from the dashboard; it works on a phone."""

import pytest

from audit.models import AuditEvent
from audit.services import audit_record
from tests.browser.conftest import check_page, log_in, url, zh
from tests.factories import StudySessionFactory

pytestmark = pytest.mark.browser


def test_secretary_opens_the_audit_log_from_the_dashboard_and_it_fits_a_phone(
    page, live_server, secretary, leader, group, term
):
    session = StudySessionFactory(
        group=group,
        term=term,
        topic="学习贯彻党的十九届四中全会精神，推进县域治理体系和治理能力现代化",
    )
    audit_record(
        action=AuditEvent.Action.DELETED,
        actor=leader.user,
        actor_name=leader.display_name,
        group_id=group.pk,
        obj=session,
    )
    log_in(page, live_server, secretary)

    with page.expect_navigation():
        page.get_by_role("link", name=zh("Audit log")).click()

    assert page.url == url(live_server, "audit:log", group.slug)
    row = page.locator("main table tbody tr")
    assert row.count() == 1
    assert "李书记" in row.inner_text()
    check_page(page, label="audit log")
