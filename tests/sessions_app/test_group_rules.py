from decimal import Decimal

from django.urls import reverse

from sessions_app.models import StudyGroup


def test_secretary_sets_the_groups_rules(client_for, group, secretary):
    url = reverse("sessions_app:group_rules", args=[group.slug])
    response = client_for(secretary).post(
        url,
        {
            "rule_sessions_per_quarter": "3",
            "rule_attendance_rate": "95.5",
            "rule_essays_per_member_year": "2",
            "makeup_due_days": "14",
            "notice_days_ahead": "5",
            "originality_threshold": "40",
        },
        follow=True,
    )
    group.refresh_from_db()
    assert (
        group.rule_sessions_per_quarter,
        group.rule_attendance_rate,
        group.rule_essays_per_member_year,
        group.notice_days_ahead,
        group.originality_threshold,
    ) == (3, Decimal("95.5"), 2, 5, 40)
    assert group.updated_by == secretary.user
    assert list(response.context["messages"])


def test_an_attendance_rule_above_100_is_refused_and_nothing_changes(client_for, group, secretary):
    url = reverse("sessions_app:group_rules", args=[group.slug])
    response = client_for(secretary).post(
        url,
        {
            "rule_sessions_per_quarter": "1",
            "rule_attendance_rate": "120",
            "rule_essays_per_member_year": "1",
            "makeup_due_days": "14",
            "notice_days_ahead": "3",
            "originality_threshold": "50",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rule_attendance_rate"]
    assert StudyGroup.objects.get(pk=group.pk).rule_attendance_rate == Decimal("90.0")


def test_members_cannot_change_the_rules_and_outsiders_get_404(client_for, group, member, outsider):
    url = reverse("sessions_app:group_rules", args=[group.slug])
    assert client_for(member).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404


def test_absurd_rules_are_refused(client_for, group, secretary):
    url = reverse("sessions_app:group_rules", args=[group.slug])
    response = client_for(secretary).post(
        url,
        {
            "rule_sessions_per_quarter": "40000",
            "rule_attendance_rate": "90",
            "rule_essays_per_member_year": "1000",
            "makeup_due_days": "14",
            "notice_days_ahead": "365",
            "originality_threshold": "50",
        },
    )
    errors = response.context["form"].errors
    assert "rule_sessions_per_quarter" in errors and "rule_essays_per_member_year" in errors
    assert "notice_days_ahead" in errors  # a notice a year ahead is no notice
    assert StudyGroup.objects.get(pk=group.pk).rule_sessions_per_quarter == 1


def test_an_originality_threshold_below_10_or_above_100_is_refused(client_for, group, secretary):
    url = reverse("sessions_app:group_rules", args=[group.slug])
    for value in ("9", "101"):
        response = client_for(secretary).post(
            url,
            {
                "rule_sessions_per_quarter": "1",
                "rule_attendance_rate": "90",
                "rule_essays_per_member_year": "1",
                "originality_threshold": value,
            },
        )
        assert response.context["form"].errors["originality_threshold"]
    assert StudyGroup.objects.get(pk=group.pk).originality_threshold == 50
