"""The demo county: the organisation above the demo group, a second smaller group beside it,
and the people who look at both (the organisation's administrator `county` and the inspector
`inspector`), so that the county table has something to compare.

Idempotent: when the organisation exists, nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from demo.records import DEMO_PASSWORD, DEMO_SLUG, _date_session, aware, clock_time
from oversight.models import (
    Organisation,
    OrganisationRole,
    ReportingDeadline,
    Submission,
)
from oversight.services.organisations import (
    group_place,
    organisation_create,
    organisation_role_grant,
)
from oversight.services.submissions import submission_submit
from sessions_app.models import Attendance, Member, StudyGroup, Term
from sessions_app.services.sessions import AttendanceEntry, session_record

COUNTY_SLUG = "demo-county"
COUNTY_NAME = "中共示例县委宣传部"
SECOND_SLUG = "demo-renda"
SECOND_NAME = "示例县人大常委会党组理论学习中心组"
SECOND_ORGANISATION = "示例县人大常委会党组"
COUNTY_USERS = (
    ("county", "宣传部", "管理员", OrganisationRole.Role.ADMINISTRATOR),
    ("inspector", "督学", "组", OrganisationRole.Role.INSPECTOR),
)
# The second group: username, name, role, position.
SECOND_PEOPLE = (
    ("renda01", "郑国强", Member.Role.LEADER, "县人大常委会党组书记、主任"),
    ("renda02", "冯丽华", Member.Role.DEPUTY, "县人大常委会党组副书记、副主任"),
    ("renda03", "陈志远", Member.Role.SECRETARY, "县人大常委会办公室主任"),
    ("renda04", "褚建军", Member.Role.MEMBER, "县人大常委会副主任"),
    ("renda05", "卫红梅", Member.Role.MEMBER, "县人大常委会副主任"),
    ("renda06", "蒋文斌", Member.Role.MEMBER, "县人大常委会委员"),
)
# Four sessions of 2020 H1: date, start, end, topic, place, who was away (username: status).
SECOND_SESSIONS = (
    (
        dt.date(2020, 2, 20),
        "09:00",
        "11:30",
        "学习贯彻党的十九届四中全会精神",
        "常委会第一会议室",
        {"renda05": Attendance.Status.LEAVE},
    ),
    (
        dt.date(2020, 4, 16),
        "09:00",
        "11:00",
        "学习《中华人民共和国宪法》和人大工作有关论述",
        "常委会第一会议室",
        {"renda06": Attendance.Status.ABSENT},
    ),
    (dt.date(2020, 5, 28), "14:30", "17:00", "学习贯彻全国两会精神", "常委会第一会议室", {}),
    (
        dt.date(2020, 6, 18),
        "09:00",
        "11:30",
        "专题研讨：坚持和完善人民代表大会制度",
        "常委会第二会议室",
        {"renda04": Attendance.Status.LEAVE, "renda05": Attendance.Status.LEAVE},
    ),
)


@transaction.atomic
def county_seed() -> bool:
    """Create the demo county with its two groups and its two users; False when it exists.

    Needs the demo group (demo.records.demo_seed) first. Users get DEMO_PASSWORD when created.
    """
    if Organisation.objects.filter(slug=COUNTY_SLUG).exists():
        return False
    demo_group = StudyGroup.objects.get(slug=DEMO_SLUG)
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    users = {}
    for username, last, first, _role in COUNTY_USERS:
        users[username], _ = User.objects.get_or_create(
            username=username,
            defaults={"last_name": last, "first_name": first, "password": password},
        )
    county = organisation_create(name=COUNTY_NAME, slug=COUNTY_SLUG)
    for username, _last, _first, role in COUNTY_USERS:
        organisation_role_grant(organisation=county, user=users[username], role=role)
    group_place(group=demo_group, organisation=county)
    group_place(group=_second_group(User, password), organisation=county)
    # Summaries of 2020 H1 are due by 2020年7月15日; the demo group sent its approved one on
    # time, and it waits in the county's inbox to be received (签收).
    ReportingDeadline.objects.create(
        organisation=county,
        year=2020,
        half=1,
        kind=Submission.Kind.SUMMARY,
        due_on=dt.date(2020, 7, 15),
    )
    secretary = Member.objects.get(group=demo_group, user__username="secretary")
    term = Term.objects.get(group=demo_group, year=2020, half=1)
    sent = submission_submit(term=term, kind=Submission.Kind.SUMMARY, member=secretary)
    # Dated as the demo's other records are: as if made on the day (demo.records._date_session).
    when = aware(dt.date(2020, 7, 12), "16:30")
    Submission.objects.filter(pk=sent.pk).update(submitted_at=when, created_at=when)
    return True


def _second_group(User, password: str) -> StudyGroup:
    group = StudyGroup(name=SECOND_NAME, organisation=SECOND_ORGANISATION, slug=SECOND_SLUG)
    group.full_clean()
    group.save()
    members = {}
    for order, (username, name, role, position) in enumerate(SECOND_PEOPLE, start=1):
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"last_name": name[0], "first_name": name[1:], "password": password},
        )
        member = Member(
            group=group,
            user=user,
            display_name=name,
            role=role,
            position=position,
            joined_on=dt.date(2019, 1, 1),
            sort_order=order * 10,
        )
        member.full_clean()
        member.save()
        members[username] = member
    secretary = members["renda03"].user
    for day, start, end, topic, place, away in SECOND_SESSIONS:
        session = session_record(
            group=group,
            actor=secretary,
            fields={
                "date": day,
                "start_time": clock_time(start),
                "end_time": clock_time(end),
                "place": place,
                "topic": topic,
                "host": members["renda01"],
                "notified_at": aware(day - dt.timedelta(days=3), "10:00"),
            },
            attendance=[
                AttendanceEntry(
                    member=member,
                    status=away.get(username, Attendance.Status.PRESENT),
                    leave_reason=(
                        "外出公务" if away.get(username) == Attendance.Status.LEAVE else ""
                    ),
                )
                for username, member in members.items()
            ],
        )
        # Recorded the next afternoon (the seed runs years later: see _date_session).
        _date_session(session, aware(day + dt.timedelta(days=1), "16:00"))
    return group
