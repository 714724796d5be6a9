"""Attendance on leave or absent recorded before 补学 was followed in the app gets its duty
(migration 0009_leave_and_makeup): made up ones accepted, the others to do, due 14 days after
the session, so the counts read one kind of record."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sessions_app.models import MakeupDuty
from tests.factories import MemberFactory, StudySessionFactory

BEFORE = [("sessions_app", "0008_history_of_every_change")]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_past_absences_get_their_duties(group, term):
    session = StudySessionFactory(group=group, term=term, date=dt.date(2020, 3, 15))
    people = {s: MemberFactory(group=group) for s in ("present", "leave", "absent", "made_up")}
    executor = migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("sessions_app", "Attendance")
    for key, m in people.items():
        old.objects.create(
            session_id=session.pk, member_id=m.pk,
            status={"made_up": "leave"}.get(key, key),
            leave_reason="出差" if key in ("leave", "made_up") else "",
            makeup_on=dt.date(2020, 3, 20) if key == "made_up" else None,
        )

    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())

    duties = {d.member_id: d for d in MakeupDuty.objects.all()}
    assert set(duties) == {people["leave"].pk, people["absent"].pk, people["made_up"].pk}
    assert duties[people["made_up"].pk].status == MakeupDuty.Status.ACCEPTED
    assert duties[people["absent"].pk].status == MakeupDuty.Status.OPEN
    assert {d.due_on for d in duties.values()} == {dt.date(2020, 3, 29)}
