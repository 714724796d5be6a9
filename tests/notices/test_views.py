"""The notice pages through the client: publish, read, confirm, who has read; who may do what."""

import datetime as dt

from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notices.models import Notice, NoticeRead
from notices.services.notice import notice_publish, notice_read_confirm
from sessions_app.models import ReflectionEssay, SessionMaterial
from sessions_app.services.essays import essay_submit
from tests.factories import MemberFactory
from tests.notices.conftest import upcoming_session


def url(name, group, session):
    return reverse(f"notices:{name}", args=[group.slug, session.pk])


def publish(session, actor, speakers, **kwargs):
    return notice_publish(
        session=session, actor=actor, discussion_questions="一、如何联系实际？",
        key_speakers=speakers, at_once=kwargs.pop("at_once", True), **kwargs,
    )


def test_the_secretary_publishes_a_notice_and_members_find_it_on_their_dashboard(
    client_for, group, session, secretary, member, speakers
):
    response = client_for(secretary).post(
        url("notice_edit", group, session),
        {
            "discussion_questions": "一、如何学深悟透？\n二、如何联系实际？",
            "key_speakers": [str(m.pk) for m in speakers],
            "when": "now",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == url("notice_detail", group, session)
    assert "发布" in str(list(response.context["messages"])[0])
    notice = Notice.objects.get(session=session)
    assert set(notice.key_speakers.all()) == set(speakers)

    board = client_for(member).get(reverse("sessions_app:dashboard", args=[group.slug]))
    body = board.content.decode()
    assert url("notice_detail", group, session) in body
    assert "学习贯彻专题" in body and "未阅" in body


def test_a_member_reads_the_notice_with_time_place_speakers_questions_and_materials(
    client_for, group, session, secretary, member, speakers
):
    session.host = secretary
    session.save()
    material = SessionMaterial(session=session, title="学习材料汇编", original_filename="汇编.pdf")
    material.file.save("generated.pdf", ContentFile(b"%PDF-1.7"), save=False)
    material.save()
    publish(session, secretary, speakers)

    body = client_for(member).get(url("notice_detail", group, session)).content.decode()
    shown = ("县委常委会议室", "王秘书", "甲发言人", "乙发言人", "如何联系实际", "学习材料汇编")
    for text in shown:
        assert text in body, text
    assert reverse(
        "sessions_app:material_download", args=[group.slug, session.pk, material.pk]
    ) in body
    assert 'id="readers"' not in body  # who has read it is the secretary's


def test_confirming_read_shows_the_time_and_a_second_confirm_keeps_it(
    client_for, group, session, secretary, member, speakers
):
    notice = publish(session, secretary, speakers)
    client = client_for(member)
    response = client.post(url("notice_read", group, session), follow=True)
    assert "已阅" in str(list(response.context["messages"])[0])
    first = NoticeRead.objects.get(notice=notice, member=member).read_at
    assert response.context["page"].my_read_at == first

    client.post(url("notice_read", group, session))
    assert NoticeRead.objects.get(notice=notice, member=member).read_at == first


def test_the_secretary_sees_who_has_read_it_in_rank_order_and_whose_outline_is_missing(
    client_for, group, session, secretary, leader, member, speakers
):
    notice = publish(session, secretary, speakers, now=timezone.now() - dt.timedelta(hours=3))
    read_at = timezone.now() - dt.timedelta(hours=1)
    notice_read_confirm(notice=notice, member=member, now=read_at)
    essay_submit(
        author=speakers[0], title="我的发言提纲", kind=ReflectionEssay.Kind.OUTLINE,
        session=session, body="一、二、三。",
    )
    MemberFactory(group=group, display_name="已离任", left_on=session.date)

    response = client_for(secretary).get(url("notice_detail", group, session))
    page = response.context["page"]
    assert [(line.member.display_name, line.read_at) for line in page.reads] == [
        ("王秘书", None), ("李书记", None), ("张成员", read_at), ("甲发言人", None),
        ("乙发言人", None),
    ]
    assert [m.display_name for m in page.unread] == ["王秘书", "李书记", "甲发言人", "乙发言人"]
    assert [m.display_name for m in page.outlines_missing] == ["乙发言人"]
    body = response.content.decode()
    assert "5人中1人" in body
    assert 'id="outlines-missing"' in body and "乙发言人" in body


def test_a_member_cannot_publish_or_change_a_notice(client_for, group, session, member, speakers):
    client = client_for(member)
    data = {"key_speakers": [str(m.pk) for m in speakers], "when": "now"}
    assert client.get(url("notice_edit", group, session)).status_code == 403
    assert client.post(url("notice_edit", group, session), data).status_code == 403
    assert not Notice.objects.exists()


def test_another_groups_member_gets_404_on_every_notice_page(
    client_for, group, session, secretary, outsider, speakers
):
    publish(session, secretary, speakers)
    client = client_for(outsider)
    for name in ("notice_detail", "notice_edit"):
        assert client.get(url(name, group, session)).status_code == 404
    assert client.post(url("notice_read", group, session)).status_code == 404
    assert not NoticeRead.objects.exists()


def test_a_scheduled_notice_is_hidden_from_members_until_it_is_published(
    client_for, group, session, secretary, member, speakers
):
    publish(session, secretary, speakers, at_once=False)
    assert client_for(member).get(url("notice_detail", group, session)).status_code == 404
    board = client_for(member).get(reverse("sessions_app:dashboard", args=[group.slug]))
    assert board.context["notices"] == []
    page = client_for(secretary).get(url("notice_detail", group, session))
    assert page.status_code == 200 and not page.context["page"].is_published


def test_wrong_key_speakers_are_explained_and_nothing_is_saved(
    client_for, group, session, secretary, speakers
):
    response = client_for(secretary).post(
        url("notice_edit", group, session),
        {"key_speakers": [str(speakers[0].pk)], "when": "now"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["key_speakers"]
    assert not Notice.objects.exists()


def test_a_held_session_gets_no_notice(client_for, group, secretary):
    held = upcoming_session(group, days=-3)
    response = client_for(secretary).get(url("notice_edit", group, held), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "sessions_app:session_detail", args=[group.slug, held.pk]
    )
    assert list(response.context["messages"])


def test_the_session_form_leaves_notified_at_to_the_notice(
    client_for, group, session, secretary, speakers
):
    notice = publish(session, secretary, speakers)
    form = client_for(secretary).get(
        reverse("sessions_app:session_edit", args=[group.slug, session.pk])
    ).context["form"]
    assert form.fields["notified_at"].disabled
    assert form.initial["notified_at"] == notice.publish_at


def test_a_key_speaker_hands_in_the_outline_through_the_essay_form(
    client_for, group, session, secretary, member, speakers
):
    publish(session, secretary, speakers)
    essays_new = reverse("sessions_app:essay_create", args=[group.slug])
    # Only a key speaker is offered the kind; the notice's link preselects it.
    kinds = dict(client_for(member).get(essays_new).context["form"].fields["kind"].choices)
    assert ReflectionEssay.Kind.OUTLINE not in kinds
    client = client_for(speakers[0])
    form = client.get(essays_new, {"session": session.pk, "kind": "outline"}).context["form"]
    assert form.initial == {"session": session.pk, "kind": "outline"}
    response = client.post(
        essays_new,
        {"title": "发言提纲", "kind": "outline", "session": str(session.pk),
         "body": "一、学习体会。二、努力方向。"},
        follow=True,
    )
    assert "发言提纲" in str(list(response.context["messages"])[0])
    assert ReflectionEssay.objects.get().kind == ReflectionEssay.Kind.OUTLINE
    # An essay proper waits for the session to be held.
    response = client.post(
        essays_new,
        {"title": "心得", "kind": "reflection", "session": str(session.pk), "body": "心得。"},
    )
    assert response.context["form"].errors["session"]


def _grow(group, session, n):
    members = [MemberFactory(group=group) for _ in range(n)]
    notice = Notice.objects.get(session=session)
    for m in members[: n // 2]:
        notice_read_confirm(notice=notice, member=m)
    for i in range(n // 3):
        SessionMaterial.objects.create(session=session, title=f"材料{i}", file=f"m/{i}.pdf")
    return members


def test_the_notice_page_answers_in_a_fixed_number_of_queries(
    client_for, group, session, secretary, member, speakers, django_assert_num_queries
):
    publish(session, secretary, speakers)
    page = url("notice_detail", group, session)
    counts = {}
    for n in (3, 30):
        _grow(group, session, n)
        for who in (secretary, member):
            client = client_for(who)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(page).status_code == 200
            counts.setdefault(who.display_name, []).append(len(captured.captured_queries))
    assert counts["王秘书"][0] == counts["王秘书"][1], counts
    assert counts["张成员"][0] == counts["张成员"][1], counts
    client = client_for(member)
    with django_assert_num_queries(counts["张成员"][0]):
        client.get(page)


def test_the_dashboards_notices_cost_one_query_however_many(
    client_for, group, secretary, member, speakers
):
    board = reverse("sessions_app:dashboard", args=[group.slug])
    counts = []
    for days in ((5,), (6, 7, 8, 9, 11, 12)):
        for d in days:
            publish(upcoming_session(group, days=d), secretary, speakers)
        client = client_for(member)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(board)
        counts.append(len(captured.captured_queries))
    assert len(response.context["notices"]) == 7
    assert counts[0] == counts[1], counts


def test_the_sessions_history_keeps_every_version_of_its_notice(
    client_for, group, session, secretary, speakers
):
    from notices.services.notice import notice_update

    notice = publish(session, secretary, speakers)
    notice_update(
        notice=notice, actor=secretary, discussion_questions="改过的思考题",
        key_speakers=speakers, at_once=True,
    )
    body = client_for(secretary).get(
        reverse("sessions_app:session_history", args=[group.slug, session.pk])
    ).content.decode()
    assert "一、如何联系实际？" in body and "改过的思考题" in body


def test_the_session_page_links_the_notice_once_members_may_read_it(
    client_for, group, session, secretary, member, speakers
):
    session_page = reverse("sessions_app:session_detail", args=[group.slug, session.pk])
    notice_page = url("notice_detail", group, session)
    assert url("notice_edit", group, session) in client_for(secretary).get(
        session_page
    ).content.decode()
    notice = publish(session, secretary, speakers, at_once=False)
    assert notice_page not in client_for(member).get(session_page).content.decode()
    assert notice_page in client_for(secretary).get(session_page).content.decode()
    notice.publish_at = timezone.now()
    notice.save()
    assert notice_page in client_for(member).get(session_page).content.decode()
