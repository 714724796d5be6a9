"""Who may see what: views find their group through these; another group's records are 404."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from sessions_app.models import Member, StudySession, Term


def memberships_for_user(*, user: AbstractBaseUser) -> QuerySet[Member]:
    """The user's memberships of today (Member.objects.in_group_on), with their groups, in a
    stable order: a member who leaves today has no access from today on."""
    if not user.is_authenticated:
        return Member.objects.none()
    return (
        Member.objects.filter(user=user)
        .in_group_on(timezone.localdate())
        .select_related("group")
        .order_by("group__name")
    )


def member_get_for_user(*, user: AbstractBaseUser, group_slug: str) -> Member:
    """The user's current membership of the group named by slug; 404 when there is none."""
    member = memberships_for_user(user=user).filter(group__slug=group_slug).first()
    if member is None:
        raise Http404("No such group")
    return member


def term_get(*, group_id: int, code: str) -> Term:
    """A term of the group by its code (2020H1); 404 for a bad code or another group's term."""
    try:
        year_text, half_text = code.upper().split("H")
        year, half = int(year_text), int(half_text)
    except ValueError as exc:
        raise Http404("No such term") from exc
    term = Term.objects.filter(group_id=group_id, year=year, half=half).first()
    if term is None:
        raise Http404("No such term")
    return term


def term_current(*, group_id: int, today: dt.date) -> Term | None:
    """The term containing today; else the latest term with sessions recorded; else the latest."""
    terms = Term.objects.filter(group_id=group_id)
    containing = terms.filter(start_date__lte=today, end_date__gte=today).first()
    if containing is not None:
        return containing
    with_sessions = (
        terms.filter(Exists(StudySession.objects.filter(term=OuterRef("pk"))))
        .order_by("-start_date")
        .first()
    )
    return with_sessions or terms.order_by("-start_date").first()


def terms_for_group(*, group_id: int) -> list[Term]:
    return list(Term.objects.filter(group_id=group_id).order_by("-start_date"))
